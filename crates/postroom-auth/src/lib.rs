//! Postroom authentication: bearer tokens carrying a user and a role, signed with an HMAC key.
//!
//! Verification sits behind one seam, [`TokenVerifier`], held by the API as a trait object, so
//! an identity-provider verifier (OIDC) can replace or join the local one without touching
//! handlers. The embedded default generates a 256-bit key once and keeps it in the data
//! directory (`auth/token.key`, mode 0600); production passes `auth.signing_key`.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use postroom_domain::Role;

pub mod password;

/// Tokens name this issuer; others are refused.
pub const ISSUER: &str = "postroom";
/// Shortest signing key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 32;

/// The longest a locally signed token may live unless configured (`auth.max_token_lifetime`).
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    pub role: Role,
    /// The signed token it came with, for checking against the revocation list.
    pub token: Option<TokenId>,
}

/// A signed token's own id and times (UNIX seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenId {
    /// The token's random `jti`.
    pub id: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// Authentication failures.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The token is malformed, forged, expired or from another issuer.
    #[error("the bearer token is not valid: {0}")]
    InvalidToken(String),
    /// A user name that cannot be put in a token.
    #[error("user name {0:?} is not valid: use 1-64 letters, digits, '.', '_', '-' or '@'")]
    InvalidUser(String),
    /// The signing key is unusable.
    #[error("signing key: {0}")]
    Key(String),
    /// A password that may not be set.
    #[error("the password is not accepted: {0}")]
    InvalidPassword(String),
    /// Hashing a password failed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// A token may not live that long.
    #[error("a token may be valid for at most {max_days} days (auth.max_token_lifetime); asked for {asked_days}")]
    Lifetime { max_days: u64, asked_days: u64 },
}

/// Turns a bearer token into a [`Principal`].
pub trait TokenVerifier: Send + Sync {
    /// Verifies a token (without the `Bearer ` prefix).
    ///
    /// # Errors
    /// [`AuthError::InvalidToken`] for anything but a valid, unexpired token.
    fn verify(&self, token: &str) -> Result<Principal, AuthError>;

    /// The longest a token it accepts may live (revoking all of a user's tokens lasts this long).
    fn max_lifetime(&self) -> Duration {
        DEFAULT_MAX_LIFETIME
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    role: Role,
    iat: i64,
    exp: i64,
    jti: String,
}

/// HS256 signing and verification with one shared key.
#[derive(Clone)]
pub struct HmacKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    max_lifetime: Duration,
}

impl std::fmt::Debug for HmacKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKeys([REDACTED])")
    }
}

impl HmacKeys {
    /// From key material of at least [`MIN_KEY_BYTES`] bytes.
    ///
    /// # Errors
    /// When the key is too short.
    pub fn from_secret(secret: &[u8]) -> Result<Self, AuthError> {
        if secret.len() < MIN_KEY_BYTES {
            return Err(AuthError::Key(format!("must be at least {MIN_KEY_BYTES} bytes, got {}", secret.len())));
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            max_lifetime: DEFAULT_MAX_LIFETIME,
        })
    }

    /// The longest lifetime a token may be issued with, and verified with: a token whose `exp`
    /// is further than this from its `iat` is refused, whoever signed it.
    #[must_use]
    pub fn with_max_lifetime(mut self, max_lifetime: Duration) -> Self {
        self.max_lifetime = max_lifetime;
        self
    }

    /// The longest lifetime a token may have.
    #[must_use]
    pub fn max_lifetime(&self) -> Duration {
        self.max_lifetime
    }

    /// The key kept at `path`, generating and saving a new random one (mode 0600) when absent.
    ///
    /// # Errors
    /// When the file cannot be read or written, or holds an unusable key.
    pub fn load_or_create(path: &Path) -> Result<Self, AuthError> {
        if !path.exists() {
            create_key_file(path)?;
        }
        let text =
            fs::read_to_string(path).map_err(|e| AuthError::Key(format!("cannot read {}: {e}", path.display())))?;
        let secret = hex::decode(text.trim())
            .map_err(|e| AuthError::Key(format!("{} is not a hex key: {e}", path.display())))?;
        Self::from_secret(&secret)
    }

    /// The default key file inside a data directory.
    #[must_use]
    pub fn default_path(data_dir: &Path) -> PathBuf {
        data_dir.join("auth").join("token.key")
    }

    /// Issues a token for `user` with `role`, valid for `lifetime`.
    ///
    /// # Errors
    /// When the user name is not valid, or `lifetime` is longer than the maximum.
    pub fn issue(&self, user: &str, role: Role, lifetime: Duration) -> Result<String, AuthError> {
        validate_user(user)?;
        if lifetime > self.max_lifetime {
            const DAY: u64 = 24 * 3600;
            return Err(AuthError::Lifetime {
                max_days: self.max_lifetime.as_secs() / DAY,
                asked_days: lifetime.as_secs().div_ceil(DAY),
            });
        }
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            sub: user.to_owned(),
            role,
            iat: now,
            exp: now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2)),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AuthError::Key(e.to_string()))
    }
}

