//! Parsing and checking one workflow file, and `escalation.toml`: every problem as
//! `key: reason` (the caller adds the file).

use std::{collections::BTreeMap, path::PathBuf};

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use postroom_domain::{ChangeKind, Clock, Priority};

use crate::{
    catalogue::{Escalation, MatchRules, Service, TEMPLATE_VARIANTS, TRIAGE, Target, Workflow},
    source::SourceFile,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkflow {
    id: String,
    title: String,
    service: Service,
    #[serde(default)]
    kind: Option<String>,
    queue: String,
    priority: String,
    target: RawTarget,
    #[serde(default)]
    clock: Clock,
    #[serde(default)]
    changes: Vec<String>,
    #[serde(default)]
    approval: bool,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    templates: Vec<String>,
    #[serde(default)]
    per_line: bool,
    #[serde(default, rename = "match")]
    rules: RawRules,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    working_days: Option<u32>,
    calendar_months: Option<u32>,
    #[serde(default)]
    before_date_in_document: bool,
    #[serde(default)]
    margin_working_days: u32,
    #[serde(default)]
    acknowledge_working_days: Option<u32>,
    #[serde(default)]
    stage: Vec<crate::stage::RawStage>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    senders: Vec<String>,
    #[serde(default)]
    attachments: Vec<String>,
    #[serde(default)]
    barcodes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalations {
    escalate: Vec<RawEscalation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    words: Vec<String>,
    to: String,
    reason: String,
}

/// `(?i)\bword\b`, so "court" does not fire on "courtesy".
pub(crate) fn word_pattern(word: &str) -> Result<Regex, regex::Error> {
    let escaped = regex::escape(word.trim()).replace("\\ ", r"\s+").replace(' ', r"\s+");
    rule_pattern(&format!(r"\b{escaped}\b"))
}

/// An escalation word's pattern: as [`word_pattern`], except that a word written in capitals (an
/// acronym: `DRO`, `IVA`) matches only in capitals, so the name "Iva" is not an IVA.
pub(crate) fn escalation_pattern(word: &str) -> Result<Regex, regex::Error> {
    let word = word.trim();
    let acronym = word.chars().filter(char::is_ascii_alphabetic).count() >= 2
        && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ');
    if !acronym {
        return word_pattern(word);
    }
    let escaped = regex::escape(word).replace(' ', r"\s+");
    rule_pattern(&format!(r"(?-i:\b{escaped}\b)"))
}

/// A match rule's pattern, case-insensitive, with ASCII word boundaries: a Unicode `\b` cannot
/// run on the regex crate's fast engines once a letter holds any non-ASCII character (a `£`, a
/// curly apostrophe), which made such letters ten times slower to classify. Rules are English
/// words, so an ASCII boundary finds the same matches.
pub(crate) fn rule_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    let mut ascii = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => ascii.push_str(r"(?-u:\b)"),
                Some(other) => {
                    ascii.push(c);
                    ascii.push(other);
                }
                None => ascii.push(c),
            }
        } else {
            ascii.push(c);
        }
    }
    RegexBuilder::new(&ascii).case_insensitive(true).build()
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse::<Priority>().map_err(|e| e.to_string())
}

