//! Direct Debit instructions (`domain.md` §4): set-up with the Bacs reference rules, amendment
//! and cancellation, and the ADDACS, ARUDD and AUDDIS reports that drive them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::MAX_TEXT;
use super::bacs::{
    BacsAdvice, Effect, FIX_REFERENCE, ReasonCode, account_number_ok, bacs_reference_problem, normalise_sort_code,
};
use super::rules::{Rule, text_ok};
use crate::state::{AccountState, Context, Mandate, MandateStatus};

/// A new Direct Debit instruction. Lodged with AUDDIS as `0N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectDebitSetup {
    pub account: String,
    pub payer_name: String,
    /// Six digits (dashes and spaces allowed).
    pub sort_code: String,
    /// Eight digits.
    pub account_number: String,
    /// The DDI reference; made from the account reference when absent.
    pub reference: Option<String>,
    /// Day of the month to collect, 1–28.
    pub collection_day: u32,
    /// The first collection: at least 10 working days' advance notice from today.
    pub first_collection: NaiveDate,
}

/// A change to the instruction: new bank details, a new collection day, or what a Bacs advice
/// says to do (suspend, reinstate, continue on new details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectDebitAmend {
    pub account: String,
    pub payer_name: Option<String>,
    pub sort_code: Option<String>,
    pub account_number: Option<String>,
    pub collection_day: Option<u32>,
    /// The first collection on the changed terms (10 working days' notice) when the amount,
    /// date or bank changes.
    pub next_collection: Option<NaiveDate>,
    /// A replacement DDI reference: only on an AUDDIS I (reference not unique) or O (invalid
    /// reference) rejection; a lodged reference is never amended.
    pub reference: Option<String>,
    pub advice: Option<BacsAdvice>,
}

/// The instruction ends. Lodged as `0C` unless the bank already cancelled it (or, for ADDACS
/// 3, the account moved: never `0C` to the old bank).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectDebitCancel {
    pub account: String,
    pub reason: String,
    pub advice: Option<BacsAdvice>,
}

/// Working days' advance notice before the first collection or a changed one (`domain.md` §4.1).
pub const ADVANCE_NOTICE_WORKING_DAYS: u32 = 10;
/// What a DDI reference made from the account reference starts with.
pub const REFERENCE_PREFIX: &str = "PR";
/// The latest day of the month a collection may fall on.
const MAX_COLLECTION_DAY: u32 = 28;
/// The longest payer name Bacs carries.
const MAX_PAYER_NAME: usize = 18;
/// AUDDIS: a new instruction.
const NEW: &str = "0N";
/// AUDDIS: a cancellation.
const CANCEL: &str = "0C";

fn payer_name_ok(name: &str, errors: &mut Vec<String>) {
    text_ok("payer_name", name, MAX_PAYER_NAME, errors);
}

fn collection_day_ok(day: u32, errors: &mut Vec<String>) {
    if !(1..=MAX_COLLECTION_DAY).contains(&day) {
        errors.push(format!("collection_day must be 1 to {MAX_COLLECTION_DAY}, not {day}"));
    }
}

/// Checks a collection gives the advance notice and falls on the collection day.
fn collection_ok(field: &str, on: NaiveDate, day: u32, ctx: Context<'_>, errors: &mut Vec<String>) {
    // Banking days (the Direct Debit Guarantee): weekends and bank holidays, not closure days.
    let earliest = ctx.calendar.statutory().add_working_days(ctx.today, ADVANCE_NOTICE_WORKING_DAYS);
    if on < earliest {
        errors.push(format!(
            "{field} must give {ADVANCE_NOTICE_WORKING_DAYS} working days' advance notice: on or after {earliest}"
        ));
    }
    if on.day() != day {
        errors.push(format!("{field} {on} is not on collection_day {day}"));
    }
}

impl DirectDebitSetup {
    fn reference(&self, state: &AccountState) -> String {
        self.reference.clone().unwrap_or_else(|| format!("{REFERENCE_PREFIX}{}", state.reference))
    }
}

