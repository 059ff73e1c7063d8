//! Serde's complaints about JSON input turned into messages that name the field and say what is
//! allowed (`bring_forward_on`: "required"; `changes[0].from`: "must be a date as YYYY-MM-DD"),
//! and the limits on free text. Shared by the API's JSON extractor and the parsing of account
//! changes, so every body is refused the same way.

use serde::de::DeserializeOwned;

/// Longest note, reason or address kept, in characters.
pub const MAX_TEXT: usize = 10_000;
/// Longest name (of a party, third party or relationship) kept, in characters.
pub const MAX_NAME: usize = 200;
/// Longest email address (RFC 5321's limit on a forward path).
pub const MAX_EMAIL: usize = 254;
/// Longest reference, code, sort code, account number or phone number, in characters.
pub const MAX_CODE: usize = 64;

/// Most characters of the caller's own input repeated back in a message.
const ECHO: usize = 60;

/// One field that is missing, unknown or of the wrong shape, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Where, as a path: `bring_forward_on`, `reply.template`, `changes[0].amount_pence`; empty
    /// for the body as a whole.
    pub field: String,
    /// What is wrong and what is allowed, without the field's name (e.g. "required").
    pub message: String,
}

/// Why a JSON body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyProblem {
    /// Not JSON (a syntax error, or the body ends early): where reading stopped.
    Syntax { line: usize, column: usize, message: String },
    /// JSON, but not of the shape asked for.
    Field(FieldProblem),
}

/// Reads a JSON body as `T`.
///
/// # Errors
/// Where the body is not JSON, or the first field that is missing, unknown or of the wrong shape.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyProblem> {
    let syntax = |e: &serde_json::Error| BodyProblem::Syntax {
        line: e.line(),
        column: e.column(),
        message: without_position(e),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            syntax(inner)
        } else {
            BodyProblem::Field(describe(&e.path().to_string(), inner))
        }
    })?;
    de.end().map_err(|e| syntax(&e))?;
    Ok(value)
}

/// Reads a JSON value as `T`.
///
/// # Errors
/// The first field that is missing, unknown or of the wrong shape.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, FieldProblem> {
    serde_path_to_error::deserialize(value).map_err(|e| describe(&e.path().to_string(), e.inner()))
}

