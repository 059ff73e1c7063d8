//! What a reply is rendered from: the merge fields (account after the changes just applied, its
//! charge and instalments, the customer's correspondence, the item, the council and team), and
//! who it goes to by which channel.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseTransaction;

use postroom_accounts::bill::{FinancialYear, Instalment, schedules};
use postroom_db::{
    account_changes, accounts, bill_revisions,
    entities::{account, correspondence, party, work_item},
    work_items,
};
use postroom_domain::{Channel, events::AccountChanged, london_date};
use postroom_templates::{
    AccountFields, ChangeFields, ChargeFields, ChargeLineFields, CorrespondenceFields, InstalmentFields, ItemFields,
    MergeFields,
};

use super::{Replying, draft::DraftOf};
use crate::{CaseworkError, ReplyChannel};

/// Everything known about who a reply goes to, read in the completion's transaction.
pub(crate) struct Addressee {
    pub account: Option<(account::Model, Vec<party::Model>, Option<String>)>,
    pub correspondence: Option<correspondence::Model>,
}

/// Where a reply goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recipient {
    pub channel: ReplyChannel,
    pub name: String,
    /// The email address, or the postal address lines.
    pub lines: Vec<String>,
}

impl Addressee {
    /// Reads the item's first account (its parties and property address) and the customer's
    /// latest correspondence on the item.
    pub(crate) async fn of(txn: &DatabaseTransaction, item: &work_item::Model) -> Result<Self, CaseworkError> {
        let account = match accounts::of_item(txn, item.id).await?.into_iter().next() {
            Some((account, _)) => {
                let record = accounts::record(txn, &account.reference).await?;
                let (parties, property) = record.map_or((Vec::new(), None), |r| {
                    let property = r.property.map(|p| match p.postcode {
                        Some(postcode) if !p.address.contains(&postcode) => format!("{}, {postcode}", p.address),
                        _ => p.address,
                    });
                    (r.parties, property)
                });
                Some((account, parties, property))
            }
            None => None,
        };
        let ids = work_items::correspondence_of(txn, item.id).await?;
        let mut found = postroom_db::correspondence::many(txn, &ids).await?;
        // An out-of-office reply or a bounce is not the customer: never who we answer.
        found.retain(|c| !matches!(c.status.as_str(), "auto_reply" | "bounce"));
        found.sort_by_key(|c| c.received_at);
        Ok(Self { account, correspondence: found.pop() })
    }

    /// The parties liable today, or every party when none is.
    fn current_parties(&self, today: NaiveDate) -> Vec<&party::Model> {
        let Some((_, parties, _)) = &self.account else { return Vec::new() };
        let liable: Vec<&party::Model> = parties
            .iter()
            .filter(|p| matches!(p.party_role.as_str(), "liable" | "joint"))
            .filter(|p| p.liable_to.is_none_or(|to| to >= today))
            .collect();
        if liable.is_empty() { parties.iter().collect() } else { liable }
    }

