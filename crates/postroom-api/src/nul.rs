//! Refusing the NUL character (U+0000) in what a caller sends. No identifier or text Postroom
//! keeps may hold one (PostgreSQL cannot store or compare it in a text column; SQLite can, so
//! without this the two databases would answer differently), so the shared extractors refuse it
//! before a handler runs: in a path segment or query parameter with a 400, in a JSON body with a
//! 422 naming every field that holds one.

use serde_json::Value;

use crate::error::{ApiError, FieldError};

/// What is said about a field holding a NUL.
const MESSAGE: &str = "must not contain the NUL character (U+0000)";

/// 400 when a path parameter holds a NUL, naming it.
///
/// # Errors
/// The first such parameter.
pub fn check_path<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<(), ApiError> {
    match params.into_iter().find(|(_, value)| value.contains('\0')) {
        Some((name, _)) => Err(ApiError::BadRequest(format!("path segment {{{}}} {MESSAGE} (%00)", visible(name)))),
        None => Ok(()),
    }
}

/// 400 when a query parameter's name or value holds a NUL, naming it.
///
/// # Errors
/// The first such parameter.
pub fn check_query<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<(), ApiError> {
    match params.into_iter().find(|(name, value)| name.contains('\0') || value.contains('\0')) {
        Some((name, _)) => Err(ApiError::BadRequest(format!("query parameter {} {MESSAGE} (%00)", visible(name)))),
        None => Ok(()),
    }
}

/// 422 naming every string (or object key) of a JSON body that holds a NUL. A NUL can only be
/// written in JSON as the escape `\u0000`, so a body without that text is passed at no cost; a
/// body that is not JSON is left for the reader to refuse.
///
/// # Errors
/// `validation-failed` with one error per field holding a NUL.
pub fn check_json(body: &[u8]) -> Result<(), ApiError> {
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return Ok(()) };
    let mut fields = Vec::new();
    collect(&value, "", &mut fields);
    fields.sort();
    if fields.is_empty() {
        return Ok(());
    }
    let detail = format!("{}: {MESSAGE}", fields.join(", "));
    let errors = fields.into_iter().map(|field| FieldError { field, message: MESSAGE.to_owned() }).collect();
    Err(ApiError::Unprocessable { detail, errors })
}

/// Appends to `out` the path (`reason`, `changes[0].name`) of every string under `value` at
/// `path` that holds a NUL; a key holding one counts as its field.
fn collect(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.contains('\0') => {
            out.push(if path.is_empty() { "body".to_owned() } else { path.to_owned() })
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let name = visible(key);
                let at = if path.is_empty() { name } else { format!("{path}.{name}") };
                if key.contains('\0') {
                    out.push(at);
                } else {
                    collect(item, &at, out);
                }
            }
        }
        _ => {}
    }
}

/// `name` with each NUL shown as `\0`, so the message naming it holds none.
fn visible(name: &str) -> String {
    name.replace('\0', "\\0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Unprocessable { errors, .. } => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_json_field_holding_a_nul_is_named() {
        let body = br#"{"user":"a\u0000b","changes":[{"name":"ok"},{"name":"x\u0000"}],"k\u0000":1}"#;
        let named = fields(check_json(body).unwrap_err());
        assert_eq!(named, ["changes[1].name", "k\\0", "user"]);
        assert!(check_json(br#"{"user":"alice"}"#).is_ok());
        assert!(check_json(br#""\u0000""#).is_err());
    }

    #[test]
    fn an_escaped_backslash_before_u0000_is_not_a_nul() {
        assert!(check_json(br#"{"note":"C:\\u0000"}"#).is_ok());
    }

    #[test]
    fn a_body_that_is_not_json_is_left_to_the_reader() {
        assert!(check_json(b"{\"a\":\"\\u0000\"").is_ok());
    }

    #[test]
    fn path_and_query_parameters_with_a_nul_are_a_400_naming_them() {
        let err = check_path([("id", "ok"), ("user", "al\0ice")]).unwrap_err();
        assert!(matches!(&err, ApiError::BadRequest(m) if m.contains("{user}")), "{err:?}");
        assert!(check_path([("user", "alice")]).is_ok());
        let err = check_query([("q", "x\0")]).unwrap_err();
        assert!(matches!(&err, ApiError::BadRequest(m) if m.contains("query parameter q")), "{err:?}");
        assert!(check_query([("q\0", "x")]).is_err());
        assert!(check_query([("q", "x")]).is_ok());
    }
}
