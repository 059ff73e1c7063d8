//! Reading changes from a request: each is parsed on its own so that every bad one is reported,
//! by its kind's own type so that an error names the field (`amount_pence`, `from`), and every
//! text field is bounded.

use serde_json::{Map, Value};

use postroom_domain::ChangeKind;

use super::Change;
use crate::input::{self, MAX_CODE, MAX_EMAIL, MAX_NAME, MAX_TEXT, clip};

/// A change that could not be parsed, where it is in the request and which field is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("changes[{index}]: {message}")]
pub struct ChangeError {
    pub index: usize,
    /// The field within the change, e.g. `amount_pence` or `advice.code`, when one is wrong.
    pub field: Option<String>,
    /// What is wrong and what is allowed, naming the field (`amount_pence: must be …`).
    pub message: String,
}

impl ChangeError {
    fn new(index: usize, field: &str, problem: &str) -> Self {
        Self { index, field: Some(field.to_owned()), message: format!("{field}: {problem}") }
    }

    /// What is wrong without the field's name, for a message shown beside [`ChangeError::path`]
    /// (`must be a whole number of pence, …`).
    #[must_use]
    pub fn problem(&self) -> &str {
        self.field
            .as_deref()
            .and_then(|f| self.message.strip_prefix(f))
            .and_then(|rest| rest.strip_prefix(": "))
            .unwrap_or(&self.message)
    }

    /// Where it is in the request: `changes[0].amount_pence`, or `changes[0]` for the whole change.
    #[must_use]
    pub fn path(&self) -> String {
        match &self.field {
            Some(field) => format!("changes[{}].{field}", self.index),
            None => format!("changes[{}]", self.index),
        }
    }
}

/// Parses each change on its own: a malformed one (not an object, no or an unknown kind, a
/// missing, unknown or ill-typed field, text too long) becomes an error naming its position and
/// field, and the others still parse.
#[must_use]
pub fn parse_each(values: &[Value]) -> Vec<Result<Change, ChangeError>> {
    values.iter().enumerate().map(|(index, value)| parse_one(index, value)).collect()
}

/// Parses every change, or reports each one that is malformed with its position.
///
/// # Errors
/// Every malformed change.
pub fn parse_changes(values: &[Value]) -> Result<Vec<Change>, Vec<ChangeError>> {
    let (ok, bad): (Vec<_>, Vec<_>) = parse_each(values).into_iter().partition(Result::is_ok);
    if bad.is_empty() {
        Ok(ok.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(bad.into_iter().filter_map(Result::err).collect())
    }
}

fn parse_one(index: usize, value: &Value) -> Result<Change, ChangeError> {
    let Some(object) = value.as_object() else {
        return Err(ChangeError {
            index,
            field: None,
            message: format!("each change must be an object with a \"kind\" (one of {})", ChangeKind::NAMES),
        });
    };
    let kind = match object.get("kind") {
        None => return Err(ChangeError::new(index, "kind", &format!("required; one of {}", ChangeKind::NAMES))),
        Some(Value::String(kind)) => kind.parse::<ChangeKind>().map_err(|_| {
            let problem = format!("{:?} is not a kind of account change; use one of {}", clip(kind), ChangeKind::NAMES);
            ChangeError::new(index, "kind", &problem)
        })?,
        Some(other) => {
            let problem = format!("must be a string, one of {}, not {}", ChangeKind::NAMES, clip(&other.to_string()));
            return Err(ChangeError::new(index, "kind", &problem));
        }
    };
    let mut fields = object.clone();
    fields.remove("kind");
    let change = of_kind(kind, Value::Object(fields)).map_err(|p| ChangeError::new(index, &p.field, &p.message))?;
    if let Ok(Value::Object(shown)) = serde_json::to_value(&change)
        && let Some((field, problem)) = too_long(&shown, "")
    {
        return Err(ChangeError::new(index, &field, &problem));
    }
    Ok(change)
}

/// Reads the fields of a change of `kind` as that kind's type.
fn of_kind(kind: ChangeKind, fields: Value) -> Result<Change, input::FieldProblem> {
    macro_rules! kinds {
        ($($kind:ident),+ $(,)?) => {
            match kind {
                $(ChangeKind::$kind => input::from_value(fields).map(Change::$kind),)+
            }
        };
    }
    kinds!(
        Note,
        MoveIn,
        MoveOut,
        NameContactUpdate,
        DiscountGrant,
        DiscountEnd,
        ExemptionGrant,
        ExemptionEnd,
        Premium,
        PremiumEnd,
        PremiumException,
        PremiumExceptionEnd,
        DisabledBandReduction,
        DisabledBandReductionEnd,
        ReliefGrant,
        ReliefEnd,
        BandChange,
        RateableValueChange,
        DirectDebitSetup,
        DirectDebitAmend,
        DirectDebitCancel,
        InstalmentPlan,
        PaymentArrangement,
        RecoveryHold,
        RecoveryRelease,
        RecoveryStage,
        VulnerabilityFlag,
        ThirdPartyAuthority,
        ThirdPartyAuthorityEnd,
        Refund,
        WriteOff,
    )
}

/// The longest a text field of a change may be, by its name: notes, reasons and addresses
/// [`MAX_TEXT`]; email addresses [`MAX_EMAIL`]; references, codes and numbers [`MAX_CODE`];
/// names and anything else [`MAX_NAME`].
#[must_use]
pub fn max_chars(field: &str) -> usize {
    match field {
        "text" | "reason" | "postal_address" | "forwarding_address" | "feature" => MAX_TEXT,
        "email" => MAX_EMAIL,
        "account" | "reference" | "sort_code" | "account_number" | "code" | "phone" => MAX_CODE,
        _ => MAX_NAME,
    }
}

/// The first text field (at any depth) longer than [`max_chars`] allows, and why.
fn too_long(object: &Map<String, Value>, prefix: &str) -> Option<(String, String)> {
    object.iter().find_map(|(name, value)| {
        let path = format!("{prefix}{name}");
        match value {
            Value::String(text) => {
                let (max, chars) = (max_chars(name), text.chars().count());
                (chars > max).then(|| (path, format!("must be at most {max} characters (this has {chars})")))
            }
            Value::Object(inner) => too_long(inner, &format!("{path}.")),
            _ => None,
        }
    })
}
