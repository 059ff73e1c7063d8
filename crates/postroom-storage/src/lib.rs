//! Postroom object storage: originals kept immutably under content-addressed keys (local directory or S3).