impl HmacKeys {
    /// Verifies a token like [`TokenVerifier::verify`] and also returns its `jti`, the token's
    /// own random id (the web UI keeps it as the session's CSRF secret).
    ///
    /// # Errors
    /// [`AuthError::InvalidToken`] for anything but a valid, unexpired token.
    pub fn verify_session(&self, token: &str) -> Result<(Principal, String), AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| AuthError::InvalidToken(e.to_string()))?;
        validate_user(&data.claims.sub).map_err(|e| AuthError::InvalidToken(e.to_string()))?;
        let max = i64::try_from(self.max_lifetime.as_secs()).unwrap_or(i64::MAX);
        if data.claims.exp.saturating_sub(data.claims.iat) > max.saturating_add(60) {
            return Err(AuthError::InvalidToken(
                "it is valid for longer than auth.max_token_lifetime allows".to_owned(),
            ));
        }
        let Claims { sub, role, iat, exp, jti, .. } = data.claims;
        let token = TokenId { id: jti.clone(), issued_at: iat, expires_at: exp };
        Ok((Principal { user: sub, role, token: Some(token) }, jti))
    }
}

impl TokenVerifier for HmacKeys {
    fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        self.verify_session(token).map(|(principal, _)| principal)
    }

    fn max_lifetime(&self) -> Duration {
        self.max_lifetime
    }
}

/// Checks a user name: 1-64 ASCII letters, digits, '.', '_', '-' or '@'.
///
/// # Errors
/// [`AuthError::InvalidUser`] when it is not.
pub fn validate_user(user: &str) -> Result<(), AuthError> {
    let ok = !user.is_empty()
        && user.len() <= 64
        && user.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok { Ok(()) } else { Err(AuthError::InvalidUser(user.to_owned())) }
}

fn create_key_file(path: &Path) -> Result<(), AuthError> {
    let err = |e: std::io::Error| AuthError::Key(format!("cannot create {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(err)?;
    }
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(mut f) => f.write_all(hex::encode(key).as_bytes()).and_then(|()| f.sync_all()).map_err(err),
        // Another process created it first; use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_carry_user_and_role() {
        let keys = HmacKeys::from_secret(&[7u8; 32]).unwrap();
        let token = keys.issue("alice", Role::Officer, Duration::from_secs(3600)).unwrap();
        let principal = keys.verify(&token).unwrap();
        assert_eq!((principal.user.as_str(), principal.role), ("alice", Role::Officer));
        let id = principal.token.unwrap();
        assert_eq!(id.expires_at - id.issued_at, 3600);
    }

    #[test]
    fn no_token_outlives_the_maximum_lifetime_whoever_signed_it() {
        let keys = HmacKeys::from_secret(&[7u8; 32]).unwrap().with_max_lifetime(Duration::from_secs(30 * 24 * 3600));
        let refused = keys.issue("alice", Role::Admin, Duration::from_secs(1000 * 365 * 24 * 3600));
        assert!(matches!(refused, Err(AuthError::Lifetime { max_days: 30, asked_days: 365_000 })), "{refused:?}");
        assert!(keys.issue("alice", Role::Admin, Duration::from_secs(30 * 24 * 3600)).is_ok());
        // A token signed with the key for longer (an older setting, a leaked key) is refused.
        let lax = HmacKeys::from_secret(&[7u8; 32]).unwrap();
        let long = lax.issue("alice", Role::Admin, Duration::from_secs(60 * 24 * 3600)).unwrap();
        assert!(matches!(keys.verify(&long), Err(AuthError::InvalidToken(_))));
    }

    #[test]
    fn tokens_from_another_key_or_expired_or_garbage_are_refused() {
        let keys = HmacKeys::from_secret(&[7u8; 32]).unwrap();
        let other = HmacKeys::from_secret(&[8u8; 32]).unwrap();
        let forged = other.issue("mallory", Role::Admin, Duration::from_secs(3600)).unwrap();
        assert!(keys.verify(&forged).is_err());
        assert!(keys.verify("not-a-token").is_err());
        let claims = Claims {
            iss: ISSUER.into(),
            sub: "bob".into(),
            role: Role::Officer,
            iat: 0,
            exp: Utc::now().timestamp() - 3600,
            jti: "x".into(),
        };
        let expired = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap();
        assert!(keys.verify(&expired).is_err());
    }

    #[test]
    fn sessions_carry_the_principal_and_a_jti_unique_to_each_token() {
        let keys = HmacKeys::from_secret(&[7u8; 32]).unwrap();
        let first = keys.issue("alice", Role::TeamLeader, Duration::from_secs(3600)).unwrap();
        let second = keys.issue("alice", Role::TeamLeader, Duration::from_secs(3600)).unwrap();
        let (principal, jti) = keys.verify_session(&first).unwrap();
        assert_eq!((principal.user.as_str(), principal.role), ("alice", Role::TeamLeader));
        assert_eq!(principal.token.as_ref().map(|t| t.id.as_str()), Some(jti.as_str()));
        assert_eq!(principal, keys.verify(&first).unwrap());
        assert!(uuid::Uuid::parse_str(&jti).is_ok(), "{jti}");
        assert_ne!(jti, keys.verify_session(&second).unwrap().1);
        let other = HmacKeys::from_secret(&[8u8; 32]).unwrap();
        assert!(matches!(other.verify_session(&first), Err(AuthError::InvalidToken(_))));
        assert!(keys.verify_session("not-a-token").is_err());
    }

    #[test]
    fn short_keys_and_bad_user_names_are_refused() {
        assert!(HmacKeys::from_secret(b"short").is_err());
        let keys = HmacKeys::from_secret(&[7u8; 32]).unwrap();
        assert!(keys.issue("a b", Role::Officer, Duration::from_secs(1)).is_err());
        assert!(keys.issue("", Role::Officer, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = HmacKeys::default_path(dir.path());
        let first = HmacKeys::load_or_create(&path).unwrap();
        let token = first.issue("alice", Role::Admin, Duration::from_secs(60)).unwrap();
        let second = HmacKeys::load_or_create(&path).unwrap();
        assert!(second.verify(&token).is_ok(), "the same key must be reused");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
