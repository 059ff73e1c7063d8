//! Who is liable and how to reach them: move in, move out, name and contact update, third-party
//! authority.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::MAX_TEXT;
use super::rules::{
    MAX_NAME, Rule, add_months, apply_end, contact_ok, end_ok, months_last_day, optional_text_ok, period_of, same_name,
    text_ok, tidy,
};
use crate::state::{AccountState, Adjustment, ContactChannel, Context, PartyState, category};

/// A new liable party from a date (a move in, or a joint taxpayer added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveIn {
    pub account: String,
    pub name: String,
    /// First day of liability.
    pub from: NaiveDate,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_channel: Option<ContactChannel>,
}

/// A liable party's last day, and where to write to them now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveOut {
    pub account: String,
    /// The liable party's name as the account has it.
    pub name: String,
    /// Last day of liability.
    pub last_day: NaiveDate,
    pub forwarding_address: String,
}

/// A correction of a party's name or new contact details; fields left out stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameContactUpdate {
    pub account: String,
    /// The party's name as the account has it now.
    pub party: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_channel: Option<ContactChannel>,
}

/// What a third party may do for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityScope {
    /// Be told about the account and discuss it.
    Discuss,
    /// Also ask for changes and arrangements on the customer's behalf.
    Act,
}

impl AuthorityScope {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discuss => "discuss",
            Self::Act => "act",
        }
    }
}

/// Someone the customer allows to deal with the account (a relative, an advice agency), until
/// an expiry date or until ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThirdPartyAuthority {
    pub account: String,
    /// The third party.
    pub name: String,
    /// e.g. "daughter", "Citizens Advice".
    pub relationship: String,
    pub scope: AuthorityScope,
    pub from: NaiveDate,
    /// Last day it holds; required (an authority is reviewed at least yearly).
    pub expires_on: NaiveDate,
}

/// An authority withdrawn before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThirdPartyAuthorityEnd {
    pub account: String,
    pub name: String,
    pub last_day: NaiveDate,
}

/// The longest a third-party authority may run before it is reviewed, in years.
pub const AUTHORITY_MAX_YEARS: u32 = 3;

/// The role of a party liable for the account.
const LIABLE: &str = "liable";

/// Refuses a preferred channel with no way to use it: email needs an email address, phone a
/// phone number (given in the change or already held).
fn channel_ok(channel: Option<ContactChannel>, email: bool, phone: bool, errors: &mut Vec<String>) {
    match channel {
        Some(ContactChannel::Email) if !email => {
            errors.push("preferred_channel email needs an email address: give email".to_owned());
        }
        Some(ContactChannel::Phone) if !phone => {
            errors.push("preferred_channel phone needs a phone number: give phone".to_owned());
        }
        _ => {}
    }
}

impl Rule for MoveIn {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        text_ok("name", &self.name, MAX_NAME, errors);
        if self.from > add_months(ctx.today, 12) {
            errors.push("from is more than a year ahead".to_owned());
        }
        if let Some(p) = state.parties.iter().find(|p| same_name(&p.name, &self.name) && p.liable_on(self.from)) {
            errors.push(format!("{} is already liable for account {} on {}", p.name, state.reference, self.from));
        }
        contact_ok(self.email.as_deref(), self.phone.as_deref(), errors);
        optional_text_ok("postal_address", self.postal_address.as_deref(), MAX_TEXT, errors);
        channel_ok(self.preferred_channel, self.email.is_some(), self.phone.is_some(), errors);
    }

    fn apply(&self, state: &mut AccountState) {
        state.parties.push(PartyState {
            name: self.name.trim().to_owned(),
            role: LIABLE.to_owned(),
            liable_from: Some(self.from),
            liable_to: None,
            email: tidy(self.email.as_deref()),
            phone: tidy(self.phone.as_deref()),
            postal_address: tidy(self.postal_address.as_deref()),
            preferred_channel: self.preferred_channel,
            forwarding_address: None,
        });
    }
}

impl MoveOut {
    fn is_leaver(&self, p: &PartyState) -> bool {
        same_name(&p.name, &self.name) && p.liable_on(self.last_day)
    }
}