impl Rule for DirectDebitSetup {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        payer_name_ok(&self.payer_name, errors);
        if let Err(e) = normalise_sort_code(&self.sort_code) {
            errors.push(e);
        }
        if let Err(e) = account_number_ok(&self.account_number) {
            errors.push(e);
        }
        if let Some(problem) = bacs_reference_problem(&self.reference(state)) {
            match self.reference {
                Some(_) => errors.push(format!("reference: {problem}")),
                None => errors.push(format!(
                    "the reference made from the account reference: {problem}; give a reference that passes the \
                     Bacs rules"
                )),
            }
        }
        collection_day_ok(self.collection_day, errors);
        collection_ok("first_collection", self.first_collection, self.collection_day, ctx, errors);
        match &state.mandate {
            Some(m) if m.status != MandateStatus::Cancelled => errors.push(format!(
                "account {} already has a {} Direct Debit (reference {}): use direct_debit_amend",
                state.reference,
                m.status.as_str(),
                m.reference
            )),
            Some(m) if m.lodge.iter().any(|l| l == CANCEL) => errors.push(format!(
                "the cancellation (0C) of the previous Direct Debit (reference {}) has not been lodged yet: set up \
                 the new one once it has",
                m.reference
            )),
            _ => {}
        }
    }

    fn apply(&self, state: &mut AccountState) {
        state.mandate = Some(Mandate {
            reference: self.reference(state),
            payer_name: self.payer_name.trim().to_owned(),
            sort_code: normalise_sort_code(&self.sort_code).unwrap_or_else(|_| self.sort_code.clone()),
            account_number: self.account_number.clone(),
            collection_day: self.collection_day,
            status: MandateStatus::Pending,
            lodge: vec![NEW.to_owned()],
        });
    }
}

/// The fields of an amendment that were given, by name.
fn given(c: &DirectDebitAmend) -> Vec<&'static str> {
    [
        ("payer_name", c.payer_name.is_some()),
        ("sort_code", c.sort_code.is_some()),
        ("account_number", c.account_number.is_some()),
        ("collection_day", c.collection_day.is_some()),
        ("next_collection", c.next_collection.is_some()),
        ("reference", c.reference.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, is)| is.then_some(name))
    .collect()
}

/// The fields an advice's effect accepts alongside it.
fn accepted(effect: Effect) -> &'static [&'static str] {
    match effect {
        Effect::Transferred => &["payer_name", "sort_code", "account_number", "collection_day", "next_collection"],
        Effect::Continue => &["payer_name", "sort_code", "account_number"],
        Effect::Reinstate => &["next_collection"],
        Effect::Rejected { .. } => {
            &["payer_name", "sort_code", "account_number", "collection_day", "next_collection", "reference"]
        }
        Effect::Gone | Effect::Suspend | Effect::Unpaid => &[],
    }
}

/// What an amendment changes on a mandate.
struct Amendment {
    /// New sort code or account number.
    bank: bool,
    /// New collection day.
    day: bool,
    /// Anything new at all (bank details, collection day, payer name or reference).
    any: bool,
}

impl DirectDebitAmend {
    fn changes(&self, m: &Mandate) -> Amendment {
        let sort_code = self.sort_code.as_deref().map(|s| normalise_sort_code(s).unwrap_or_else(|_| s.to_owned()));
        let bank = sort_code.is_some_and(|s| s != m.sort_code)
            || self.account_number.as_ref().is_some_and(|a| *a != m.account_number);
        let day = self.collection_day.is_some_and(|d| d != m.collection_day);
        let name = self.payer_name.as_ref().is_some_and(|n| n.trim() != m.payer_name);
        Amendment { bank, day, any: bank || day || name || self.new_reference(m) }
    }

    /// Whether it gives a reference other than the mandate's.
    fn new_reference(&self, m: &Mandate) -> bool {
        self.reference.as_ref().is_some_and(|r| *r != m.reference)
    }

