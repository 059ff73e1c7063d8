//! Passwords of the local users who sign in to the web UI: Argon2id (the `argon2` crate's
//! default parameters) with a random salt, kept as a PHC string (`$argon2id$v=19$...`).
//!
//! Verification takes as long for an unknown user, or a stored hash that cannot be read, as for
//! a known one: it checks the password against a fixed dummy hash and refuses.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

use crate::AuthError;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters (hashing a huge one would only cost time).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// An Argon2id hash (default parameters) of a password nobody knows, checked when there is no
/// real hash to check, so that refusing an unknown user costs the same as refusing a known one.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$cG9zdHJvb20tZHVtbXktc2FsdA$3hlYc8ZoDxlqffMMw2ZL5u8n5H/I7+1Kqj1Qz0Bw1xA";

/// Hashes `password` for storage: Argon2id, default parameters, a random salt.
///
/// # Errors
/// [`AuthError::InvalidPassword`] when the password is shorter than [`MIN_PASSWORD_CHARS`] or
/// longer than [`MAX_PASSWORD_CHARS`] characters; [`AuthError::Hash`] if hashing fails.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AuthError::InvalidPassword(format!(
            "it has {chars} characters; use at least {MIN_PASSWORD_CHARS}"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AuthError::InvalidPassword(format!("it has {chars} characters; use at most {MAX_PASSWORD_CHARS}")));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches the stored `hash`. `None` (no such user) and a hash that cannot
/// be parsed are checked against a dummy hash, taking as long, and give `false`.
#[must_use]
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    let parsed = hash.and_then(|h| PasswordHash::new(h).ok());
    let Some(parsed) = parsed else {
        if let Ok(dummy) = PasswordHash::new(DUMMY_HASH) {
            // The outcome is irrelevant: this runs only so that refusing takes as long.
            let _ = Argon2::default().verify_password(password.as_bytes(), &dummy);
        }
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "correct horse battery staple";

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password(GOOD).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(Some(&hash), GOOD));
        assert!(!verify_password(Some(&hash), "correct horse battery stapler"));
    }

    #[test]
    fn an_unknown_user_or_unreadable_hash_never_verifies() {
        assert!(!verify_password(None, GOOD));
        assert!(!verify_password(Some("not a hash"), GOOD));
        assert!(!verify_password(Some(""), ""));
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_users_cost_a_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn two_hashes_of_one_password_differ() {
        let (a, b) = (hash_password(GOOD).unwrap(), hash_password(GOOD).unwrap());
        assert_ne!(a, b);
        assert!(verify_password(Some(&a), GOOD) && verify_password(Some(&b), GOOD));
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        let short = hash_password("elevenchars").unwrap_err();
        assert!(matches!(short, AuthError::InvalidPassword(_)));
        assert!(short.to_string().contains("at least 12"), "{short}");
        assert!(hash_password(&"x".repeat(MIN_PASSWORD_CHARS)).is_ok());
        // Characters, not bytes: twelve two-byte letters are enough.
        assert!(hash_password(&"é".repeat(MIN_PASSWORD_CHARS)).is_ok());
        assert!(matches!(hash_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)), Err(AuthError::InvalidPassword(_))));
    }
}
