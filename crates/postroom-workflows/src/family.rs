//! Workflow families: the Council Tax and Business Rates workflows of the same `kind` (a refund,
//! a direct debit, a Bacs report, a summons, ...) are one family, and the service the item
//! concerns settles which of them it takes.
//!
//! The service is settled by the accounts matched in the letter (all of one service), or failing
//! any account by a sender that is a company (`Ltd`, `Limited`, `PLC`, `LLP` or `CIC` after a name
//! in the sender or the letter's signature): Business Rates. A candidate of the other service is
//! then replaced by its sibling of the settled service, keeping its score, with a `family` rule
//! in its evidence saying why; and of two candidates tied at the top, one of each service, the
//! settled service's is chosen (the other loses [`TIE_BREAK`], also recorded). With no account
//! and no company, such a tie goes to Council Tax, and nothing is replaced.

use std::{collections::HashSet, str::FromStr, sync::LazyLock};

use regex::Regex;

use crate::{Catalogue, Evidence, Fired, Match, Service, Workflow};

/// What a tied candidate of the other service loses, so the settled service's workflow is ahead.
pub const TIE_BREAK: f32 = 0.5;

/// The `kind` key's problem, if any: lower-case letters, digits and `_`, and only on a Council
/// Tax or Business Rates workflow.
pub(crate) fn kind_problem(kind: Option<&str>, service: Service) -> Option<String> {
    let kind = kind?;
    let well_formed = kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Some(format!("{kind:?} is not a kind (lower-case letters, digits and _, e.g. \"refund\")"));
    }
    (service == Service::Cross)
        .then(|| format!("{kind:?}: a cross-cutting workflow has no Council Tax or Business Rates family"))
}

impl FromStr for Service {
    type Err = String;

    /// `council_tax`, `business_rates` or `cross`, as accounts and workflow files write them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "council_tax" => Ok(Self::CouncilTax),
            "business_rates" => Ok(Self::BusinessRates),
            "cross" => Ok(Self::Cross),
            other => Err(format!("{other:?} is not a service (council_tax, business_rates or cross)")),
        }
    }
}

fn service_name(service: Service) -> &'static str {
    match service {
        Service::CouncilTax => "Council Tax",
        Service::BusinessRates => "Business Rates",
        Service::Cross => "cross-cutting",
    }
}

/// The service an item concerns, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub service: Service,
    /// A reason a person can read: "the linked account is Business Rates".
    pub why: String,
}

/// The service `evidence` settles: its accounts' when they are all of one service; with no
/// account, Business Rates when the sender is a company; otherwise none (accounts of both
/// services, or nothing to go on).
#[must_use]
pub fn settled_service(evidence: &Evidence) -> Option<Settled> {
    let mut services = evidence.services.iter().copied().filter(|s| *s != Service::Cross);
    if let Some(first) = services.next() {
        let why = format!("the linked account is {}", service_name(first));
        return services.all(|s| s == first).then_some(Settled { service: first, why });
    }
    company_sender(evidence)
        .map(|company| Settled { service: Service::BusinessRates, why: format!("the sender is a company ({company})") })
}

/// The company the sender names: a name ending `Ltd`, `Limited`, `PLC`, `LLP` or `CIC` in the
/// sender or in the signature (the last five non-blank lines of the text).
#[must_use]
pub fn company_sender(evidence: &Evidence) -> Option<String> {
    static COMPANY: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"\b[A-Z][\w&'.-]*(?:[ \t]+(?:[A-Z&][\w&'.-]*|of|and))*[ \t]+(?:Ltd|LTD|Limited|LIMITED|PLC|Plc|plc|LLP|CIC)\b")
            .ok()
    });
    let re = COMPANY.as_ref()?;
    let signature = evidence.text.lines().map(str::trim).filter(|l| !l.is_empty()).rev().take(5);
    evidence
        .sender
        .as_deref()
        .into_iter()
        .chain(signature)
        .find_map(|line| re.find(line))
        .map(|m| m.as_str().to_owned())
}