    /// The advice's reason code, when there is an advice and the code exists.
    fn reason(&self) -> Option<&'static ReasonCode> {
        self.advice.as_ref().and_then(|a| a.reason().ok())
    }

    fn fields_ok(&self, m: &Mandate, ctx: Context<'_>, errors: &mut Vec<String>) {
        if let Some(name) = &self.payer_name {
            payer_name_ok(name, errors);
        }
        if let Some(Err(e)) = self.sort_code.as_deref().map(normalise_sort_code) {
            errors.push(e);
        }
        if let Some(Err(e)) = self.account_number.as_deref().map(account_number_ok) {
            errors.push(e);
        }
        if let Some(day) = self.collection_day {
            collection_day_ok(day, errors);
        }
        let day = self.collection_day.unwrap_or(m.collection_day);
        match self.next_collection {
            Some(next) => collection_ok("next_collection", next, day, ctx, errors),
            None if self.changes(m).day => errors.push(format!(
                "a new collection_day needs next_collection, the first collection on day {day} \
                 ({ADVANCE_NOTICE_WORKING_DAYS} working days' advance notice)"
            )),
            None => {}
        }
        let may_replace_reference = matches!(self.reason(), Some(r) if r.effect == FIX_REFERENCE);
        match &self.reference {
            Some(_) if !may_replace_reference => errors.push(
                "the Direct Debit reference cannot be amended once lodged (Bacs): only an AUDDIS I or O rejection \
                 lets it be replaced"
                    .to_owned(),
            ),
            Some(r) if *r == m.reference => {
                errors.push(format!("reference {r:?} is the one AUDDIS rejected: give a new reference"));
            }
            Some(r) => {
                if let Some(problem) = bacs_reference_problem(r) {
                    errors.push(format!("reference: {problem}"));
                }
            }
            None => {}
        }
    }

    fn advice_ok(&self, advice: &BacsAdvice, m: &Mandate, errors: &mut Vec<String>) {
        let reason = match advice.reason() {
            Ok(reason) => reason,
            Err(e) => return errors.push(e),
        };
        let name = advice.name();
        let extra: Vec<&str> = given(self).into_iter().filter(|f| !accepted(reason.effect).contains(f)).collect();
        match reason.effect {
            Effect::Gone => {
                return errors.push(format!(
                    "{name} means the instruction was cancelled ({}): use direct_debit_cancel",
                    reason.meaning
                ));
            }
            Effect::Reinstate if !matches!(m.status, MandateStatus::Suspended | MandateStatus::Cancelled) => {
                errors.push(format!(
                    "{name} reinstates a suspended or cancelled instruction: this one is {}",
                    m.status.as_str()
                ));
            }
            Effect::Transferred if self.sort_code.is_some() != self.account_number.is_some() => errors.push(format!(
                "{name} with new details needs both sort_code and account_number (or neither, to suspend until a \
                 new instruction is given)"
            )),
            Effect::Continue
                if self.sort_code.is_none() && self.account_number.is_none() && self.payer_name.is_none() =>
            {
                errors.push(format!(
                    "{name} ({}): give the new details from the advice (sort_code, account_number or payer_name)",
                    reason.meaning
                ));
            }
            _ => {}
        }
        if !extra.is_empty() {
            errors.push(format!("{name} ({}) takes no {}", reason.meaning, extra.join(", ")));
        }
    }
}