/// What `error`, met at `path` (as `serde_path_to_error` shows it), says is wrong.
#[must_use]
pub fn describe(path: &str, error: &serde_json::Error) -> FieldProblem {
    let path = if path == "." { "" } else { path };
    let text = without_position(error);
    let at = |name: &str| {
        if path.is_empty() || path == name || path.ends_with(&format!(".{name}")) {
            if path.is_empty() { name.to_owned() } else { path.to_owned() }
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = quoted(&text, "missing field `") {
        return FieldProblem { field: at(&name), message: "required".to_owned() };
    }
    if let Some(name) = quoted(&text, "unknown field `") {
        let message = match allowed(&text) {
            Some(list) => format!("unknown field; accepted fields: {list}"),
            None => "unknown field; none is accepted here".to_owned(),
        };
        return FieldProblem { field: at(&name), message };
    }
    let field = path.to_owned();
    if let Some(value) = quoted(&text, "unknown variant `") {
        let message = match allowed(&text) {
            Some(list) => format!("must be one of {list}, not {:?}", clip(&value)),
            None => format!("{:?} is not allowed", clip(&value)),
        };
        return FieldProblem { field, message };
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((got, expected)) = text.strip_prefix(prefix).and_then(|rest| rest.rsplit_once(", expected ")) {
            let message = format!("must be {}, not {}", expected_as(&field, expected), clip(got));
            return FieldProblem { field, message };
        }
    }
    if let Some(rest) = text.strip_prefix("invalid length ")
        && let Some((_, expected)) = rest.split_once(", expected ")
    {
        let message = if expected.starts_with("struct ") {
            "must be an object, not a list".to_owned()
        } else {
            format!("must have {expected}")
        };
        return FieldProblem { field, message };
    }
    if CHRONO_ERRORS.contains(&text.as_str()) {
        let message = format!("must be {}", date_format(last_segment(&field)));
        return FieldProblem { field, message };
    }
    // A type's own message (e.g. "not a current exemption class"), kept whole unless it repeats
    // a long input.
    FieldProblem { field, message: clip_to(&text, MESSAGE) }
}

/// Most characters of a message kept from a type's own error.
const MESSAGE: usize = 400;

/// What chrono says of a date or time it cannot read (it does not say which it wanted).
const CHRONO_ERRORS: [&str; 7] = [
    "input is out of range",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "no possible date and time matching input",
    "input is not enough for unique date and time",
    "bad or unsupported format string",
];

/// Why `text`, of at most `max` characters, is not acceptable as a free-text field, if it is not.
#[must_use]
pub fn text_problem(text: &str, max: usize) -> Option<String> {
    if text.trim().is_empty() {
        return Some("must not be empty".to_owned());
    }
    let chars = text.chars().count();
    (chars > max).then(|| format!("must be at most {max} characters (this has {chars})"))
}

/// What serde's `expected` reads as to someone writing JSON: ranges for whole numbers, the date
/// and time formats, "pence" for money.
fn expected_as(field: &str, expected: &str) -> String {
    if last_segment(field).ends_with("_pence") && is_integer(expected) {
        return "a whole number of pence, e.g. 12050 for £120.50".to_owned();
    }
    match expected {
        "i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize" => {
            format!("a whole number from {}", integer_range(expected))
        }
        "f32" | "f64" => "a number".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "a sequence" => "a list".to_owned(),
        "a map" => "an object".to_owned(),
        s if s.starts_with("struct ") => "an object".to_owned(),
        "a formatted date string" => DATE_FORMAT.to_owned(),
        "a formatted date and time string" | "an RFC 3339 formatted date and time string" => TIME_FORMAT.to_owned(),
        s if s.contains("UUID") => "a UUID (e.g. 0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b)".to_owned(),
        other => other.replace('`', ""),
    }
}

/// How a date is written.
const DATE_FORMAT: &str = "a date as YYYY-MM-DD (e.g. 2026-04-01)";
/// How a date and time is written.
const TIME_FORMAT: &str = "a date and time as RFC 3339 (e.g. 2026-04-01T09:30:00Z)";

/// A date field's format, from its name where chrono does not say which it wanted: `*_at` fields
/// are times, the rest dates.
fn date_format(name: &str) -> &'static str {
    if name.ends_with("_at") { TIME_FORMAT } else { DATE_FORMAT }
}

/// The field's own name: `amount_pence` of `changes[0].amount_pence`.
fn last_segment(path: &str) -> &str {
    path.rsplit(['.', ']']).next().unwrap_or(path)
}

fn is_integer(expected: &str) -> bool {
    matches!(expected, "i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize")
}

fn integer_range(ty: &str) -> String {
    let (lo, hi): (i128, i128) = match ty {
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    };
    format!("{lo} to {hi}")
}

/// serde_json's message without its " at line 1 column 48".
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix).map_or(text.clone(), str::to_owned)
}

/// The text between `prefix` (ending in a backtick) and the next backtick, if `text` starts so.
fn quoted(text: &str, prefix: &str) -> Option<String> {
    text.strip_prefix(prefix).and_then(|rest| rest.split_once('`')).map(|(name, _)| name.to_owned())
}