/// Parses and checks the workflow file `stem.toml` (`file`), whose templates must be among
/// `files`; problems as `key: reason`.
pub(crate) fn parse_workflow(
    file: &SourceFile,
    stem: &str,
    files: &BTreeMap<String, SourceFile>,
) -> Result<Workflow, Vec<String>> {
    let mut raw: RawWorkflow = toml::from_str(&file.text).map_err(|e| vec![toml_problem(&e)])?;
    let mut problems = Vec::new();
    if raw.id != stem {
        problems.push(format!("id: {:?} must match the file name ({stem}.toml)", raw.id));
    }
    if raw.title.trim().is_empty() {
        problems.push("title: must not be empty".to_owned());
    }
    if let Some(problem) = crate::family::kind_problem(raw.kind.as_deref(), raw.service) {
        problems.push(format!("kind: {problem}"));
    }
    if raw.queue.trim().is_empty() {
        problems.push("queue: must not be empty".to_owned());
    }
    let priority = parse_priority(&raw.priority).map_err(|e| problems.push(format!("priority: {e}"))).ok();
    let t = &raw.target;
    if let (Some(ack), Some(n)) = (t.acknowledge_working_days, t.working_days)
        && ack > n
    {
        problems
            .push("target.acknowledge_working_days: an acknowledgement cannot be due after the response".to_owned());
    }
    let target = match (t.working_days, t.calendar_months, t.before_date_in_document) {
        (Some(n), None, false) => Some(Target::WorkingDays(n)),
        (None, Some(m), false) if m > 0 => Some(Target::CalendarMonths(m)),
        (Some(n), None, true) => {
            Some(Target::BeforeDateInDocument { margin_working_days: t.margin_working_days, otherwise_working_days: n })
        }
        _ => {
            problems.push(
                "target: give working_days, or calendar_months (> 0), or before_date_in_document with working_days \
                 for when no date is found"
                    .to_owned(),
            );
            None
        }
    };
    let acknowledge_working_days = raw.target.acknowledge_working_days;
    let stages = crate::stage::parse_stages(std::mem::take(&mut raw.target.stage), &mut problems);
    let mut changes = Vec::new();
    for (i, c) in raw.changes.iter().enumerate() {
        match c.parse::<ChangeKind>() {
            Ok(k) => changes.push(k),
            Err(_) => problems.push(format!("changes[{i}]: {c:?} is not a known account change kind")),
        }
    }
    // A reply goes by email or by post, so each template needs both variants.
    for (i, name) in raw.templates.iter().enumerate() {
        let ok_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok_name {
            problems.push(format!("templates[{i}]: {name:?} is not a template name (letters, digits, - and _)"));
            continue;
        }
        for variant in TEMPLATE_VARIANTS {
            if !files.contains_key(&format!("templates/{name}.{variant}.j2")) {
                problems.push(format!("templates[{i}]: {name:?} has no templates/{name}.{variant}.j2"));
            }
        }
    }
    if raw.id != TRIAGE && raw.templates.is_empty() {
        problems.push("templates: name at least one reply template".to_owned());
    }
    let mut rules = MatchRules::default();
    for (i, k) in raw.rules.keywords.iter().enumerate() {
        match word_pattern(k) {
            Ok(re) if !k.trim().is_empty() => rules.keywords.push((k.trim().to_owned(), re)),
            _ => problems.push(format!("match.keywords[{i}]: {k:?} is not a usable word or phrase")),
        }
    }
    for (i, r) in raw.rules.regexes.iter().enumerate() {
        match rule_pattern(r) {
            Ok(re) => rules.regexes.push((r.clone(), re)),
            Err(e) => problems.push(format!("match.regexes[{i}]: {r:?} is not a valid regular expression: {e}")),
        }
    }
    for (i, s) in raw.rules.senders.iter().enumerate() {
        if s.trim().is_empty() || s.contains(char::is_whitespace) {
            problems.push(format!("match.senders[{i}]: {s:?} is not an address or domain"));
        }
        rules.senders.push(s.trim().to_ascii_lowercase());
    }
    rules.attachments = raw.rules.attachments.iter().map(|a| a.to_ascii_lowercase()).collect();
    rules.barcodes = raw.rules.barcodes.clone();
    if raw.id != TRIAGE
        && rules.keywords.is_empty()
        && rules.regexes.is_empty()
        && rules.senders.is_empty()
        && rules.barcodes.is_empty()
    {
        problems.push("match: give at least one keyword, regex, sender or barcode".to_owned());
    }
    match (problems.is_empty(), priority, target) {
        (true, Some(priority), Some(target)) => Ok(Workflow {
            id: raw.id,
            title: raw.title,
            service: raw.service,
            kind: raw.kind,
            queue: raw.queue,
            priority,
            target,
            acknowledge_working_days,
            stages,
            clock: raw.clock,
            changes,
            approval: raw.approval,
            sensitive: raw.sensitive,
            templates: raw.templates,
            per_line: raw.per_line,
            rules,
            file: PathBuf::from(&file.shown),
        }),
        _ => Err(problems),
    }
}

pub(crate) fn parse_escalations(text: &str) -> Result<Vec<Escalation>, Vec<String>> {
    let raw: RawEscalations = toml::from_str(text).map_err(|e| vec![toml_problem(&e)])?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, e) in raw.escalate.into_iter().enumerate() {
        let to = parse_priority(&e.to).map_err(|p| problems.push(format!("escalate[{i}].to: {p}"))).ok();
        let mut words = Vec::new();
        for (j, w) in e.words.iter().enumerate() {
            match escalation_pattern(w) {
                Ok(re) if !w.trim().is_empty() => words.push((w.trim().to_owned(), re)),
                _ => problems.push(format!("escalate[{i}].words[{j}]: {w:?} is not a usable word or phrase")),
            }
        }
        if let Some(to) = to {
            out.push(Escalation { words, to, reason: e.reason });
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// A TOML error as `key: reason` (toml names the key and line in its message).
fn toml_problem(e: &toml::de::Error) -> String {
    e.message().to_owned() + &e.span().map(|s| format!(" (at byte {})", s.start)).unwrap_or_default()
}
