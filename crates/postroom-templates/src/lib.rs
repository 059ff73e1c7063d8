//! Reply templates: the merge fields a reply can use ([`MergeFields`]), the check of every
//! template of a catalogue at start-up ([`Templates::load`]: both variants present, parsing,
//! only known merge fields read), and rendering with minijinja ([`Templates::render`]) into a
//! subject and a plain-text body, plus the HTML part of an email ([`html`]).
//!
//! Templates are plain text. Each starts with a `Subject: …` line; the rest is the body.
//! Undefined values are errors (minijinja's strict mode), nothing is HTML-escaped, and a line
//! holding only a `{% … %}` tag leaves no blank line behind.

mod fields;
mod html;
mod render;
mod templates;

pub use fields::{
    AccountFields, ChangeFields, ChargeFields, ChargeLineFields, CorrespondenceFields, Council, InstalmentFields,
    ItemFields, MergeFields, Team, known_fields,
};
pub use html::html;
pub use render::{RenderError, Rendered, Variant};
pub use templates::{TemplateProblems, Templates};
