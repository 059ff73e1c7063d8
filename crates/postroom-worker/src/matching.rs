//! Account matching: the identifiers found in a letter, checked against the accounts.
//!
//! References first: every account whose reference appears is linked (a letter may concern
//! several). Failing that, a labelled UPRN, then a postcode narrowed by a liable party's name in
//! the letter, must point at exactly one account. Anything else is unknown or ambiguous, and the
//! candidates are listed for the triage officer.

use sea_orm::ConnectionTrait;
use serde::Serialize;

use postroom_db::{accounts, entities::account};
use postroom_workflows::{Found, IdentifierFinder};

/// A linked account.
#[derive(Debug, Clone, Serialize)]
pub struct Linked {
    #[serde(skip)]
    pub account_id: uuid::Uuid,
    pub reference: String,
    pub service: String,
    /// `reference`, `uprn` or `postcode_and_name`.
    pub matched_by: &'static str,
}

/// The outcome, kept with the item's classification.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AccountMatch {
    pub linked: Vec<Linked>,
    /// References found in the letter that no account has.
    pub unknown_references: Vec<String>,
    /// Accounts it could be, when it is ambiguous.
    pub candidates: Vec<String>,
    /// Why no account is linked.
    pub problem: Option<String>,
}

fn linked(a: &account::Model, how: &'static str) -> Linked {
    Linked { account_id: a.id, reference: a.reference.clone(), service: a.service.clone(), matched_by: how }
}

/// Matches `text` against the accounts.
///
/// # Errors
/// When the database fails.
pub async fn match_accounts(
    conn: &impl ConnectionTrait,
    finder: &IdentifierFinder,
    text: &str,
) -> anyhow::Result<AccountMatch> {
    let Found { references, uprns, postcodes } = finder.find(text);
    let mut out = AccountMatch::default();
    let by_reference = accounts::by_references(conn, &references).await?;
    out.unknown_references =
        references.iter().filter(|r| !by_reference.iter().any(|a| &a.reference == *r)).cloned().collect();
    if !by_reference.is_empty() {
        out.linked = by_reference.iter().map(|a| linked(a, "reference")).collect();
        return Ok(out);
    }
    if !uprns.is_empty() {
        let at = accounts::at_properties(conn, &uprns, &[]).await?;
        if let [(a, _)] = at.as_slice() {
            out.linked.push(linked(a, "uprn"));
            return Ok(out);
        }
        out.candidates.extend(at.iter().map(|(a, _)| a.reference.clone()));
    }
    if !postcodes.is_empty() {
        let at = accounts::at_properties(conn, &[], &postcodes).await?;
        let ids: Vec<_> = at.iter().map(|(a, _)| a.id).collect();
        let parties = accounts::parties_of(conn, &ids).await?;
        let lower = text.to_lowercase();
        let named: Vec<&account::Model> = at
            .iter()
            .map(|(a, _)| a)
            .filter(|a| parties.iter().any(|p| p.account_id == a.id && surname_in(&p.name, &lower)))
            .collect();
        if let [a] = named.as_slice() {
            out.linked.push(linked(a, "postcode_and_name"));
            return Ok(out);
        }
        for (a, _) in &at {
            if !out.candidates.contains(&a.reference) {
                out.candidates.push(a.reference.clone());
            }
        }
    }
    out.problem = Some(match (out.candidates.len(), out.unknown_references.is_empty()) {
        (0, false) => format!("no account has the reference(s) {}", out.unknown_references.join(", ")),
        (0, true) => "no account reference, UPRN or known postcode found".to_owned(),
        (n, _) => format!("{n} accounts could be meant: {}", out.candidates.join(", ")),
    });
    Ok(out)
}

/// Whether the last word of `name` (the surname) is a whole word of `lower_text`.
fn surname_in(name: &str, lower_text: &str) -> bool {
    let Some(surname) = name.split_whitespace().last().map(str::to_lowercase) else { return false };
    surname.len() >= 2
        && lower_text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-').any(|w| w == surname)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_surname_must_be_a_whole_word() {
        assert!(surname_in("Mrs Margaret Thompson", "yours, margaret thompson"));
        assert!(!surname_in("Ann Lee", "the fleece was white"));
    }
}
