//! The Bacs vocabulary Direct Debit changes use (`domain.md` §4): the ADDACS, ARUDD and AUDDIS
//! reason codes and what each means for the instruction, and the rules for references, sort
//! codes and account numbers.

use serde::{Deserialize, Serialize};

/// Which Bacs report an advice came on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BacsReport {
    /// Amendments and cancellations from the paying bank.
    Addacs,
    /// Unpaid Direct Debits.
    Arudd,
    /// Instructions that were not set up.
    Auddis,
}

/// The report and reason code a change acts on, e.g. ADDACS 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacsAdvice {
    pub report: BacsReport,
    pub code: String,
}

impl BacsReport {
    /// The report's name as Bacs writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Addacs => "ADDACS",
            Self::Arudd => "ARUDD",
            Self::Auddis => "AUDDIS",
        }
    }

    fn codes(self) -> &'static [ReasonCode] {
        match self {
            Self::Addacs => ADDACS,
            Self::Arudd => ARUDD,
            Self::Auddis => AUDDIS,
        }
    }
}

/// What a reason code means for the instruction (`domain.md` §4.2–§4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// The instruction no longer exists: stop collecting (`direct_debit_cancel`, nothing to lodge).
    Gone,
    /// ADDACS 3, the account moved to another bank: continue on the new details with a new 0N
    /// (never 0C to the old bank), or suspend until a new instruction is given.
    Transferred,
    /// The bank changed the details: update them and continue, no 0C/0N pair.
    Continue,
    /// Do not collect until resolved.
    Suspend,
    /// ADDACS R: the paying bank reinstated the instruction.
    Reinstate,
    /// An unpaid collection that leaves the instruction in place.
    Unpaid,
    /// AUDDIS: the instruction was not set up; correct it and lodge a new 0N (`reference`: the
    /// problem is the reference, which may then be replaced).
    Rejected { reference: bool },
}

/// A reason code on one report: as Bacs writes it, what it means, and its effect.
pub(super) struct ReasonCode {
    pub(super) code: &'static str,
    pub(super) meaning: &'static str,
    pub(super) effect: Effect,
}

const fn rc(code: &'static str, meaning: &'static str, effect: Effect) -> ReasonCode {
    ReasonCode { code, meaning, effect }
}

const FIX: Effect = Effect::Rejected { reference: false };
pub(super) const FIX_REFERENCE: Effect = Effect::Rejected { reference: true };

const ADDACS: &[ReasonCode] = &[
    rc("0", "instruction cancelled by the paying bank: refer to payer", Effect::Gone),
    rc("1", "instruction cancelled by payer", Effect::Gone),
    rc("2", "payer deceased", Effect::Gone),
    rc("3", "account transferred to a new bank or building society", Effect::Transferred),
    rc("B", "account closed", Effect::Gone),
    rc("C", "account transferred to a different branch", Effect::Continue),
    rc("D", "advance notice disputed", Effect::Suspend),
    rc("E", "instruction amended", Effect::Continue),
    rc("R", "instruction re-instated by the paying bank", Effect::Reinstate),
];

const ARUDD: &[ReasonCode] = &[
    rc("0", "refer to payer", Effect::Unpaid),
    rc("1", "instruction cancelled", Effect::Gone),
    rc("2", "payer deceased", Effect::Gone),
    rc("3", "account transferred", Effect::Suspend),
    rc("4", "advance notice disputed", Effect::Suspend),
    rc("5", "no account", Effect::Unpaid),
    rc("6", "no instruction", Effect::Unpaid),
    rc("7", "amount differs", Effect::Unpaid),
    rc("8", "amount not yet due", Effect::Unpaid),
    rc("9", "presentation overdue", Effect::Unpaid),
    rc("A", "service user differs", Effect::Unpaid),
    rc("B", "account closed", Effect::Gone),
];

const AUDDIS: &[ReasonCode] = &[
    rc("1", "instruction cancelled by payer", Effect::Gone),
    rc("2", "payer deceased", Effect::Gone),
    rc("3", "account transferred", Effect::Gone),
    rc("5", "no account", FIX),
    rc("6", "no instruction", FIX),
    rc("7", "DDI amount not zero", FIX),
    rc("B", "account closed", Effect::Gone),
    rc("C", "account transferred to a different branch", Effect::Continue),
    rc("F", "invalid account type", Effect::Gone),
    rc("G", "bank will not accept Direct Debits on the account", Effect::Gone),
    rc("H", "instruction expired", FIX),
    rc("I", "payer reference not unique", FIX_REFERENCE),
    rc("K", "instruction cancelled by the bank", Effect::Gone),
    rc("L", "incorrect payer's account details", FIX),
    rc("M", "transaction code / user status incompatible", FIX),
    rc("N", "transaction disallowed at payer's branch", Effect::Gone),
    rc("O", "invalid reference", FIX_REFERENCE),
    rc("P", "payer's name not present", FIX),
    rc("Q", "service user name blank", FIX),
];

impl BacsAdvice {
    /// How it reads in a message: `ADDACS 3`.
    pub(super) fn name(&self) -> String {
        format!("{} {}", self.report.as_str(), self.code.trim().to_uppercase())
    }

    /// The reason code on its report, or why there is none.
    pub(super) fn reason(&self) -> Result<&'static ReasonCode, String> {
        let code = self.code.trim().to_uppercase();
        let codes = self.report.codes();
        codes.iter().find(|c| c.code == code).ok_or_else(|| {
            let valid: Vec<&str> = codes.iter().map(|c| c.code).collect();
            format!("{} has no reason code {:?}: valid codes are {}", self.report.as_str(), self.code, valid.join(", "))
        })
    }
}

/// A sort code as six digits, from `12-34-56`, `12 34 56` or `123456`.
///
/// # Errors
/// A message naming `sort_code` when it is not six digits.
pub fn normalise_sort_code(sort_code: &str) -> Result<String, String> {
    let digits: String = sort_code.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(format!("sort_code {sort_code:?} must be 6 digits (e.g. 12-34-56)"))
    }
}

pub(super) fn account_number_ok(account_number: &str) -> Result<(), String> {
    if account_number.len() == 8 && account_number.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("account_number must be 8 digits (got {} characters)", account_number.chars().count()))
    }
}

/// What is wrong with a DDI core reference under the Bacs rules (`domain.md` §4.1), if anything:
/// 6–18 characters of `A–Z 0–9 space - . & /`, starting with a letter or digit, not ending in a
/// space, at least 6 letters or digits, not all one character, not starting `DDIC`.
#[must_use]
pub fn bacs_reference_problem(reference: &str) -> Option<String> {
    let n = reference.chars().count();
    let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '&' | '/');
    let problem = if !(6..=18).contains(&n) {
        "must be 6 to 18 characters"
    } else if !reference.chars().all(allowed) {
        "may hold only capital letters A–Z, digits, spaces and - . & /"
    } else if !reference.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        "must start with a letter or digit"
    } else if reference.ends_with(' ') {
        "must not end in a space"
    } else if reference.chars().filter(char::is_ascii_alphanumeric).count() < 6 {
        "needs at least 6 letters or digits"
    } else if reference.chars().all(|c| reference.starts_with(c)) {
        "must not be all one character"
    } else if reference.starts_with("DDIC") {
        "must not start with DDIC"
    } else {
        return None;
    };
    Some(format!("Direct Debit reference {reference:?} {problem}"))
}
