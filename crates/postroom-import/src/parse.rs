//! Reading and checking an accounts file: the header, then each row's cells into an account.

use std::{collections::HashMap, io::Read, str::FromStr};

use chrono::NaiveDate;

use postroom_accounts::{PropertyState, RecoveryStage, Service};
use postroom_charges::Band;
use postroom_db::accounts::{AccountStatus, NewAccount, NewProperty};
use postroom_workflows::IdentifierFinder;

use crate::{
    COLUMNS, MAX_TEXT, Row,
    values::{across_rows, liable_party, parse_postcode, parse_pounds, parse_uprn, reference_problem},
};

/// A file read and checked: its good rows and every problem, as `line N: column: reason`, in
/// file order. Only a file without problems is imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub problems: Vec<String>,
}

/// Reads and checks an accounts file (see [`COLUMNS`]): every row, and the rows against each
/// other (a reference twice; one UPRN with different addresses, postcodes or valuations). A bad
/// header (line 1) stops the reading: the rows cannot be understood without it.
#[must_use]
pub fn parse(input: impl Read, finder: &IdentifierFinder, today: NaiveDate) -> Parsed {
    let fail = |problems| Parsed { rows: Vec::new(), problems };
    let mut bytes = Vec::new();
    let mut input = input;
    if let Err(e) = input.read_to_end(&mut bytes) {
        return fail(vec![format!("line 1: cannot read the file: {e}")]);
    }
    // The reader's own line count skips blank lines; count from the record's byte offset.
    // Records come in file order, so the count carries on from the previous record.
    let (mut counted_to, mut line) = (0_usize, 1_u64);
    let mut line_at = |position: Option<&csv::Position>| {
        let mut offset = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(bytes.len());
        // A record's position is where the reader stood, before any blank lines it skipped.
        while matches!(bytes.get(offset), Some(b'\n' | b'\r')) {
            offset += 1;
        }
        if offset > counted_to {
            let newlines = bytes[counted_to..offset].iter().filter(|b| **b == b'\n').count();
            line += u64::try_from(newlines).unwrap_or(u64::MAX);
            counted_to = offset;
        }
        line
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes.as_slice());
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return fail(vec!["line 1: the file is empty: expected a header row naming the columns".to_owned()]),
        Some(Err(e)) => return fail(vec![format!("line 1: {}", csv_reason(&e))]),
        Some(Ok(h)) => h,
    };
    let columns = match header_columns(&header) {
        Ok(c) => c,
        Err(problems) => return fail(problems),
    };
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    // Where each reference was first seen (a reference twice is a problem on the later line).
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                problems.push(format!("line {line}: {}", csv_reason(&e)));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        };
        let line = line_at(record.position());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != columns.len() {
            problems.push(format!(
                "line {line}: the row has {} fields; the header has {}",
                record.len(),
                columns.len()
            ));
            continue;
        }
        let mut cells = Cells { line, values: HashMap::new(), problems: Vec::new() };
        for (name, raw) in columns.iter().zip(record.iter()) {
            match std::str::from_utf8(raw) {
                Ok(text) => {
                    cells.values.insert(name.as_str(), text.trim());
                }
                Err(_) => cells.problem(name, "is not UTF-8 text (save the file as UTF-8)"),
            }
        }
        if let Some(reference) = cells.get("reference").map(str::to_owned) {
            match first_line.get(&reference) {
                Some(first) => cells.problem("reference", format!("{reference} is also on line {first}")),
                None => {
                    first_line.insert(reference, line);
                }
            }
        }
        match account(&mut cells, finder, today) {
            Some(account) if cells.problems.is_empty() => rows.push(Row { line, account }),
            _ => problems.append(&mut cells.problems),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("line 2: no accounts: the file has only a header".to_owned());
    }
    across_rows(&mut rows, &mut problems);
    problems.sort_by_key(|p| line_of(p));
    Parsed { rows, problems }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("cannot read the file: {io}"),
        csv::ErrorKind::Utf8 { err, .. } => format!("column {}: is not UTF-8 text", err.field() + 1),
        _ => e.to_string(),
    }
}

