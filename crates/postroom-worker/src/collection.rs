//! An account's next Direct Debit collection, which a Bacs advice must be actioned before
//! (`domain.md` §4.3): the first instalment after the day the advice was received, from the
//! instalment schedule as it stands (the first bill's, revised by each recorded notice; the
//! account view's `charge` shows the same), falling on the mandate's collection day. With no
//! schedule to work from (no Band D configured, no band), the next occurrence of the mandate's
//! collection day, said so. None when the account has no Direct Debit that collects (none,
//! suspended, rejected or cancelled) or no instalment falls due before the next year's schedule
//! can be worked out.

use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;

use postroom_accounts::{MandateStatus, Rates, bill::FinancialYear, bill::schedules};
use postroom_db::{account_changes, accounts, bill_revisions};
use postroom_domain::WorkingCalendar;
use postroom_workflows::bacs::NextCollection;

/// The next collection on account `reference` after `received`.
///
/// # Errors
/// When the database fails.
pub(crate) async fn next_collection(
    conn: &impl ConnectionTrait,
    reference: &str,
    received: NaiveDate,
    rates: &Rates,
    calendar: &WorkingCalendar,
) -> anyhow::Result<Option<NextCollection>> {
    let Some(account) = accounts::by_references(conn, &[reference.to_owned()]).await?.into_iter().next() else {
        return Ok(None);
    };
    let state = account_changes::state_of(conn, &account).await?;
    let Some(day) = state
        .mandate
        .as_ref()
        .filter(|m| matches!(m.status, MandateStatus::Active | MandateStatus::Pending))
        .map(|m| m.collection_day)
    else {
        return Ok(None);
    };
    let authority = accounts::record(conn, reference).await?.and_then(|r| r.property).and_then(|p| p.billing_authority);
    let Ok(year) = FinancialYear::containing(received) else { return Ok(None) };
    for (i, year) in [Ok(year), year.next()].into_iter().enumerate() {
        let Ok(year) = year else { return Ok(None) };
        let schedule = match postroom_accounts::bill(&state, authority.as_deref(), year, None, rates) {
            Ok(bill) => {
                let notices = bill_revisions::notices(conn, account.id, year).await?;
                schedules(&state, &bill, &notices, received, calendar).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        match schedule {
            Ok(s) => {
                if let Some(next) = s.instalments().iter().find(|i| i.due > received) {
                    let from = format!("instalment {} of the {year} schedule", next.number);
                    return Ok(Some(NextCollection { on: next.due, from }));
                }
            }
            // This year's schedule cannot be worked out: the collection day is all there is.
            Err(e) if i == 0 => {
                let from = format!("the Direct Debit's collection day {day}; no instalment schedule: {e}");
                return Ok(next_day_of_month(received, day).map(|on| NextCollection { on, from }));
            }
            // Nothing more falls due this year and next year's bill is not known yet.
            Err(_) => return Ok(None),
        }
    }
    Ok(None)
}

/// The first date after `after` that falls on day `day` of a month (1-28).
fn next_day_of_month(after: NaiveDate, day: u32) -> Option<NaiveDate> {
    let this_month = after.with_day(day)?;
    if this_month > after {
        return Some(this_month);
    }
    this_month.checked_add_months(chrono::Months::new(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collection_day_after_a_date_is_this_month_or_next() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert_eq!(next_day_of_month(d("2026-11-23"), 26), Some(d("2026-11-26")));
        assert_eq!(next_day_of_month(d("2026-11-26"), 26), Some(d("2026-12-26")));
        assert_eq!(next_day_of_month(d("2026-12-28"), 1), Some(d("2027-01-01")));
    }
}
