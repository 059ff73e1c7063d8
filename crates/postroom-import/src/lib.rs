//! Accounts from a billing system's CSV export, behind `postroom import accounts FILE.csv`.
//!
//! Every row is checked before anything is written, and every problem is reported as
//! `line N: column: reason` (line numbers as in the file, the header being line 1). When any row
//! is bad nothing is imported; otherwise every account is written in one transaction, with its
//! search terms. Properties are shared by UPRN.

mod parse;
#[cfg(test)]
mod tests;
mod values;

use std::path::Path;

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use postroom_db::{
    accounts::{self, NewAccount},
    entities::property,
};
use postroom_workflows::IdentifierFinder;

pub use parse::{Parsed, parse};

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

/// Reads and checks an accounts file with the council's reference patterns, as of `today`.
/// Nothing is written: [`import`] writes what this returns.
///
/// # Errors
/// [`ImportError::Failed`] when the file cannot be opened; [`ImportError::Invalid`] when its
/// header (line 1) is bad, as the rows cannot be understood without it.
pub fn read_file(path: &Path, finder: &IdentifierFinder, today: NaiveDate) -> Result<Parsed, ImportError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::Failed(anyhow::anyhow!("cannot open {}: {e}", path.display())))?;
    let parsed = parse(file, finder, today);
    if parsed.problems.iter().any(|p| p.starts_with("line 1:")) {
        return Err(ImportError::Invalid(parsed.problems));
    }
    Ok(parsed)
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
        problems.sort_by_key(|p| parse::line_of(p));
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