/// The names serde lists after "expected" (`one of \`a\`, \`b\`` or `\`a\``), comma-separated.
fn allowed(text: &str) -> Option<String> {
    let (_, list) = text.split_once("expected ")?;
    let names: Vec<&str> = list
        .trim_start_matches("one of ")
        .split(", ")
        .flat_map(|n| n.split(" or "))
        .map(|n| n.trim_matches('`'))
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// At most [`ECHO`] characters of the caller's input.
#[must_use]
pub fn clip(text: &str) -> String {
    clip_to(text, ECHO)
}

fn clip_to(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only read by serde")]
    struct Pend {
        bring_forward_on: chrono::NaiveDate,
        reason: Option<String>,
        due_at: Option<chrono::DateTime<chrono::Utc>>,
        version: Option<i32>,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only read by serde")]
    struct Inner {
        template: String,
    }

    #[track_caller]
    fn field(body: &str) -> FieldProblem {
        match from_slice::<Pend>(body.as_bytes()) {
            Err(BodyProblem::Field(p)) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named_and_required() {
        let p = field(r#"{"reason": "waiting for the tenancy agreement"}"#);
        assert_eq!(p, FieldProblem { field: "bring_forward_on".into(), message: "required".into() });
        let p = field(r#"{"bring_forward_on": "2026-12-01", "inner": {}}"#);
        assert_eq!(p, FieldProblem { field: "inner.template".into(), message: "required".into() });
    }

    #[test]
    fn an_unknown_field_is_named_with_the_accepted_ones() {
        let p = field(r#"{"bring_forward_on": "2026-12-01", "colour": "red"}"#);
        assert_eq!(p.field, "colour");
        assert_eq!(p.message, "unknown field; accepted fields: bring_forward_on, reason, due_at, version, inner");
        let p = field(r#"{"bring_forward_on": "2026-12-01", "inner": {"template": "t", "x": 1}}"#);
        assert_eq!(p.field, "inner.x");
        assert_eq!(p.message, "unknown field; accepted fields: template");
    }

    #[test]
    fn a_wrong_type_names_the_field_and_the_type_wanted() {
        let p = field(r#"{"bring_forward_on": "2026-12-01", "version": "3"}"#);
        assert_eq!(p.field, "version");
        assert_eq!(p.message, "must be a whole number from -2147483648 to 2147483647, not string \"3\"");
        let p = field(r#"{"bring_forward_on": "2026-13-01"}"#);
        assert_eq!(p, FieldProblem { field: "bring_forward_on".into(), message: format!("must be {DATE_FORMAT}") });
        let p = field(r#"{"bring_forward_on": "2026-12-01", "due_at": "soon"}"#);
        assert_eq!(p, FieldProblem { field: "due_at".into(), message: format!("must be {TIME_FORMAT}") });
        let p = field(r#"{"bring_forward_on": "2026-12-01", "reason": 5}"#);
        assert_eq!(p.message, "must be a string, not integer `5`");
        let p = field(r#"[]"#);
        assert_eq!(p, FieldProblem { field: String::new(), message: "must be an object, not a list".into() });
        let p = field(r#""pend""#);
        assert_eq!(p, FieldProblem { field: String::new(), message: "must be an object, not string \"pend\"".into() });
    }

    #[test]
    fn a_syntax_error_says_where() {
        for (body, line, column) in [
            ("{\n  \"reason\": \"x\",,\n}", 2, 17),
            ("{\"reason\": ", 1, 11),
            ("{\"bring_forward_on\": \"2026-12-01\"} {}", 1, 36),
        ] {
            match from_slice::<Pend>(body.as_bytes()) {
                Err(BodyProblem::Syntax { line: l, column: c, message }) => {
                    assert_eq!((l, c), (line, column), "{body}: {message}");
                    assert!(!message.contains(" at line "), "{message}");
                }
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn free_text_is_neither_blank_nor_too_long() {
        assert_eq!(text_problem(" ", 5).as_deref(), Some("must not be empty"));
        assert_eq!(text_problem("abcdef", 5).as_deref(), Some("must be at most 5 characters (this has 6)"));
        assert_eq!(text_problem("abcde", 5), None);
        assert_eq!(clip(&"é".repeat(100)).chars().count(), ECHO + 1);
    }
}