    /// Who the reply is addressed to: the liable parties' names, else the sender's name.
    pub(crate) fn name(&self, today: NaiveDate) -> String {
        let names: Vec<&str> = self.current_parties(today).iter().map(|p| p.name.as_str()).collect();
        if !names.is_empty() {
            return names.join(" and ");
        }
        self.correspondence
            .as_ref()
            .and_then(|c| c.sender.as_deref())
            .and_then(|s| s.split_once('<').map(|(name, _)| name.trim().trim_matches('"').to_owned()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Sir or Madam".to_owned())
    }

    fn email_address(&self, today: NaiveDate) -> Option<String> {
        let on_file = self.current_parties(today).iter().find_map(|p| p.email.clone().filter(|e| plausible_email(e)));
        let wrote_from =
            self.correspondence.as_ref().filter(|c| wrote_by_email(c)).and_then(|c| c.sender.as_deref()).map(
                |s| match s.rsplit_once('<') {
                    Some((_, rest)) => rest.trim_end_matches('>').trim().to_owned(),
                    None => s.trim().to_owned(),
                },
            );
        wrote_from.filter(|e| plausible_email(e)).or(on_file)
    }

    fn postal_lines(&self, today: NaiveDate) -> Vec<String> {
        let parties = self.current_parties(today);
        let moved_out = |p: &&party::Model| p.liable_to.is_some_and(|to| to < today);
        let written = parties
            .iter()
            .find_map(|p| if moved_out(p) { p.forwarding_address.clone() } else { None })
            .or_else(|| parties.iter().find_map(|p| p.postal_address.clone()))
            .or_else(|| self.account.as_ref().and_then(|(_, _, property)| property.clone()));
        written.map(|a| lines_of(&a)).unwrap_or_default()
    }

    /// The channel and recipient: the officer's choice, else email when the customer wrote by
    /// email or prefers it and an address is known, else a letter. 422 naming what is missing.
    pub(crate) fn recipient(&self, asked: Option<ReplyChannel>, today: NaiveDate) -> Result<Recipient, CaseworkError> {
        let email = self.email_address(today);
        let prefers_email = self.current_parties(today).iter().any(|p| p.preferred_channel.as_deref() == Some("email"));
        let wrote_by_email = self.correspondence.as_ref().is_some_and(wrote_by_email);
        let channel = asked.unwrap_or(if (wrote_by_email || prefers_email) && email.is_some() {
            ReplyChannel::Email
        } else {
            ReplyChannel::Letter
        });
        let name = self.name(today);
        let account = self.account.as_ref().map(|(a, _, _)| a.reference.as_str());
        match channel {
            ReplyChannel::Email => match email {
                Some(address) => Ok(Recipient { channel, name, lines: vec![address] }),
                None => Err(CaseworkError::invalid(
                    "reply.channel",
                    match account {
                        Some(a) => format!("an email reply needs an email address: the customer did not write by email and account {a} has no email address on file"),
                        None => "an email reply needs an email address: the customer did not write by email and the item has no account".to_owned(),
                    },
                    "no email address",
                )),
            },
            ReplyChannel::Letter => {
                let lines = self.postal_lines(today);
                if lines.is_empty() {
                    return Err(CaseworkError::invalid(
                        "reply.channel",
                        match account {
                            Some(a) => format!("a letter needs a postal address: account {a} has no correspondence address and no property address; record one, or reply by email"),
                            None => "a letter needs a postal address: the item has no account to take one from; link the account, or reply by email".to_owned(),
                        },
                        "no postal address",
                    ));
                }
                Ok(Recipient { channel, name, lines })
            }
        }
    }
}

/// An address a mail server will take: one `@` between a local part and a domain, and nothing
/// that cannot stand in an address (spaces, control characters, brackets, separators).
fn plausible_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"@".contains(c);
    !local.is_empty() && domain.contains('.') && !local.chars().any(bad) && !domain.chars().any(bad)
}

fn wrote_by_email(c: &correspondence::Model) -> bool {
    c.channel != Channel::Scan && c.sender.as_deref().is_some_and(|s| s.contains('@'))
}

/// An address written on one line with commas, or on several lines, as lines.
fn lines_of(address: &str) -> Vec<String> {
    address.split(['\n', ',']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// A date as letters write it: `7 December 2026`.
pub fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// The merge fields of a reply on `item`.
pub(crate) async fn merge_fields(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    of: &DraftOf<'_>,
    to: (&Addressee, &Recipient),
    replying: &Replying,
    now: DateTime<Utc>,
) -> Result<MergeFields, CaseworkError> {
    let (addressee, recipient) = to;
    let (identity, rates) = (&replying.identity, &*replying.rates);
    let notes = of.request.notes.as_deref().unwrap_or("").trim();
    let today = london_date(now);
    let account = match &addressee.account {
        Some((account, _, property)) => {
            let state = account_changes::state_of(txn, account).await?;
            let billing_authority = accounts::record(txn, &account.reference)
                .await?
                .and_then(|r| r.property)
                .and_then(|p| p.billing_authority);
            let bill = FinancialYear::containing(today)
                .ok()
                .and_then(|year| postroom_accounts::bill(&state, billing_authority.as_deref(), year, None, rates).ok());
            let shown = match &bill {
                Some(b) => {
                    let notices = bill_revisions::notices(txn, account.id, b.year).await?;
                    schedules(&state, b, &notices, today, &replying.calendar).ok()
                }
                None => None,
            };
            Some(AccountFields {
                reference: account.reference.clone(),
                service: match state.service {
                    postroom_accounts::Service::CouncilTax => "Council Tax",
                    postroom_accounts::Service::BusinessRates => "Business Rates",
                }
                .to_owned(),
                name: recipient.name.clone(),
                address: if recipient.channel == ReplyChannel::Letter {
                    recipient.lines.clone()
                } else {
                    addressee.postal_lines(today)
                },
                property: property.clone().unwrap_or_default(),
                charge: bill.as_ref().map(|b| ChargeFields {
                    year: b.year.to_string(),
                    total: b.charge.total.to_string(),
                    lines: b
                        .charge
                        .lines
                        .iter()
                        .map(|l| ChargeLineFields {
                            period: format!("{} to {}", long_date(l.from), long_date(l.to)),
                            description: l.description.clone(),
                            amount: l.amount.to_string(),
                        })
                        .collect(),
                    not_included: b.not_included.clone(),
                }),
                instalments: shown.as_ref().map(|s| instalment_fields(s.instalments())).unwrap_or_default(),
                original_instalments: shown
                    .as_ref()
                    .filter(|s| s.instalments() != s.original.instalments.as_slice())
                    .map(|s| instalment_fields(&s.original.instalments))
                    .unwrap_or_default(),
            })
        }
        None => None,
    };
    Ok(MergeFields {
        date: long_date(today),
        council: postroom_templates::Council {
            name: identity.council.clone(),
            address: identity.address.clone(),
            phone: identity.phone.clone(),
            email: identity.email.clone(),
            website: identity.website.clone(),
        },
        team: postroom_templates::Team {
            name: identity.team.clone(),
            signature: identity.signature.clone(),
            contact: identity.contact(),
        },
        account,
        correspondence: addressee.correspondence.as_ref().map(|c| CorrespondenceFields {
            date: long_date(london_date(c.received_at)),
            subject: c.subject.clone(),
            channel: if wrote_by_email(c) { "email" } else { "letter" }.to_owned(),
            sender: c.sender.clone(),
        }),
        item: ItemFields {
            reference: item.reference.clone(),
            outcome: of.outcome.to_owned(),
            due_on: long_date(item.due_on),
            workflow: of.workflow.title.clone(),
        },
        changes: of.applied.iter().map(summary).collect(),
        notes: notes.to_owned(),
    })
}

/// A change as a reply lists it: its kind in words, and the dates and amounts it set.
fn summary(change: &AccountChanged) -> ChangeFields {
    let mut words = change.kind.replace('_', " ");
    if let Some(first) = words.get(..1) {
        words = first.to_uppercase() + &words[1..];
    }
    let mut details = Vec::new();
    if let Some(after) = change.after.as_object() {
        for (key, label) in [("from", "from"), ("to", "to"), ("effective", "from"), ("amount", "amount")] {
            if let Some(value) = after.get(key).and_then(|v| v.as_str()) {
                let shown = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_or_else(|_| value.to_owned(), long_date);
                details.push(format!("{label} {shown}"));
            }
        }
    }
    let summary = if details.is_empty() { words.clone() } else { format!("{words}: {}", details.join(", ")) };
    ChangeFields { kind: change.kind.clone(), summary }
}

fn instalment_fields(instalments: &[Instalment]) -> Vec<InstalmentFields> {
    instalments.iter().map(|i| InstalmentFields { due: long_date(i.due), amount: i.amount.to_string() }).collect()
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