/// The line number a problem starts with (for sorting).
pub(crate) fn line_of(problem: &str) -> u64 {
    problem
        .strip_prefix("line ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// The header's column names, checked: every one known, none twice, the required ones there.
fn header_columns(header: &csv::ByteRecord) -> Result<Vec<String>, Vec<String>> {
    let mut problems = Vec::new();
    let mut names = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let raw = if i == 0 { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
        let Ok(name) = std::str::from_utf8(raw) else {
            problems.push(format!("line 1: column {}: the header is not UTF-8 text", i + 1));
            continue;
        };
        let name = name.trim().to_owned();
        if !COLUMNS.iter().any(|(c, _, _)| *c == name) {
            let known: Vec<&str> = COLUMNS.iter().map(|(c, _, _)| *c).collect();
            problems.push(format!("line 1: {name:?}: unknown column (the columns are {})", known.join(", ")));
        } else if names.contains(&name) {
            problems.push(format!("line 1: {name}: the column appears twice"));
        }
        names.push(name);
    }
    for (column, required, _) in COLUMNS {
        if required && !names.iter().any(|n| n == column) {
            problems.push(format!("line 1: {column}: required column missing"));
        }
    }
    if problems.is_empty() { Ok(names) } else { Err(problems) }
}

/// One row's cells by column name, and what is wrong with them.
pub(crate) struct Cells<'a> {
    line: u64,
    values: HashMap<&'a str, &'a str>,
    pub(crate) problems: Vec<String>,
}

impl Cells<'_> {
    pub(crate) fn problem(&mut self, column: &str, reason: impl std::fmt::Display) {
        self.problems.push(format!("line {}: {column}: {reason}", self.line));
    }

    /// The cell's text; None when the column is absent or the cell empty.
    pub(crate) fn get(&self, column: &str) -> Option<&str> {
        self.values.get(column).copied().filter(|v| !v.is_empty())
    }

    /// The cell's text, or a problem when it is empty.
    pub(crate) fn required(&mut self, column: &str) -> Option<String> {
        let value = self.get(column).map(str::to_owned);
        if value.is_none() {
            self.problem(column, "required");
        }
        value
    }

    /// The cell parsed with `parse`; None (and a problem) when it does not parse.
    pub(crate) fn parsed<T>(&mut self, column: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let value = self.get(column)?.to_owned();
        match parse(&value) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.problem(column, reason);
                None
            }
        }
    }

    pub(crate) fn text(&mut self, column: &str, max: usize) -> Option<String> {
        self.parsed(column, |v| {
            if v.chars().count() > max { Err(format!("longer than {max} characters")) } else { Ok(v.to_owned()) }
        })
    }

    pub(crate) fn flag(&mut self, column: &str) -> bool {
        self.parsed(column, |v| match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Ok(true),
            "false" | "no" | "n" | "0" => Ok(false),
            _ => Err(format!("{v:?} is not true or false")),
        })
        .unwrap_or(false)
    }
}

/// The account a row describes; None when a required part is missing or bad (the problems say
/// why).
fn account(cells: &mut Cells<'_>, finder: &IdentifierFinder, today: NaiveDate) -> Option<NewAccount> {
    let reference = cells.required("reference").and_then(|r| match reference_problem(&r, finder) {
        Some(reason) => {
            cells.problem("reference", reason);
            None
        }
        None => Some(r),
    });
    let service = cells.required("service").and_then(|s| match Service::from_str(&s) {
        Ok(s) => Some(s),
        Err(e) => {
            cells.problem("service", e);
            None
        }
    });
    let uprn = cells.parsed("uprn", parse_uprn);
    let address = cells.required("address");
    if address.as_ref().is_some_and(|a| a.chars().count() > MAX_TEXT) {
        cells.problem("address", format!("longer than {MAX_TEXT} characters"));
    }
    let postcode = if cells.get("postcode").is_some() {
        cells.parsed("postcode", |p| parse_postcode(p, finder))
    } else {
        cells.required("postcode")
    };
    let band = cells.parsed("band", |b| Band::from_str(b).map_err(|e| e.to_string()));
    let rateable_value = cells.parsed("rateable_value", parse_pounds);
    let rhl = cells.flag("retail_hospitality_leisure");
    match service {
        Some(Service::CouncilTax) => {
            if band.is_none() && cells.get("band").is_none() {
                cells.problem("band", "required for council_tax");
            }
            if cells.get("rateable_value").is_some() {
                cells.problem("rateable_value", "only for business_rates (leave it empty for council_tax)");
            }
            if rhl {
                cells.problem("retail_hospitality_leisure", "only for business_rates");
            }
        }
        Some(Service::BusinessRates) => {
            if rateable_value.is_none() && cells.get("rateable_value").is_none() {
                cells.problem("rateable_value", "required for business_rates");
            }
            if cells.get("band").is_some() {
                cells.problem("band", "only for council_tax (leave it empty for business_rates)");
            }
        }
        None => {}
    }
    let billing_authority = cells.text("billing_authority", MAX_TEXT);
    let party = liable_party(cells, reference.as_deref().unwrap_or_default(), service, today);
    let instalments = cells
        .parsed("instalments", |v| match v {
            "10" => Ok(10),
            "12" => Ok(12),
            _ => Err(format!("{v:?}: expected 10 or 12")),
        })
        .unwrap_or(10);
    let status = cells.parsed("status", AccountStatus::from_str).unwrap_or(AccountStatus::Live);
    let vulnerable = cells.flag("vulnerable");
    let recovery_stage = cells.parsed("recovery_stage", RecoveryStage::from_str);
    if let (Some(stage), Some(service)) = (recovery_stage, service)
        && !stage.applies_to(service)
    {
        cells.problem("recovery_stage", format!("{stage} is not a {} power", service.as_str()));
    }
    Some(NewAccount {
        reference: reference?,
        service: service?,
        status,
        property: NewProperty {
            uprn,
            address: address?,
            postcode: Some(postcode?),
            billing_authority,
            valuation: PropertyState { band, rateable_value, retail_hospitality_leisure: rhl },
        },
        parties: vec![party?],
        instalments,
        recovery_stage,
        vulnerable,
        adjustments: Vec::new(),
        mandate: None,
    })
}
