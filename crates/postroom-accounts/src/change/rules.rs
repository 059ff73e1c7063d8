//! What every kind of change shares: the [`Rule`] each one implements, and the checks and date
//! arithmetic several of them use (text, contact details, periods, ending an adjustment).

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::state::{AccountState, Adjustment, Context};

use super::{MAX_TEXT, MoneyChange, NoteChange, VulnerabilityFlag};

pub use crate::input::MAX_NAME;

/// The validation and projection of one kind of change.
pub(crate) trait Rule {
    /// Pushes onto `errors` what is wrong with applying it to an account in `state`.
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>);

    /// Updates `state` as applying it will (see [`super::Change::project`] for what it may do).
    fn apply(&self, state: &mut AccountState);
}

impl Rule for NoteChange {
    fn check(&self, _: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        text_ok("text", &self.text, MAX_TEXT, errors);
    }

    fn apply(&self, _: &mut AccountState) {}
}

impl Rule for MoneyChange {
    fn check(&self, _: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        text_ok("reason", &self.reason, MAX_TEXT, errors);
        if self.amount_pence <= 0 {
            errors.push("amount_pence must be more than zero".to_owned());
        }
    }

    fn apply(&self, _: &mut AccountState) {}
}

impl Rule for VulnerabilityFlag {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        text_ok("reason", &self.reason, MAX_TEXT, errors);
        if self.vulnerable == state.vulnerable {
            let now = if state.vulnerable { "already" } else { "not" };
            errors.push(format!("account {} is {now} marked vulnerable", state.reference));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        state.vulnerable = self.vulnerable;
    }
}

/// Refuses blank text and text longer than `max` characters.
pub(crate) fn text_ok(field: &str, text: &str, max: usize, errors: &mut Vec<String>) {
    if text.trim().is_empty() {
        errors.push(format!("{field} must not be empty"));
    } else if text.chars().count() > max {
        errors.push(format!("{field} is longer than {max} characters"));
    }
}

/// Refuses optional text that is given but blank or too long.
pub(crate) fn optional_text_ok(field: &str, text: Option<&str>, max: usize, errors: &mut Vec<String>) {
    if let Some(text) = text {
        text_ok(field, text, max, errors);
    }
}

/// Whether `email` looks like an address: one `@` with something before it, and a domain with a
/// dot that neither starts nor ends it; no spaces.
#[must_use]
pub(crate) fn looks_like_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Fewest and most digits a phone number may have (UK numbers have 10 or 11; E.164 at most 15).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// Whether `phone` is digits and spaces, optionally after a leading `+`, with 7–15 digits.
#[must_use]
pub(crate) fn looks_like_phone(phone: &str) -> bool {
    let phone = phone.trim();
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    rest.chars().all(|c| c.is_ascii_digit() || c == ' ')
        && PHONE_DIGITS.contains(&rest.chars().filter(char::is_ascii_digit).count())
}

/// Checks an optional email and phone number.
pub(crate) fn contact_ok(email: Option<&str>, phone: Option<&str>, errors: &mut Vec<String>) {
    if let Some(email) = email.filter(|e| !looks_like_email(e)) {
        errors.push(format!("email {email:?} is not an email address (expected name@domain.example)"));
    }
    if let Some(phone) = phone.filter(|p| !looks_like_phone(p)) {
        errors.push(format!(
            "phone {phone:?} is not a phone number: use digits and spaces, optionally after a leading +, with {} to {} \
             digits",
            PHONE_DIGITS.start(),
            PHONE_DIGITS.end()
        ));
    }
}

/// Trimmed owned text.
pub(crate) fn tidy(text: Option<&str>) -> Option<String> {
    text.map(|t| t.trim().to_owned())
}

/// `day` plus `months` calendar months (clamped to the month's last day, e.g. 31 Jan + 1 month is
/// 28 or 29 Feb).
#[must_use]
pub(crate) fn add_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// The last day of a period of `months` months starting on `from` (e.g. 6 months from 1 April
/// end on 30 September).
#[must_use]
pub(crate) fn months_last_day(from: NaiveDate, months: u32) -> NaiveDate {
    let next = add_months(from, months);
    next.pred_opt().unwrap_or(next)
}

/// `day` plus `days` days.
#[must_use]
pub(crate) fn add_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX)
}

/// Whole years from `from` to `to` (0 when `to` is before the first anniversary).
#[must_use]
pub(crate) fn whole_years(from: NaiveDate, to: NaiveDate) -> u32 {
    let years = to.year() - from.year() - i32::from((to.month(), to.day()) < (from.month(), from.day()));
    u32::try_from(years).unwrap_or(0)
}

/// Refuses a period that ends before it starts, or starts more than a year after `today`.
pub(crate) fn period_ok(from: NaiveDate, to: Option<NaiveDate>, today: NaiveDate, errors: &mut Vec<String>) {
    if to.is_some_and(|to| to < from) {
        errors.push("to is before from".to_owned());
    }
    if from > add_months(today, 12) {
        errors.push("from is more than a year ahead".to_owned());
    }
}

/// How an adjustment's period reads in a message: `from 2026-04-01 (open-ended)`.
#[must_use]
pub(crate) fn period_of(a: &Adjustment) -> String {
    let until = a.to.map_or_else(|| "open-ended".to_owned(), |t| format!("to {t}"));
    format!("from {} ({until})", a.from)
}

/// The adjustment of `category` matching `which` that applies on `last_day`.
fn running_on<'a>(
    adjustments: &'a mut [Adjustment],
    category: &str,
    which: &dyn Fn(&Adjustment) -> bool,
    last_day: NaiveDate,
) -> Option<&'a mut Adjustment> {
    adjustments.iter_mut().find(|a| a.category == category && which(a) && a.runs_on(last_day))
}

/// Checks that an adjustment (`what`, e.g. "`single_person` discount") of `category` matching
/// `which` runs on `last_day` and does not already end then.
pub(crate) fn end_ok(
    state: &AccountState,
    category: &str,
    which: &dyn Fn(&Adjustment) -> bool,
    what: &str,
    last_day: NaiveDate,
    errors: &mut Vec<String>,
) {
    let running = state.adjustments.iter().find(|a| a.category == category && which(a) && a.runs_on(last_day));
    match running {
        None => errors.push(format!("account {} has no {what} running on {last_day}", state.reference)),
        Some(a) if a.to == Some(last_day) => errors.push(format!("the {what} already ends on {last_day}")),
        Some(_) => {}
    }
}

/// Ends the adjustment [`end_ok`] found on `last_day`.
pub(crate) fn apply_end(
    state: &mut AccountState,
    category: &str,
    which: &dyn Fn(&Adjustment) -> bool,
    last_day: NaiveDate,
) {
    if let Some(a) = running_on(&mut state.adjustments, category, which, last_day) {
        a.to = Some(last_day);
    }
}

/// Whether two names are the same person's, ignoring case and surrounding spaces.
#[must_use]
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// How many days `from` is before `today` (negative when after).
#[must_use]
pub(crate) fn days_before(from: NaiveDate, today: NaiveDate) -> i64 {
    (today - from).num_days()
}
