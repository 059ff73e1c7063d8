//! Postroom event handlers: turn received correspondence into work items.
