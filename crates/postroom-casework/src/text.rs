//! Limits on the free text people type: reasons, outcomes, notes.

use crate::CaseworkError;

/// Longest reason or outcome, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;
/// Longest note, in characters (the same bound as a note change on an account).
pub(crate) const MAX_NOTE_CHARS: usize = postroom_accounts::change::MAX_TEXT;

/// `text` trimmed, which must not be empty nor longer than `max` characters.
pub(crate) fn required(field: &str, text: &str, max: usize) -> Result<String, CaseworkError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CaseworkError::invalid(field, format!("{field} is required"), "must not be empty"));
    }
    bounded(field, trimmed, max)?;
    Ok(trimmed.to_owned())
}

/// `text` trimmed (nothing when blank), at most `max` characters.
pub(crate) fn optional(field: &str, text: Option<&str>, max: usize) -> Result<Option<String>, CaseworkError> {
    let Some(trimmed) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    bounded(field, trimmed, max)?;
    Ok(Some(trimmed.to_owned()))
}

fn bounded(field: &str, text: &str, max: usize) -> Result<(), CaseworkError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(CaseworkError::invalid(
            field,
            format!("{field} is {chars} characters long; at most {max} are allowed"),
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_required_text_names_its_field() {
        let Err(CaseworkError::Invalid { errors, .. }) = required("reason", "  ", 10) else { panic!("accepted") };
        assert_eq!(errors[0].field, "reason");
    }

    #[test]
    fn text_over_the_limit_is_refused_and_at_the_limit_accepted() {
        assert!(required("outcome", &"é".repeat(10), 10).is_ok());
        let Err(CaseworkError::Invalid { errors, .. }) = required("outcome", &"é".repeat(11), 10) else {
            panic!("accepted")
        };
        assert_eq!(errors[0].message, "at most 10 characters");
        assert!(optional("note", Some(&"x".repeat(11)), 10).is_err());
        assert_eq!(optional("note", Some("  "), 10).ok(), Some(None));
    }
}
