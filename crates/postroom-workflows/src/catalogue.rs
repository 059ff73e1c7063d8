//! Loading and validating `workflows/*.toml` and `workflows/escalation.toml`.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use postroom_domain::{ChangeKind, Priority};

/// The workflow of unclassified correspondence.
pub const TRIAGE: &str = "triage";

/// Which revenues service a workflow belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    CouncilTax,
    BusinessRates,
    /// Cross-cutting: complaints, information rights, triage.
    Cross,
}

/// How the due date is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// This many working days after receipt.
    WorkingDays(u32),
    /// This many calendar months after receipt (subject access: one month).
    CalendarMonths(u32),
    /// `margin` working days before a date found in the document (a hearing), or `otherwise`
    /// working days after receipt when none is found.
    BeforeDateInDocument { margin_working_days: u32, otherwise_working_days: u32 },
}

/// Match rules: what makes a letter look like this workflow.
#[derive(Debug, Clone, Default)]
pub struct MatchRules {
    /// Words and phrases (case-insensitive, whole words), with their patterns.
    pub keywords: Vec<(String, Regex)>,
    pub regexes: Vec<Regex>,
    /// Sender addresses (`name@host`) or domains (`@host` or `host`).
    pub senders: Vec<String>,
    /// Media types of attachments, e.g. `application/pdf`, or a prefix such as `image/`.
    pub attachments: Vec<String>,
    /// Form barcodes (printed codes on the council's own forms, read as text).
    pub barcodes: Vec<String>,
}

/// One correspondence type.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Workflow {
    pub id: String,
    pub title: String,
    pub service: Service,
    /// The team's queue.
    pub queue: String,
    #[schema(value_type = String, example = "P2")]
    pub priority: Priority,
    pub target: Target,
    /// Account changes an officer may apply when completing it.
    pub changes: Vec<ChangeKind>,
    /// Whether a team leader must approve the completion (four-eyes).
    pub approval: bool,
    /// Reply templates (`workflows/templates/<name>.email.j2` / `.letter.j2`).
    pub templates: Vec<String>,
    /// One item per line that names an account and a reason code (Bacs reports listing many
    /// payers).
    pub per_line: bool,
    #[serde(skip)]
    #[schema(ignore)]
    pub rules: MatchRules,
    /// The file it was loaded from.
    #[serde(skip)]
    #[schema(ignore)]
    pub file: PathBuf,
}

/// Words that raise the priority of any item, whatever its workflow.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub words: Vec<(String, Regex)>,
    pub to: Priority,
    pub reason: String,
}

/// The loaded catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    workflows: Vec<Workflow>,
    escalations: Vec<Escalation>,
}

/// Everything wrong with the catalogue, each with file, key and reason.
#[derive(Debug, thiserror::Error)]
#[error("the workflow catalogue in {dir} has {} problem(s):\n{}", problems.len(), problems.join("\n"))]
pub struct CatalogueError {
    pub dir: PathBuf,
    pub problems: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkflow {
    id: String,
    title: String,
    service: Service,
    queue: String,
    priority: String,
    target: RawTarget,
    #[serde(default)]
    changes: Vec<String>,
    #[serde(default)]
    approval: bool,
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
    RegexBuilder::new(&format!(r"\b{escaped}\b")).case_insensitive(true).build()
}

impl Catalogue {
    /// Loads every `*.toml` in `dir` (and `escalation.toml`), checking templates under
    /// `dir/templates/`.
    ///
    /// # Errors
    /// Every problem found, each naming the file, the key and the reason.
    pub fn load(dir: &Path) -> Result<Self, CatalogueError> {
        let fail = |problems| CatalogueError { dir: dir.to_owned(), problems };
        let mut problems = Vec::new();
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect(),
            Err(e) => return Err(fail(vec![format!("{}: cannot be read: {e}", dir.display())])),
        };
        files.sort();
        let mut workflows = Vec::new();
        let mut escalations = Vec::new();
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        for file in files {
            let shown = file.display().to_string();
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(format!("{shown}: cannot be read: {e}"));
                    continue;
                }
            };
            if file.file_name().is_some_and(|n| n == "escalation.toml") {
                match parse_escalations(&text) {
                    Ok(e) => escalations = e,
                    Err(mut p) => problems.extend(p.drain(..).map(|p| format!("{shown}: {p}"))),
                }
                continue;
            }
            match parse_workflow(&text, dir, &file) {
                Ok(w) => {
                    if let Some(other) = seen.insert(w.id.clone(), file.clone()) {
                        problems.push(format!("{shown}: id: {:?} is also the id in {}", w.id, other.display()));
                    }
                    workflows.push(w);
                }
                Err(p) => problems.extend(p.into_iter().map(|p| format!("{shown}: {p}"))),
            }
        }
        if !workflows.iter().any(|w| w.id == TRIAGE) {
            problems.push(format!("{}: no workflow has id \"{TRIAGE}\" (where unclassified mail goes)", dir.display()));
        }
        if problems.is_empty() { Ok(Self { workflows, escalations }) } else { Err(fail(problems)) }
    }

    /// Every workflow, in file-name order.
    #[must_use]
    pub fn workflows(&self) -> &[Workflow] {
        &self.workflows
    }

    /// The escalation rules.
    #[must_use]
    pub fn escalations(&self) -> &[Escalation] {
        &self.escalations
    }

    /// One workflow by id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.id == id)
    }
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse::<Priority>().map_err(|e| e.to_string())
}

