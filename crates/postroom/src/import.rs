//! `postroom import accounts FILE.csv`: accounts from a billing system's export.
//!
//! Every row is checked before anything is written, and every problem is reported as
//! `line N: column: reason` (line numbers as in the file, the header being line 1). When any row
//! is bad nothing is imported; otherwise every account is written in one transaction, with its
//! search terms. Properties are shared by UPRN.

use std::{collections::HashMap, io::Read, path::Path, str::FromStr};

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use postroom_accounts::{
    AccountState, Change, ContactChannel, Context, PartyState, PropertyState, RecoveryStage, Service, change::MoveIn,
};
use postroom_charges::Band;
use postroom_config::Settings;
use postroom_db::{
    accounts::{self, AccountStatus, NewAccount, NewProperty},
    entities::property,
};
use postroom_domain::WorkingCalendar;
use postroom_workflows::{IdentifierFinder, normalise_postcode};

/// The columns of an accounts file: name, whether every file must have it, and what it holds.
/// Order does not matter; headers are matched exactly (lower case).
pub const COLUMNS: [(&str, bool, &str); 19] = [
    ("reference", true, "Account reference; must be one `accounts.reference_patterns` finds in a letter."),
    ("service", true, "`council_tax` or `business_rates`."),
    ("uprn", false, "Unique Property Reference Number: 1 to 12 digits. Accounts with one UPRN share a property."),
    ("address", true, "The property's address, one line."),
    ("postcode", true, "UK postcode (any case, space optional); stored normalised, e.g. `AN1 2BC`."),
    ("band", false, "Council Tax band `A`–`H`: required for `council_tax`, empty for `business_rates`."),
    (
        "rateable_value",
        false,
        "Rateable value in whole pounds (`£` and `,` allowed): required for `business_rates`, empty for \
         `council_tax`.",
    ),
    ("retail_hospitality_leisure", false, "`true` or `false` (default): qualifying RHL use, business rates only."),
    ("billing_authority", false, "The council that bills it; the configured default when empty."),
    ("liable_name", true, "The liable person or company."),
    ("liable_from", false, "First day of liability, `YYYY-MM-DD`."),
    ("email", false, "The liable party's email address."),
    ("phone", false, "Phone number: digits and spaces, optionally after `+`."),
    ("postal_address", false, "Where to write when it is not the property."),
    ("preferred_channel", false, "`email`, `post` or `phone` (email and phone need the detail given)."),
    ("instalments", false, "`10` (default) or `12` monthly instalments."),
    ("status", false, "`live` (default) or `closed`."),
    ("vulnerable", false, "`true` or `false` (default)."),
    ("recovery_stage", false, "Empty, or a recovery stage such as `reminder`, `final_notice`, `summons`."),
];

/// Longest reference accepted (the VOA's billing authority reference allows 25 characters).
const MAX_REFERENCE: usize = 25;
/// Longest address or billing authority accepted, in characters.
const MAX_TEXT: usize = 500;

/// One good row: where it was and the account it makes.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub account: NewAccount,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub accounts: usize,
    /// Properties created (accounts at a UPRN already known join that property).
    pub properties: u64,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "imported {} accounts ({} new properties)", self.accounts, self.properties)
    }
}

