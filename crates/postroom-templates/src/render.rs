//! Rendering one template: the subject line and the body.

use crate::{MergeFields, Templates};

/// Which variant of a template: the email or the (printed) letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    Email,
    Letter,
}

impl Variant {
    /// Both variants, email first.
    pub const ALL: [Self; 2] = [Self::Email, Self::Letter];

    /// The variant as in the file name: `email` or `letter`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Letter => "letter",
        }
    }
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rendered reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The template's first line, without `Subject:`.
    pub subject: String,
    /// The rest, leading blank lines and trailing whitespace trimmed, ending in one newline.
    pub body: String,
}

/// Why a template could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The catalogue has no such template.
    #[error("there is no reply template {name:?} ({variant})")]
    Unknown { name: String, variant: Variant },
    /// minijinja failed (a value missing in strict mode, a bad filter argument).
    #[error("{file}: {source:#}")]
    Template {
        file: String,
        #[source]
        source: minijinja::Error,
    },
    /// The output does not start with a `Subject:` line.
    #[error("{file}: the first line is not \"Subject: …\"")]
    NoSubject { file: String },
}

/// Splits rendered output into subject and body; `None` without a `Subject:` first line.
pub(crate) fn split(output: &str) -> Option<Rendered> {
    let (first, rest) = output.split_once('\n').unwrap_or((output, ""));
    let subject = first.strip_prefix("Subject:")?.trim().to_owned();
    let rest = rest.trim_end();
    let start = rest.lines().take_while(|l| l.trim().is_empty()).map(|l| l.len() + 1).sum::<usize>();
    let mut body = rest.get(start..).unwrap_or_default().to_owned();
    body.push('\n');
    Some(Rendered { subject, body })
}

impl Templates {
    /// Renders template `name` (as workflows name it) in `variant` with `fields`.
    ///
    /// # Errors
    /// When there is no such template, or rendering fails (which the load check and the
    /// tests make unlikely: only known fields are read, and optional ones are guarded).
    pub fn render(&self, name: &str, variant: Variant, fields: &MergeFields) -> Result<Rendered, RenderError> {
        let key = Self::key(name, variant);
        let unknown = || RenderError::Unknown { name: name.to_owned(), variant };
        let file = self.shown(&key).ok_or_else(unknown)?.to_owned();
        let template = self.env().get_template(&key).map_err(|_| unknown())?;
        let output = template.render(fields).map_err(|source| RenderError::Template { file: file.clone(), source })?;
        split(&output).ok_or(RenderError::NoSubject { file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_the_subject_and_leading_blank_lines_go() {
        let r = split("Subject:  Your refund — W-1 \n\n \nDear Ann,\n\nBye\n\n").unwrap();
        assert_eq!(r.subject, "Your refund — W-1");
        assert_eq!(r.body, "Dear Ann,\n\nBye\n");
        assert!(split("Dear Ann,\nSubject: no").is_none());
        assert_eq!(split("Subject: only").unwrap().body, "\n");
    }
}