/// Parses and checks one workflow file; problems as `key: reason`.
fn parse_workflow(text: &str, dir: &Path, file: &Path) -> Result<Workflow, Vec<String>> {
    let raw: RawWorkflow = toml::from_str(text).map_err(|e| vec![toml_problem(&e)])?;
    let mut problems = Vec::new();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if raw.id != stem {
        problems.push(format!("id: {:?} must match the file name ({stem}.toml)", raw.id));
    }
    if raw.title.trim().is_empty() {
        problems.push("title: must not be empty".to_owned());
    }
    if raw.queue.trim().is_empty() {
        problems.push("queue: must not be empty".to_owned());
    }
    let priority = parse_priority(&raw.priority).map_err(|e| problems.push(format!("priority: {e}"))).ok();
    let t = &raw.target;
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
    let mut changes = Vec::new();
    for (i, c) in raw.changes.iter().enumerate() {
        match c.parse::<ChangeKind>() {
            Ok(k) => changes.push(k),
            Err(_) => problems.push(format!("changes[{i}]: {c:?} is not a known account change kind")),
        }
    }
    for (i, name) in raw.templates.iter().enumerate() {
        let ok_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let exists = ["email", "letter"].iter().any(|v| dir.join("templates").join(format!("{name}.{v}.j2")).is_file());
        if !ok_name || !exists {
            problems.push(format!(
                "templates[{i}]: {name:?} has no templates/{name}.email.j2 or templates/{name}.letter.j2"
            ));
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
        match RegexBuilder::new(r).case_insensitive(true).build() {
            Ok(re) => rules.regexes.push(re),
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
            queue: raw.queue,
            priority,
            target,
            changes,
            approval: raw.approval,
            templates: raw.templates,
            per_line: raw.per_line,
            rules,
            file: file.to_owned(),
        }),
        _ => Err(problems),
    }
}

fn parse_escalations(text: &str) -> Result<Vec<Escalation>, Vec<String>> {
    let raw: RawEscalations = toml::from_str(text).map_err(|e| vec![toml_problem(&e)])?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, e) in raw.escalate.into_iter().enumerate() {
        let to = parse_priority(&e.to).map_err(|p| problems.push(format!("escalate[{i}].to: {p}"))).ok();
        let mut words = Vec::new();
        for (j, w) in e.words.iter().enumerate() {
            match word_pattern(w) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue_with(files: &[(&str, &str)]) -> Result<Catalogue, CatalogueError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/ack.email.j2"), "Dear {{ name }}").unwrap();
        std::fs::write(
            dir.path().join("triage.toml"),
            "id = \"triage\"\ntitle = \"Triage\"\nservice = \"cross\"\nqueue = \"triage\"\npriority = \"P3\"\n[target]\nworking_days = 1\n",
        )
        .unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Catalogue::load(dir.path())
    }

    const GOOD: &str = "id = \"ct-moving-out\"\ntitle = \"Moving out\"\nservice = \"council_tax\"\nqueue = \"ct\"\n\
priority = \"P2\"\nchanges = [\"move_out\"]\ntemplates = [\"ack\"]\n[target]\nworking_days = 5\n\
[match]\nkeywords = [\"moved out\"]\n";

    #[test]
    fn a_good_catalogue_loads() {
        let c = catalogue_with(&[("ct-moving-out.toml", GOOD)]).unwrap();
        assert_eq!(c.workflows().len(), 2);
        let w = c.get("ct-moving-out").unwrap();
        assert_eq!(
            (w.priority, w.target, w.changes.as_slice()),
            (Priority::P2, Target::WorkingDays(5), &[ChangeKind::MoveOut][..])
        );
    }

    #[test]
    fn each_problem_is_named_with_file_key_and_reason() {
        let unknown_key = GOOD.replace("queue = \"ct\"", "queue = \"ct\"\nqueueue = \"x\"");
        let bad_change = GOOD.replace("move_out", "move_outt");
        let bad_regex = GOOD.replace("[match]", "[match]\nregexes = [\"(unclosed\"]");
        let no_template = GOOD.replace("[\"ack\"]", "[\"missing\"]");
        let err = catalogue_with(&[
            ("ct-moving-out.toml", &unknown_key),
            ("ct-b.toml", &bad_change.replace("ct-moving-out", "ct-b")),
            ("ct-c.toml", &bad_regex.replace("ct-moving-out", "ct-c")),
            ("ct-d.toml", &no_template.replace("ct-moving-out", "ct-d")),
            ("ct-e.toml", GOOD),
        ])
        .unwrap_err();
        let all = err.to_string();
        for expected in [
            "ct-moving-out.toml: unknown field `queueue`",
            "ct-b.toml: changes[0]: \"move_outt\" is not a known account change kind",
            "ct-c.toml: match.regexes[0]: \"(unclosed\" is not a valid regular expression",
            "ct-d.toml: templates[0]: \"missing\" has no templates/missing.email.j2",
            "ct-e.toml: id: \"ct-moving-out\" must match the file name",
        ] {
            assert!(all.contains(expected), "{expected:?} not in:\n{all}");
        }
    }

    #[test]
    fn an_id_is_its_file_name_so_a_second_file_cannot_reuse_it() {
        let err = catalogue_with(&[("ct-moving-out.toml", GOOD), ("ct-moving-out-2.toml", GOOD)]).unwrap_err();
        assert!(
            err.to_string().contains("ct-moving-out-2.toml: id: \"ct-moving-out\" must match the file name"),
            "{err}"
        );
        assert_eq!(err.problems.len(), 1);
    }

    #[test]
    fn words_match_whole_words_across_spaces() {
        let re = word_pattern("liability order").unwrap();
        assert!(re.is_match("a Liability\nOrder was made"));
        assert!(!word_pattern("court").unwrap().is_match("with courtesy"));
    }
}