/// Why nothing was imported.
#[derive(Debug)]
pub enum ImportError {
    /// Bad rows, each `line N: column: reason`, in file order.
    Invalid(Vec<String>),
    /// The file could not be read, or the database failed.
    Failed(anyhow::Error),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(problems) => {
                write!(f, "nothing imported: {} problem(s):", problems.len())?;
                for p in problems {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
            Self::Failed(e) => write!(f, "nothing imported: {e:#}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// Reads, checks and imports an accounts file into the configured database.
///
/// # Errors
/// [`ImportError::Invalid`] listing every bad row (nothing is written); [`ImportError::Failed`]
/// when the file cannot be read or the database fails (nothing is written either).
pub async fn import_file(settings: &Settings, path: &Path) -> Result<ImportSummary, ImportError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::Failed(anyhow::anyhow!("cannot open {}: {e}", path.display())))?;
    let finder = IdentifierFinder::new(&settings.accounts.reference_patterns)
        .map_err(|e| ImportError::Failed(anyhow::anyhow!("accounts.reference_patterns: {e}")))?;
    let today = postroom_domain::london_date(chrono::Utc::now());
    let parsed = parse(file, &finder, today);
    if parsed.problems.iter().any(|p| p.starts_with("line 1:")) {
        return Err(ImportError::Invalid(parsed.problems));
    }
    let db = crate::app::connect_database(settings).await.map_err(ImportError::Failed)?;
    let outcome = import(&db, parsed).await;
    db.close().await.map_err(|e| ImportError::Failed(e.into()))?;
    outcome
}

/// Writes a parsed file's accounts in one transaction, when neither the file nor the database
/// (a reference it already has) gives a problem.
///
/// # Errors
/// [`ImportError::Invalid`] with every problem, the file's and the database's, by line;
/// [`ImportError::Failed`] when the database fails. Either way nothing is written.
pub async fn import(db: &DatabaseConnection, parsed: Parsed) -> Result<ImportSummary, ImportError> {
    let failed = |e: sea_orm::DbErr| ImportError::Failed(e.into());
    let Parsed { rows, mut problems } = parsed;
    let mut taken = std::collections::HashSet::new();
    for chunk in rows.chunks(500) {
        let references: Vec<String> = chunk.iter().map(|r| r.account.reference.clone()).collect();
        taken.extend(accounts::by_references(db, &references).await.map_err(failed)?.into_iter().map(|a| a.reference));
    }
    problems.extend(
        rows.iter()
            .filter(|r| taken.contains(&r.account.reference))
            .map(|r| format!("line {}: reference: {} is already in the database", r.line, r.account.reference)),
    );
    if !problems.is_empty() {
        problems.sort_by_key(|p| line_of(p));
        return Err(ImportError::Invalid(problems));
    }
    let txn = db.begin().await.map_err(failed)?;
    let before = property::Entity::find().count(&txn).await.map_err(failed)?;
    for row in &rows {
        accounts::insert_account(&txn, &row.account).await.map_err(|e| {
            if postroom_db::is_unique_violation(&e) {
                ImportError::Invalid(vec![format!(
                    "line {}: reference: {} was added to the database while importing",
                    row.line, row.account.reference
                )])
            } else {
                ImportError::Failed(anyhow::Error::new(e).context(format!("writing line {}", row.line)))
            }
        })?;
    }
    let after = property::Entity::find().count(&txn).await.map_err(failed)?;
    txn.commit().await.map_err(failed)?;
    accounts::analyse_after_load(db).await.map_err(failed)?;
    Ok(ImportSummary { accounts: rows.len(), properties: after.saturating_sub(before) })
}

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
fn line_of(problem: &str) -> u64 {
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
struct Cells<'a> {
    line: u64,
    values: HashMap<&'a str, &'a str>,
    problems: Vec<String>,
}

impl Cells<'_> {
    fn problem(&mut self, column: &str, reason: impl std::fmt::Display) {
        self.problems.push(format!("line {}: {column}: {reason}", self.line));
    }

    /// The cell's text; None when the column is absent or the cell empty.
    fn get(&self, column: &str) -> Option<&str> {
        self.values.get(column).copied().filter(|v| !v.is_empty())
    }

    /// The cell's text, or a problem when it is empty.
    fn required(&mut self, column: &str) -> Option<String> {
        let value = self.get(column).map(str::to_owned);
        if value.is_none() {
            self.problem(column, "required");
        }
        value
    }

    /// The cell parsed with `parse`; None (and a problem) when it does not parse.
    fn parsed<T>(&mut self, column: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let value = self.get(column)?.to_owned();
        match parse(&value) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.problem(column, reason);
                None
            }
        }
    }

    fn text(&mut self, column: &str, max: usize) -> Option<String> {
        self.parsed(column, |v| {
            if v.chars().count() > max { Err(format!("longer than {max} characters")) } else { Ok(v.to_owned()) }
        })
    }

    fn flag(&mut self, column: &str) -> bool {
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

/// Why `reference` cannot be an account reference: too long, not letters and digits, or not one
/// the council's reference patterns find in a letter (it would never be matched).
fn reference_problem(reference: &str, finder: &IdentifierFinder) -> Option<String> {
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
fn parse_uprn(raw: &str) -> Result<i64, String> {
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
fn parse_postcode(raw: &str, finder: &IdentifierFinder) -> Result<String, String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let found = finder.find(raw).postcodes;
    match found.as_slice() {
        [one] if one.replace(' ', "") == compact && raw.split_whitespace().count() <= 2 => Ok(normalise_postcode(raw)),
        _ => Err(format!("{raw:?} is not a UK postcode (e.g. AN1 2BC)")),
    }
}

/// Whole pounds, allowing `£` and thousands separators.
fn parse_pounds(raw: &str) -> Result<u32, String> {
    let digits: String = raw.trim_start_matches('£').chars().filter(|c| *c != ',').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{raw:?} is not a whole number of pounds"));
    }
    digits.parse::<u32>().map_err(|_| format!("{raw:?} is too large"))
}

/// The liable party, checked by the same rules as a move-in (name, email, phone, preferred
/// channel, a start date at most a year ahead).
fn liable_party(
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
fn across_rows(rows: &mut [Row], problems: &mut Vec<String>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "reference,service,uprn,address,postcode,band,rateable_value,retail_hospitality_leisure,\
                          liable_name,liable_from,email,phone,preferred_channel,instalments,status,vulnerable,\
                          recovery_stage";

    fn finder() -> IdentifierFinder {
        IdentifierFinder::new(&[r"\b\d{8,10}\b".to_owned()]).unwrap_or_else(|e| panic!("{e}"))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_else(|| panic!("date"))
    }

    fn parsed(body: &str) -> Parsed {
        parse(format!("{HEADER}\n{body}").as_bytes(), &finder(), today())
    }

    #[test]
    fn a_good_file_gives_typed_accounts_sharing_a_property_by_uprn() {
        let p = parsed(
            "500100001,council_tax,100012300001,\"12 Quill Lane, Barchester\",bc127qq,c,,,Mrs Ann Lee,2024-05-01,\
             ann@example.org,07700 900123,email,12,live,yes,reminder\n\
             \n\
             600100002,business_rates,100012300001,\"12 Quill Lane, Barchester\",BC12 7QQ,,\"£14,500\",true,Lee \
             Joinery Ltd,,,,,,closed,,summons\n",
        );
        assert_eq!(p.problems, Vec::<String>::new());
        let [ct, br] = p.rows.as_slice() else { panic!("two rows: {:?}", p.rows) };
        assert_eq!((ct.line, br.line), (2, 4), "line numbers as in the file, blank lines skipped");
        let a = &ct.account;
        assert_eq!(a.service, Service::CouncilTax);
        assert_eq!(a.property.postcode.as_deref(), Some("BC12 7QQ"));
        assert_eq!(a.property.uprn, Some(100_012_300_001));
        assert_eq!(
            a.property.valuation,
            PropertyState { band: Some(Band::C), rateable_value: Some(14_500), retail_hospitality_leisure: true },
            "the property's valuation merges its council tax and business rates rows"
        );
        assert_eq!(br.account.property.valuation, a.property.valuation);
        assert_eq!((a.instalments, a.vulnerable, a.recovery_stage), (12, true, Some(RecoveryStage::Reminder)));
        let party = &a.parties[0];
        assert_eq!(party.name, "Mrs Ann Lee");
        assert_eq!(party.liable_from, NaiveDate::from_ymd_opt(2024, 5, 1));
        assert_eq!(party.preferred_channel, Some(ContactChannel::Email));
        assert_eq!(br.account.status, AccountStatus::Closed);
        assert_eq!(br.account.instalments, 10);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_column() {
        let p = parsed(
            "500200001,council_tax,,1 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
             500200002,water,,2 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
             500200003,council_tax,,3 Elm Row,NOT A PC,,,,Jo Bloggs,,,,,,,,\n\
             500200004,council_tax,,\"Flat 1\nOld Mill\",AB1 2CD,B,,,Jo Bloggs,,not-an-email,,,,,,\n\
             500200001,council_tax,,5 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
             600200006,business_rates,,6 Elm Row,AB1 2CD,D,,,Shop Ltd,,,,,,,,attachment_of_earnings\n\
             ABC,council_tax,,7 Elm Row,AB1 2CD,A,,,Jo Bloggs,2024-13-01,,,phone,11,open,maybe,\n\
             500200008,council_tax\n\
             500200009,council_tax,999,9 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
             500200010,council_tax,999,10 Elm Row,AB1 2CD,B,,,Jo Bloggs,,,,,,,,\n\
             500200011,council_tax,1234567890123,11 Elm Row,AB1 2CD,A,,,,,,,,,,,\n",
        );
        assert_eq!(p.rows.len(), 3, "lines 2, 11 and 12 are good on their own: {:?}", p.problems);
        let expected = [
            "line 3: service: ",
            "line 4: postcode: \"NOT A PC\" is not a UK postcode",
            "line 4: band: required for council_tax",
            "line 5: email: ",
            "line 7: reference: 500200001 is also on line 2",
            "line 8: band: only for council_tax",
            "line 8: rateable_value: required for business_rates",
            "line 8: recovery_stage: attachment_of_earnings is not a business_rates power",
            "line 9: reference: \"ABC\" does not match accounts.reference_patterns",
            "line 9: liable_from: \"2024-13-01\" is not a date",
            "line 9: preferred_channel: ",
            "line 9: instalments: \"11\": expected 10 or 12",
            "line 9: status: ",
            "line 9: vulnerable: \"maybe\" is not true or false",
            "line 10: the row has 2 fields; the header has 17",
            "line 12: address: UPRN 999 is at \"9 Elm Row\" on line 11",
            "line 12: band: UPRN 999 is band A on line 11",
            "line 13: uprn: \"1234567890123\" is not a UPRN",
            "line 13: liable_name: required",
        ];
        for e in expected {
            assert!(p.problems.iter().any(|p| p.starts_with(e)), "{e:?} missing from {:#?}", p.problems);
        }
        assert_eq!(p.problems.len(), expected.len(), "{:#?}", p.problems);
    }

    #[test]
    fn a_bad_header_is_reported_and_stops_the_reading() {
        let p = parse("\u{feff}reference,service,colour,service\n1,2,3,4\n".as_bytes(), &finder(), today());
        assert!(p.rows.is_empty());
        assert_eq!(
            p.problems,
            [
                "line 1: \"colour\": unknown column (the columns are reference, service, uprn, address, postcode, \
                 band, rateable_value, retail_hospitality_leisure, billing_authority, liable_name, liable_from, \
                 email, phone, postal_address, preferred_channel, instalments, status, vulnerable, recovery_stage)",
                "line 1: service: the column appears twice",
                "line 1: address: required column missing",
                "line 1: postcode: required column missing",
                "line 1: liable_name: required column missing",
            ]
        );
        assert_eq!(parse("".as_bytes(), &finder(), today()).problems.len(), 1);
        assert_eq!(
            parse(format!("{HEADER}\n").as_bytes(), &finder(), today()).problems,
            ["line 2: no accounts: the file has only a header"]
        );
    }

    #[test]
    fn postcodes_uprns_and_pounds_parse_strictly() {
        let f = finder();
        assert_eq!(parse_postcode("sw1a1aa", &f).as_deref(), Ok("SW1A 1AA"));
        assert_eq!(parse_postcode("M1 1AE", &f).as_deref(), Ok("M1 1AE"));
        for bad in ["SW1A 1AA X", "X SW1A 1AA", "SW1A", "12345", "SW1A  1AA 1AA"] {
            assert!(parse_postcode(bad, &f).is_err(), "{bad}");
        }
        assert_eq!(parse_uprn("100012345678"), Ok(100_012_345_678));
        assert!(parse_uprn("0").is_err() && parse_uprn("-1").is_err() && parse_uprn("1000123456789").is_err());
        assert_eq!(parse_pounds("£1,250"), Ok(1250));
        assert!(parse_pounds("12.50").is_err() && parse_pounds("").is_err());
    }
}
