//! The merge fields: everything a reply template may read. Every string is already formatted
//! by the caller (dates as "7 December 2026", money as "£1,234.56").

use std::collections::BTreeSet;

use serde::Serialize;

/// What a reply template is rendered with.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct MergeFields {
    /// Today, e.g. "7 December 2026".
    pub date: String,
    /// The council sending the reply.
    pub council: Council,
    /// The team sending the reply.
    pub team: Team,
    /// The account the item is about; `None` when the item has no account.
    pub account: Option<AccountFields>,
    /// The correspondence being answered, if any.
    pub correspondence: Option<CorrespondenceFields>,
    /// The work item.
    pub item: ItemFields,
    /// The account changes applied with the completion.
    pub changes: Vec<ChangeFields>,
    /// What the officer wrote for this reply; "" when nothing.
    pub notes: String,
}

/// The council.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Council {
    pub name: String,
    /// Postal address lines.
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
}

/// The team sending the reply.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Team {
    pub name: String,
    /// The sign-off under "Yours sincerely" (may be several lines).
    pub signature: String,
    /// How to contact the team (several lines).
    pub contact: String,
}

/// The account an item is about.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct AccountFields {
    /// The account reference.
    pub reference: String,
    /// "Council Tax" or "Business Rates".
    pub service: String,
    /// The addressee: the liable parties' names joined with " and ".
    pub name: String,
    /// Correspondence address lines (may be empty).
    pub address: Vec<String>,
    /// The property address on one line.
    pub property: String,
    /// The current year's charge, when known.
    pub charge: Option<ChargeFields>,
    /// The instalments: the schedule as it stands, revised by each notice since the first bill.
    pub instalments: Vec<InstalmentFields>,
    /// The instalments as first billed, when a revised notice has changed them since (empty
    /// otherwise), so a reply can quote both.
    pub original_instalments: Vec<InstalmentFields>,
}

/// A year's charge.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ChargeFields {
    /// The financial year, e.g. "2026/27".
    pub year: String,
    /// The total, e.g. "£1,234.56".
    pub total: String,
    /// How the total is made up.
    pub lines: Vec<ChargeLineFields>,
    /// Reliefs the charge is before because their rules are not yet known, e.g. "2026
    /// transitional relief" and "supporting small business relief" on a Business Rates charge
    /// from 2026/27; empty otherwise.
    pub not_included: Vec<String>,
}

/// One line of a charge.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ChargeLineFields {
    /// e.g. "1 April 2026 to 31 March 2027".
    pub period: String,
    /// e.g. "Band C" or "Single person discount (25%)".
    pub description: String,
    /// e.g. "£1,650.00" or "-£412.50".
    pub amount: String,
}

/// One instalment.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct InstalmentFields {
    pub due: String,
    pub amount: String,
}

/// The correspondence being answered.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct CorrespondenceFields {
    /// When it was received.
    pub date: String,
    pub subject: Option<String>,
    /// "email" or "letter".
    pub channel: String,
    pub sender: Option<String>,
}

/// The work item.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ItemFields {
    /// The item's reference (replies thread back by it in the subject line).
    pub reference: String,
    /// The completion's outcome.
    pub outcome: String,
    /// When it is due.
    pub due_on: String,
    /// The workflow's human name.
    pub workflow: String,
}

/// An account change applied with the completion.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ChangeFields {
    /// The kind of change, e.g. "move_out".
    pub kind: String,
    /// What changed, in a sentence for the customer.
    pub summary: String,
}

/// Every merge field path a template may read, e.g. `account`, `account.charge`,
/// `account.charge.total`: each key of [`MergeFields`] and of the structures inside it (not
/// inside lists; a loop variable's fields are the template's own).
#[must_use]
pub fn known_fields() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // Serialising plain structs of strings cannot fail; an empty set would make every field
    // unknown, which the tests rule out.
    if let Ok(value) = serde_json::to_value(sample()) {
        walk(&value, "", &mut out);
    }
    out
}

fn walk(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    if let serde_json::Value::Object(map) = value {
        for (key, inner) in map {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            walk(inner, &path, out);
            out.insert(path);
        }
    }
}

/// Merge fields with every optional part present, so that serialising them shows every path.
fn sample() -> MergeFields {
    let s = String::new;
    MergeFields {
        date: s(),
        council: Council { name: s(), address: vec![], phone: Some(s()), email: Some(s()), website: Some(s()) },
        team: Team { name: s(), signature: s(), contact: s() },
        account: Some(AccountFields {
            reference: s(),
            service: s(),
            name: s(),
            address: vec![],
            property: s(),
            charge: Some(ChargeFields { year: s(), total: s(), lines: vec![], not_included: vec![] }),
            instalments: vec![],
            original_instalments: vec![],
        }),
        correspondence: Some(CorrespondenceFields { date: s(), subject: Some(s()), channel: s(), sender: Some(s()) }),
        item: ItemFields { reference: s(), outcome: s(), due_on: s(), workflow: s() },
        changes: vec![],
        notes: s(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_fields_are_every_path_outside_lists() {
        let known = known_fields();
        for path in [
            "date",
            "account",
            "account.charge",
            "account.charge.total",
            "account.charge.not_included",
            "account.instalments",
            "account.original_instalments",
            "notes",
        ] {
            assert!(known.contains(path), "{path} missing from {known:?}");
        }
        assert!(!known.contains("amount"));
        assert!(!known.iter().any(|p| p.starts_with("account.instalments.")), "{known:?}");
        assert_eq!(known.len(), 36, "{known:?}");
    }
}