impl Catalogue {
    /// `w`'s sibling in `service`: the one workflow of that service with `w`'s kind (none when
    /// `w` has no kind, or that service has none or several of it).
    #[must_use]
    pub fn family_member(&self, w: &Workflow, service: Service) -> Option<&Workflow> {
        let kind = w.kind.as_deref()?;
        let mut of_kind = self.workflows().iter().filter(|o| o.service == service && o.kind.as_deref() == Some(kind));
        match (of_kind.next(), of_kind.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// The workflow of `w`'s family for an account of `service`: `w` itself when it is of that
    /// service or has no single sibling there. A report naming accounts of both services routes
    /// each line by this.
    #[must_use]
    pub fn for_service<'a>(&'a self, w: &'a Workflow, service: Service) -> &'a Workflow {
        if w.service == service { w } else { self.family_member(w, service).unwrap_or(w) }
    }
}

/// Settles the family of each candidate (module docs); `candidates` come back sorted best first,
/// one per workflow.
pub(crate) fn settle(catalogue: &Catalogue, evidence: &Evidence, candidates: &mut Vec<Match>) {
    if let Some(settled) = settled_service(evidence) {
        replace_with_siblings(catalogue, &settled, candidates);
        break_tie(catalogue, &settled, candidates);
    } else if evidence.services.is_empty() {
        // Nothing to go on: a person writing without a reference is most likely a householder, so
        // a tie goes to Council Tax; nothing is replaced (the words may still say Business Rates).
        let why = "no account is linked and the sender is not a company".to_owned();
        break_tie(catalogue, &Settled { service: Service::CouncilTax, why }, candidates);
    } else {
        merge_per_line_siblings(catalogue, evidence, candidates);
    }
}

/// Whether workflow `id` is of the service other than `settled` (cross-cutting ones are neither).
fn of_other_service(catalogue: &Catalogue, settled: &Settled, id: &str) -> bool {
    catalogue.get(id).is_some_and(|w| w.service != settled.service && w.service != Service::Cross)
}

/// Best first; of equal scores, the settled service's before the other's.
fn sort(catalogue: &Catalogue, settled: &Settled, candidates: &mut [Match]) {
    let other = |m: &Match| of_other_service(catalogue, settled, &m.workflow);
    candidates.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| other(a).cmp(&other(b))).then_with(|| a.workflow.cmp(&b.workflow))
    });
}

/// Each candidate of the other service becomes its sibling of the settled service, score kept.
fn replace_with_siblings(catalogue: &Catalogue, settled: &Settled, candidates: &mut Vec<Match>) {
    for m in candidates.iter_mut() {
        let Some(w) = catalogue.get(&m.workflow).filter(|w| of_other_service(catalogue, settled, &w.id)) else {
            continue;
        };
        if let Some(sibling) = catalogue.family_member(w, settled.service) {
            let value = format!("{} in place of {}: {}", sibling.id, w.id, settled.why);
            m.fired.push(Fired { kind: "family", value, weight: 0.0 });
            m.workflow.clone_from(&sibling.id);
        }
    }
    // A sibling that scored itself and a replaced candidate: the better one stays.
    sort(catalogue, settled, candidates);
    let mut seen = HashSet::new();
    candidates.retain(|m| seen.insert(m.workflow.clone()));
}

/// A tie at the top between the settled service's workflow and the other's: the other's loses
/// [`TIE_BREAK`], recorded.
fn break_tie(catalogue: &Catalogue, settled: &Settled, candidates: &mut [Match]) {
    sort(catalogue, settled, candidates);
    let of_settled = |m: &&Match| catalogue.get(&m.workflow).is_some_and(|w| w.service == settled.service);
    let Some(top) = candidates.first().filter(of_settled).map(|m| m.score) else { return };
    for m in candidates.iter_mut().skip(1) {
        if (m.score - top).abs() < f32::EPSILON && of_other_service(catalogue, settled, &m.workflow) {
            let value = format!("a tie with a {} workflow: {}", service_name(settled.service), settled.why);
            m.fired.push(Fired { kind: "family", value, weight: -TIE_BREAK });
            m.score -= TIE_BREAK;
        }
    }
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.workflow.cmp(&b.workflow)));
}

/// A report naming accounts of both services (a Bacs report for one Service User Number): its
/// Council Tax and Business Rates `per_line` workflows of one kind tied at the top are one
/// candidate, the Council Tax one, whose lines the worker routes by each account's service.
fn merge_per_line_siblings(catalogue: &Catalogue, evidence: &Evidence, candidates: &mut Vec<Match>) {
    let both = [Service::CouncilTax, Service::BusinessRates].iter().all(|s| evidence.services.contains(s));
    if !both {
        return;
    }
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.workflow.cmp(&b.workflow)));
    let [first, second, ..] = candidates.as_slice() else { return };
    let (Some(a), Some(b)) = (catalogue.get(&first.workflow), catalogue.get(&second.workflow)) else { return };
    let siblings = a.per_line && b.per_line && a.kind.is_some() && a.kind == b.kind && a.service != b.service;
    if !siblings || (first.score - second.score).abs() >= f32::EPSILON {
        return;
    }
    let (keep, drop) = if a.service == Service::CouncilTax { (0, 1) } else { (1, 0) };
    let value = format!(
        "{} and {}: accounts of both services, each line goes to its account's",
        candidates[keep].workflow, candidates[drop].workflow
    );
    candidates[keep].fired.push(Fired { kind: "family", value, weight: 0.0 });
    candidates.remove(drop);
}

#[cfg(test)]
#[path = "family_tests.rs"]
mod tests;
