//! Council Tax rules the bill applies on top of the adjustments' own periods: the class F
//! exemption's end after probate, and the premium exceptions of SI 2024/1007.

use chrono::{Months, NaiveDate};
use postroom_charges::{DatePeriod, FinancialYear, PremiumKind, PremiumPeriod};

use super::BillError;
use super::inputs::{bad, detail_date, within};
use crate::change::{EXCEPTIONS_START, ExceptionClass, Excepts};
use crate::state::{AccountState, Adjustment, category};

/// The last day of a class F exemption when probate was granted on `granted`: the day before six
/// months from the grant (SI 1992/558 class F as amended in 1994: "less than six months have
/// elapsed since the date of the grant").
fn class_f_last_day(granted: NaiveDate) -> NaiveDate {
    let six_months = granted.checked_add_months(Months::new(6)).unwrap_or(NaiveDate::MAX);
    six_months.pred_opt().unwrap_or(six_months)
}

/// An exemption's days in the year, a class F one clipped to end the day before six months from
/// `details.probate_granted_on` when recorded; `None` when none are left.
pub(super) fn exemption_days(a: &Adjustment, period: DatePeriod) -> Result<Option<DatePeriod>, BillError> {
    if a.code != "F" {
        return Ok(Some(period));
    }
    let Some(granted) = detail_date(a, "probate_granted_on")? else { return Ok(Some(period)) };
    let last = class_f_last_day(granted).min(period.to());
    Ok(DatePeriod::new(period.from(), last).ok())
}

/// The days of `year` each premium exception on the account applies, with what it takes off.
/// None before 1 April 2025, when SI 2024/1007 starts to apply.
pub(super) fn exceptions(account: &AccountState, year: FinancialYear) -> Result<Vec<(Excepts, DatePeriod)>, BillError> {
    let mut found = Vec::new();
    for a in account.adjustments.iter().filter(|a| a.category == category::PREMIUM_EXCEPTION) {
        let class = ExceptionClass::from_code(&a.code)
            .ok_or_else(|| bad(a, format!("unknown premium exception class {:?} (expected E to M)", a.code)))?;
        let Some(period) = within(a, year) else { continue };
        let Ok(from_2025) = DatePeriod::new(period.from().max(EXCEPTIONS_START), period.to()) else { continue };
        found.push((class.excepts(), from_2025));
    }
    Ok(found)
}

/// Whether an exception taking off `excepts` applies to a premium of `kind`.
fn takes_off(excepts: Excepts, kind: PremiumKind) -> bool {
    match excepts {
        Excepts::Both => true,
        Excepts::SecondHomeOnly => kind == PremiumKind::SecondHome,
        Excepts::LongTermEmptyOnly => kind != PremiumKind::SecondHome,
    }
}

/// The premiums without the days an exception takes them off (SI 2024/1007).
pub(super) fn without_excepted_days(
    premiums: Vec<PremiumPeriod>,
    exceptions: &[(Excepts, DatePeriod)],
) -> Vec<PremiumPeriod> {
    let mut kept = Vec::new();
    for p in premiums {
        let applying: Vec<DatePeriod> =
            exceptions.iter().filter(|(e, _)| takes_off(*e, p.kind)).map(|(_, d)| *d).collect();
        let cuts = applying.iter().flat_map(|d| [Some(d.from()), d.to().succ_opt()]).flatten();
        for part in p.period.split_at(cuts) {
            if !applying.iter().any(|d| d.contains(part.from())) {
                kept.push(PremiumPeriod { kind: p.kind, percent: p.percent, period: part });
            }
        }
    }
    kept
}