impl Rule for MoveOut {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        text_ok("name", &self.name, MAX_NAME, errors);
        text_ok("forwarding_address", &self.forwarding_address, MAX_TEXT, errors);
        match state.parties.iter().find(|p| self.is_leaver(p)) {
            Some(p) if p.liable_to == Some(self.last_day) => {
                errors.push(format!("{}'s liability already ends on {}", p.name, self.last_day));
            }
            Some(_) => {}
            None => match state.parties.iter().find(|p| same_name(&p.name, &self.name)) {
                None => errors.push(format!("account {} has no party named {}", state.reference, self.name.trim())),
                Some(p) => {
                    let from = p.liable_from.map_or_else(|| "the start".to_owned(), |d| d.to_string());
                    let to = p.liable_to.map_or_else(|| "open-ended".to_owned(), |d| d.to_string());
                    errors.push(format!(
                        "{} is not liable on last_day {} (liable from {from} to {to})",
                        p.name, self.last_day
                    ));
                }
            },
        }
    }

    fn apply(&self, state: &mut AccountState) {
        if let Some(p) = state.parties.iter_mut().find(|p| self.is_leaver(p)) {
            p.liable_to = Some(self.last_day);
            p.forwarding_address = Some(self.forwarding_address.trim().to_owned());
        }
    }
}

impl Rule for NameContactUpdate {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let nothing = self.name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.postal_address.is_none()
            && self.preferred_channel.is_none();
        if nothing {
            errors.push(
                "give at least one of name, email, phone, postal_address or preferred_channel to update".to_owned(),
            );
        }
        optional_text_ok("name", self.name.as_deref(), MAX_NAME, errors);
        optional_text_ok("postal_address", self.postal_address.as_deref(), MAX_TEXT, errors);
        contact_ok(self.email.as_deref(), self.phone.as_deref(), errors);
        let parties: Vec<&PartyState> = state.parties.iter().filter(|p| same_name(&p.name, &self.party)).collect();
        if parties.is_empty() {
            errors.push(format!("account {} has no party named {}", state.reference, self.party.trim()));
            return;
        }
        if let Some(name) = self.name.as_deref().filter(|n| !same_name(n, &self.party))
            && state.parties.iter().any(|p| same_name(&p.name, name))
        {
            errors.push(format!(
                "account {} already has a party named {}: one name cannot be two people",
                state.reference,
                name.trim()
            ));
        }
        let has_email = self.email.is_some() || parties.iter().all(|p| p.email.is_some());
        let has_phone = self.phone.is_some() || parties.iter().all(|p| p.phone.is_some());
        channel_ok(self.preferred_channel, has_email, has_phone, errors);
    }

    /// Updates every entry of the party's (someone who moved out and back in has two).
    fn apply(&self, state: &mut AccountState) {
        for p in state.parties.iter_mut().filter(|p| same_name(&p.name, &self.party)) {
            if let Some(name) = &self.name {
                name.trim().clone_into(&mut p.name);
            }
            if self.email.is_some() {
                p.email = tidy(self.email.as_deref());
            }
            if self.phone.is_some() {
                p.phone = tidy(self.phone.as_deref());
            }
            if self.postal_address.is_some() {
                p.postal_address = tidy(self.postal_address.as_deref());
            }
            if let Some(channel) = self.preferred_channel {
                p.preferred_channel = Some(channel);
            }
        }
    }
}

impl Rule for ThirdPartyAuthority {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        text_ok("name", &self.name, MAX_NAME, errors);
        text_ok("relationship", &self.relationship, MAX_NAME, errors);
        if self.from > add_months(ctx.today, 12) {
            errors.push("from is more than a year ahead".to_owned());
        }
        let limit = months_last_day(self.from, 12 * AUTHORITY_MAX_YEARS);
        if self.expires_on <= self.from {
            errors.push("expires_on must be after from".to_owned());
        } else if self.expires_on > limit {
            errors.push(format!(
                "a third-party authority lasts at most {AUTHORITY_MAX_YEARS} years before review: expires_on must be \
                 on or before {limit}"
            ));
        }
        let to = Some(self.expires_on.max(self.from));
        if let Some(other) =
            state.overlapping(category::THIRD_PARTY_AUTHORITY, self.from, to).find(|a| same_name(&a.code, &self.name))
        {
            errors.push(format!(
                "account {} already has an authority for {} {} in that period",
                state.reference,
                other.code,
                period_of(other)
            ));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let mut authority =
            Adjustment::new(category::THIRD_PARTY_AUTHORITY, self.name.trim(), self.from, Some(self.expires_on));
        authority.details = json!({ "relationship": self.relationship.trim(), "scope": self.scope.as_str() });
        state.adjustments.push(authority);
    }
}

impl Rule for ThirdPartyAuthorityEnd {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let what = format!("third-party authority for {}", self.name.trim());
        let which = |a: &Adjustment| same_name(&a.code, &self.name);
        end_ok(state, category::THIRD_PARTY_AUTHORITY, &which, &what, self.last_day, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        apply_end(state, category::THIRD_PARTY_AUTHORITY, &|a| same_name(&a.code, &self.name), self.last_day);
    }
}
