//! Reading the gov.uk `bank-holidays.json` document, and which standing holidays it moves.
//!
//! The file is the canonical list (`domain.md` §7). Besides one-off proclaimed holidays (the
//! 2023 coronation) it sometimes moves a standing one: in 2020 the early May bank holiday was
//! Friday 8 May (VE day) instead of Monday 4 May; in 2022 the spring bank holiday was Thursday
//! 2 June instead of Monday 30 May. An event whose title starts with a standing holiday's name
//! ([`super::named_bank_holidays`], apostrophes and case ignored) names that holiday; when the
//! file names a standing holiday in a year but never on the date the rules give, that date is no
//! longer a bank holiday. A file that does not mention a standing holiday leaves it alone, so a
//! short file that only lists proclaimed holidays adds them and moves nothing.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

/// One England & Wales event of the file.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Event {
    #[serde(default)]
    pub(super) title: String,
    pub(super) date: NaiveDate,
}

/// The England & Wales events of a gov.uk `bank-holidays.json` document.
pub(super) fn england_and_wales_events(json: &str) -> Result<Vec<Event>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Division {
        events: Vec<Event>,
    }
    #[derive(Deserialize)]
    struct Doc {
        #[serde(rename = "england-and-wales")]
        england_and_wales: Division,
    }
    let doc: Doc = serde_json::from_str(json)?;
    Ok(doc.england_and_wales.events)
}

/// A title compared case-blind, with typographic apostrophes as plain ones.
fn normalised(title: &str) -> String {
    title.trim().replace(['\u{2019}', '\u{2018}'], "'").to_lowercase()
}

/// The dates the standing rules give that `events` move elsewhere (see the module docs).
pub(super) fn moves(events: &[Event]) -> Vec<NaiveDate> {
    let mut years: Vec<i32> = events.iter().map(|e| e.date.year()).collect();
    years.sort_unstable();
    years.dedup();
    let mut moved = Vec::new();
    for year in years {
        for (name, rule_day) in super::named_bank_holidays(year) {
            let name = normalised(name);
            let named: Vec<NaiveDate> = events
                .iter()
                .filter(|e| e.date.year() == year && normalised(&e.title).starts_with(&name))
                .map(|e| e.date)
                .collect();
            if !named.is_empty() && !named.contains(&rule_day) {
                moved.push(rule_day);
            }
        }
    }
    moved
}
