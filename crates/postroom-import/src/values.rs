//! The values of one cell (references, UPRNs, postcodes, pounds), the liable party, and the
//! checks across rows (one UPRN, one property).

use std::{collections::HashMap, str::FromStr};

use chrono::NaiveDate;

use postroom_accounts::{AccountState, Change, ContactChannel, Context, PartyState, Service, change::MoveIn};
use postroom_charges::Band;
use postroom_domain::WorkingCalendar;
use postroom_workflows::{IdentifierFinder, normalise_postcode};

use crate::{MAX_REFERENCE, MAX_TEXT, Row, parse::Cells};

/// Why `reference` cannot be an account reference: too long, not letters and digits, or not one
/// the council's reference patterns find in a letter (it would never be matched).
pub(crate) fn reference_problem(reference: &str, finder: &IdentifierFinder) -> Option<String> {
    if reference.chars().count() > MAX_REFERENCE {
        Some(format!("{reference:?} is longer than {MAX_REFERENCE} characters"))
    } else if !reference.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some(format!("{reference:?} must be letters and digits only"))
    } else if finder.find(reference).references != [reference] {
        Some(format!(
            "{reference:?} does not match accounts.reference_patterns, so letters quoting it would not be matched"
        ))
    } else {
        None
    }
}

/// A UPRN: 1 to 12 digits, not zero (`domain.md` §9).
pub(crate) fn parse_uprn(raw: &str) -> Result<i64, String> {
    if raw.is_empty() || raw.len() > 12 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{raw:?} is not a UPRN (1 to 12 digits)"));
    }
    match raw.parse::<i64>() {
        Ok(0) | Err(_) => Err(format!("{raw:?} is not a UPRN (1 to 12 digits, not zero)")),
        Ok(n) => Ok(n),
    }
}

/// A UK postcode (`domain.md` §9), normalised: the whole text must be one postcode as the
/// identifier finder reads them.
pub(crate) fn parse_postcode(raw: &str, finder: &IdentifierFinder) -> Result<String, String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let found = finder.find(raw).postcodes;
    match found.as_slice() {
        [one] if one.replace(' ', "") == compact && raw.split_whitespace().count() <= 2 => Ok(normalise_postcode(raw)),
        _ => Err(format!("{raw:?} is not a UK postcode (e.g. AN1 2BC)")),
    }
}

/// Whole pounds, allowing `£` and thousands separators.
pub(crate) fn parse_pounds(raw: &str) -> Result<u32, String> {
    let digits: String = raw.trim_start_matches('£').chars().filter(|c| *c != ',').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{raw:?} is not a whole number of pounds"));
    }
    digits.parse::<u32>().map_err(|_| format!("{raw:?} is too large"))
}

/// The liable party, checked by the same rules as a move-in (name, email, phone, preferred
/// channel, a start date at most a year ahead).
pub(crate) fn liable_party(
    cells: &mut Cells<'_>,
    reference: &str,
    service: Option<Service>,
    today: NaiveDate,
) -> Option<PartyState> {
    let name = cells.required("liable_name")?;
    let liable_from = cells.parsed("liable_from", |d| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| format!("{d:?} is not a date (YYYY-MM-DD)"))
    });
    let preferred_channel = cells.parsed("preferred_channel", ContactChannel::from_str);
    let party = PartyState {
        name,
        role: "liable".to_owned(),
        liable_from,
        liable_to: None,
        email: cells.get("email").map(str::to_owned),
        phone: cells.get("phone").map(str::to_owned),
        postal_address: cells.text("postal_address", MAX_TEXT),
        preferred_channel,
        forwarding_address: None,
    };
    let move_in = Change::MoveIn(MoveIn {
        account: reference.to_owned(),
        name: party.name.clone(),
        from: liable_from.unwrap_or(today),
        email: party.email.clone(),
        phone: party.phone.clone(),
        postal_address: party.postal_address.clone(),
        preferred_channel,
    });
    let state = AccountState::new(reference, service.unwrap_or(Service::CouncilTax));
    let calendar = WorkingCalendar::england_and_wales();
    let before = cells.problems.len();
    for reason in move_in.validate(&state, Context { today, calendar: &calendar }) {
        let column = match reason.split_whitespace().next().unwrap_or_default() {
            "from" => "liable_from",
            "email" => "email",
            "phone" => "phone",
            "preferred_channel" => "preferred_channel",
            "postal_address" => "postal_address",
            _ => "liable_name", // "name …" and anything about the person
        };
        cells.problem(column, reason);
    }
    (cells.problems.len() == before).then_some(party)
}

/// A property's valuation as the rows at its UPRN give it, with the line that first gave each part.
#[derive(Default)]
struct Valuation {
    band: Option<(Band, u64)>,
    rateable_value: Option<(u32, bool, u64)>,
}

/// Checks the rows against each other: rows at one UPRN agree on its address and postcode, and on its band (Council Tax rows) or rateable value (Business Rates
/// rows). The property takes its band from the Council Tax rows and its rateable value and RHL
/// use from the Business Rates rows, so every row at a UPRN carries the merged valuation.
pub(crate) fn across_rows(rows: &mut [Row], problems: &mut Vec<String>) {
    let mut first_at: HashMap<i64, &Row> = HashMap::new();
    for row in rows.iter() {
        let a = &row.account;
        let Some(uprn) = a.property.uprn else { continue };
        let Some(first) = first_at.get(&uprn) else {
            first_at.insert(uprn, row);
            continue;
        };
        let (p, q) = (&a.property, &first.account.property);
        if p.address != q.address {
            problems
                .push(format!("line {}: address: UPRN {uprn} is at {:?} on line {}", row.line, q.address, first.line));
        }
        if p.postcode != q.postcode {
            problems.push(format!(
                "line {}: postcode: UPRN {uprn} has postcode {} on line {}",
                row.line,
                q.postcode.as_deref().unwrap_or_default(),
                first.line
            ));
        }
    }
    let mut valuations: HashMap<i64, Valuation> = HashMap::new();
    for row in rows.iter() {
        let Some(uprn) = row.account.property.uprn else { continue };
        let v = &row.account.property.valuation;
        let entry = valuations.entry(uprn).or_default();
        if let Some(band) = v.band {
            match entry.band {
                Some((b, line)) if b != band => {
                    problems.push(format!("line {}: band: UPRN {uprn} is band {b} on line {line}", row.line));
                }
                Some(_) => {}
                None => entry.band = Some((band, row.line)),
            }
        }
        if let Some(rv) = v.rateable_value {
            match entry.rateable_value {
                Some((r, rhl, line)) if r != rv || rhl != v.retail_hospitality_leisure => {
                    problems.push(format!(
                        "line {}: rateable_value: UPRN {uprn} has rateable value £{r} (retail_hospitality_leisure \
                         {rhl}) on line {line}",
                        row.line
                    ));
                }
                Some(_) => {}
                None => entry.rateable_value = Some((rv, v.retail_hospitality_leisure, row.line)),
            }
        }
    }
    for row in rows.iter_mut() {
        let Some(merged) = row.account.property.uprn.and_then(|u| valuations.get(&u)) else { continue };
        let v = &mut row.account.property.valuation;
        v.band = merged.band.map(|(b, _)| b);
        if let Some((rv, rhl, _)) = merged.rateable_value {
            v.rateable_value = Some(rv);
            v.retail_hospitality_leisure = rhl;
        }
    }
}