impl Rule for DirectDebitAmend {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        let Some(m) = &state.mandate else {
            return errors.push(format!("account {} has no Direct Debit to amend", state.reference));
        };
        let reinstating = matches!(self.reason(), Some(r) if r.effect == Effect::Reinstate);
        if m.status == MandateStatus::Cancelled && !reinstating {
            return errors.push(format!(
                "the Direct Debit (reference {}) is cancelled: use direct_debit_setup for a new instruction",
                m.reference
            ));
        }
        self.fields_ok(m, ctx, errors);
        if let Some(advice) = &self.advice {
            self.advice_ok(advice, m, errors);
        } else {
            let fields = given(self);
            let changes = self.changes(m);
            if fields.is_empty() {
                errors.push(
                    "give at least one of payer_name, sort_code, account_number, collection_day or \
                     next_collection (or the advice being acted on)"
                        .to_owned(),
                );
            } else if self.reference.is_none() && !changes.any && self.next_collection.is_none() {
                errors.push("nothing to change: the details given are the ones the Direct Debit has".to_owned());
            }
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let reason = self.reason();
        let Some(m) = state.mandate.as_mut() else { return };
        let changes = self.changes(m);
        let corrected = changes.any || self.next_collection.is_some();
        if let Some(name) = &self.payer_name {
            name.trim().clone_into(&mut m.payer_name);
        }
        if let Some(sort_code) = &self.sort_code {
            m.sort_code = normalise_sort_code(sort_code).unwrap_or_else(|_| sort_code.clone());
        }
        if let Some(account_number) = &self.account_number {
            account_number.clone_into(&mut m.account_number);
        }
        if let Some(day) = self.collection_day {
            m.collection_day = day;
        }
        if let Some(reference) = self.reference.as_ref().filter(|_| self.new_reference(m)) {
            reference.clone_into(&mut m.reference);
        }
        let lodge = |codes: &[&str]| codes.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        match reason.map(|r| r.effect) {
            None => match m.status {
                // Never set up: lodge it again with the corrections.
                MandateStatus::Rejected if corrected => {
                    m.status = MandateStatus::Pending;
                    m.lodge = lodge(&[NEW]);
                }
                // Not collecting, possibly because the account moved (ADDACS 3, ARUDD 3): never
                // 0C to the old bank.
                MandateStatus::Suspended if changes.bank => {
                    m.status = MandateStatus::Pending;
                    m.lodge = lodge(&[NEW]);
                }
                MandateStatus::Suspended if self.next_collection.is_some() => m.status = MandateStatus::Active,
                MandateStatus::Pending | MandateStatus::Active if changes.bank => {
                    // A 0N not yet lodged simply goes with the new details.
                    let lodged = !m.lodge.iter().any(|l| l == NEW);
                    m.status = MandateStatus::Pending;
                    m.lodge = if lodged { lodge(&[CANCEL, NEW]) } else { lodge(&[NEW]) };
                }
                _ => {}
            },
            Some(Effect::Transferred) if self.sort_code.is_some() => {
                m.status = MandateStatus::Pending;
                m.lodge = lodge(&[NEW]);
            }
            Some(Effect::Transferred | Effect::Suspend) => {
                m.status = MandateStatus::Suspended;
                if reason.is_some_and(|r| r.effect == Effect::Transferred) {
                    m.lodge = Vec::new();
                }
            }
            Some(Effect::Continue) => m.lodge = Vec::new(),
            Some(Effect::Reinstate) => {
                m.status = MandateStatus::Active;
                m.lodge.retain(|l| l != CANCEL);
            }
            Some(Effect::Rejected { .. }) if corrected => {
                m.status = MandateStatus::Pending;
                m.lodge = lodge(&[NEW]);
            }
            Some(Effect::Rejected { .. }) => {
                m.status = MandateStatus::Rejected;
                m.lodge = Vec::new();
            }
            Some(Effect::Gone | Effect::Unpaid) => {}
        }
    }
}

impl Rule for DirectDebitCancel {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        text_ok("reason", &self.reason, MAX_TEXT, errors);
        match &state.mandate {
            None => errors.push(format!("account {} has no Direct Debit to cancel", state.reference)),
            Some(m) if m.status == MandateStatus::Cancelled => {
                errors.push(format!("the Direct Debit (reference {}) is already cancelled", m.reference));
            }
            Some(_) => {}
        }
        if let Some(advice) = &self.advice {
            match advice.reason() {
                Err(e) => errors.push(e),
                Ok(r) if matches!(r.effect, Effect::Gone | Effect::Transferred) => {}
                Ok(r) => {
                    let action = match r.effect {
                        Effect::Continue => "use direct_debit_amend with the new details",
                        Effect::Suspend => "use direct_debit_amend with the advice to suspend collections",
                        Effect::Reinstate => "use direct_debit_amend with the advice to resume collections",
                        Effect::Rejected { .. } => "use direct_debit_amend with the advice and the corrections",
                        _ => {
                            "record it with direct_debit_amend; cancel without the advice if the Direct Debit is to end"
                        }
                    };
                    errors.push(format!("{} ({}) does not cancel the instruction: {action}", advice.name(), r.meaning));
                }
            }
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let Some(m) = state.mandate.as_mut() else { return };
        // A 0C still waiting (new bank details: 0C then 0N) must still reach the old bank.
        // Otherwise, never lodged (a bare 0N still waiting, or rejected by AUDDIS): there is
        // nothing to cancel.
        let cancel_waiting = m.lodge.iter().any(|l| l == CANCEL);
        let never_set_up = m.status == MandateStatus::Rejected || m.lodge.iter().any(|l| l == NEW);
        m.lodge = if cancel_waiting || (self.advice.is_none() && !never_set_up) {
            vec![CANCEL.to_owned()]
        } else {
            Vec::new()
        };
        m.status = MandateStatus::Cancelled;
    }
}
