//! The catalogue: every workflow, the escalation rules and the reply templates, loaded from a
//! [`Source`] and checked as a whole.

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
};

use regex::Regex;
use serde::{Deserialize, Serialize};

use postroom_domain::{ChangeKind, Clock, Priority};

use crate::{
    parse::{parse_escalations, parse_workflow},
    safeguarding::Lexicon,
    source::Source,
};

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
    /// Regular expressions as written, with their compiled patterns.
    pub regexes: Vec<(String, Regex)>,
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
    /// What kind of correspondence it is (`refund`, `direct_debit`, ...): the Council Tax and
    /// Business Rates workflows of one kind are a family, and the account's service settles which
    /// of them an item takes (see [`crate::family`]).
    pub kind: Option<String>,
    /// The team's queue.
    pub queue: String,
    #[schema(value_type = String, example = "P2")]
    pub priority: Priority,
    pub target: Target,
    /// Working days after receipt to acknowledge it, beside the response `target` (a formal
    /// complaint: 5).
    pub acknowledge_working_days: Option<u32>,
    /// Stages chosen by words in the letter, each with its own targets (a complaint's stage 2).
    pub stages: Vec<crate::Stage>,
    /// Which calendar the target counts on: `statutory` for deadlines set by law (subject
    /// access), where council closure days are working days; `statutory_uk` the same with every
    /// UK bank holiday (FOI, FOIA s10(6)); `service` (the default) for internal targets, where
    /// closure days are not working days.
    #[schema(value_type = String, example = "statutory")]
    pub clock: Clock,
    /// Account changes an officer may apply when completing it.
    pub changes: Vec<ChangeKind>,
    /// Whether a team leader must approve the completion (four-eyes).
    pub approval: bool,
    /// Whether its replies are sensitive (bereavement, vulnerability, complaints, ...): a team
    /// leader other than the author approves each reply before it is sent.
    pub sensitive: bool,
    /// Reply templates (`workflows/templates/<name>.email.j2` / `.letter.j2`).
    pub templates: Vec<String>,
    /// One item per line that names an account and a reason code (Bacs reports listing many
    /// payers).
    pub per_line: bool,
    #[serde(skip)]
    #[schema(ignore)]
    pub rules: MatchRules,
    /// The file it was loaded from (a path on disk, or `built-in workflows/<id>.toml`).
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
    /// The safeguarding lexicon (`safeguarding.toml`; empty without one).
    safeguarding: Lexicon,
    /// Reply templates by file name (`refund-issued.email.j2`): (shown file name, text).
    templates: BTreeMap<String, (String, String)>,
    source: String,
}

/// One reply template file of a catalogue, as [`Catalogue::templates`] lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateFile<'a> {
    /// The template's name, as workflows name it (`refund-issued`).
    pub name: &'a str,
    /// `email` or `letter`.
    pub variant: &'a str,
    /// How the file is named in problems: a path on disk, or
    /// `built-in workflows/templates/refund-issued.email.j2`.
    pub shown: &'a str,
    /// The template's source text.
    pub text: &'a str,
}

/// The variants every reply template has: `<name>.email.j2` and `<name>.letter.j2`.
pub const TEMPLATE_VARIANTS: [&str; 2] = ["email", "letter"];

/// Everything wrong with the catalogue, each with file, key and reason.
#[derive(Debug, thiserror::Error)]
#[error("the workflow catalogue ({origin}) has {} problem(s):\n{}", problems.len(), problems.join("\n"))]
pub struct CatalogueError {
    /// Where the files came from ([`Source::description`]).
    pub origin: String,
    pub problems: Vec<String>,
}

impl Catalogue {
    /// Loads every `*.toml` in `dir` (and `escalation.toml`), with the templates in
    /// `dir/templates/`: a catalogue of that directory alone.
    ///
    /// # Errors
    /// Every problem found, each naming the file, the key and the reason.
    pub fn load(dir: &Path) -> Result<Self, CatalogueError> {
        Self::from_source(&Source::dir(dir)?)
    }

    /// The catalogue built into the binary (the repository's `workflows/`).
    ///
    /// # Errors
    /// Only if the shipped files are bad, which a test rules out.
    pub fn built_in() -> Result<Self, CatalogueError> {
        Self::from_source(&Source::built_in())
    }

    /// Parses and checks every file of `source`: each workflow, `escalation.toml`, the template
    /// each workflow names, and that there is a `triage` workflow.
    ///
    /// # Errors
    /// Every problem found, each naming the file, the key and the reason.
    pub fn from_source(source: &Source) -> Result<Self, CatalogueError> {
        let mut problems = Vec::new();
        let mut workflows = Vec::new();
        let mut escalations = Vec::new();
        let mut safeguarding = Lexicon::default();
        let mut templates = BTreeMap::new();
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (name, file) in &source.files {
            let shown = &file.shown;
            if let Some(template) = name.strip_prefix("templates/") {
                let variant = template.strip_suffix(".j2").and_then(|t| t.rsplit_once('.')).map(|(_, v)| v);
                if matches!(variant, Some("email" | "letter")) {
                    templates.insert(template.to_owned(), (shown.clone(), file.text.clone()));
                } else {
                    problems.push(format!("{shown}: a template is named <name>.email.j2 or <name>.letter.j2"));
                }
                continue;
            }
            let Some(stem) = name.strip_suffix(".toml") else { continue };
            if stem == "escalation" {
                match parse_escalations(&file.text) {
                    Ok(e) => escalations = e,
                    Err(p) => problems.extend(p.into_iter().map(|p| format!("{shown}: {p}"))),
                }
                continue;
            }
            if stem == "safeguarding" {
                match Lexicon::parse(&file.text) {
                    Ok(l) => safeguarding = l,
                    Err(p) => problems.extend(p.into_iter().map(|p| format!("{shown}: {p}"))),
                }
                continue;
            }
            match parse_workflow(file, stem, &source.files) {
                Ok(w) => {
                    if let Some(other) = seen.insert(w.id.clone(), shown) {
                        problems.push(format!("{shown}: id: {:?} is also the id in {other}", w.id));
                    }
                    workflows.push(w);
                }
                Err(p) => problems.extend(p.into_iter().map(|p| format!("{shown}: {p}"))),
            }
        }
        if !workflows.iter().any(|w| w.id == TRIAGE) {
            problems.push(format!("{source}: no workflow has id \"{TRIAGE}\" (where unclassified mail goes)"));
        }
        if problems.is_empty() {
            Ok(Self { workflows, escalations, safeguarding, templates, source: source.description().to_owned() })
        } else {
            Err(CatalogueError { origin: source.description().to_owned(), problems })
        }
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

    /// The safeguarding lexicon.
    #[must_use]
    pub fn safeguarding(&self) -> &Lexicon {
        &self.safeguarding
    }

    /// One workflow by id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.id == id)
    }

    /// The text of reply template `name` in `variant` (`email` or `letter`), if there is one.
    #[must_use]
    pub fn template(&self, name: &str, variant: &str) -> Option<&str> {
        self.templates.get(&format!("{name}.{variant}.j2")).map(|(_, text)| text.as_str())
    }

    /// Every reply template file, in file-name order, with the name it is shown by in problems.
    pub fn templates(&self) -> impl Iterator<Item = TemplateFile<'_>> {
        self.templates.iter().filter_map(|(file, (shown, text))| {
            let (name, variant) = file.strip_suffix(".j2")?.rsplit_once('.')?;
            Some(TemplateFile { name, variant, shown, text })
        })
    }

    /// Where it was loaded from, e.g. `built-in workflows`.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::word_pattern;

    fn catalogue_with(files: &[(&str, &str)]) -> Result<Catalogue, CatalogueError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/ack.email.j2"), "Dear {{ name }}").unwrap();
        std::fs::write(dir.path().join("templates/ack.letter.j2"), "Dear {{ name }}").unwrap();
        std::fs::write(dir.path().join("templates/email-only.email.j2"), "Dear {{ name }}").unwrap();
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
        let no_letter = GOOD.replace("[\"ack\"]", "[\"email-only\"]");
        let err = catalogue_with(&[
            ("ct-moving-out.toml", &unknown_key),
            ("ct-b.toml", &bad_change.replace("ct-moving-out", "ct-b")),
            ("ct-c.toml", &bad_regex.replace("ct-moving-out", "ct-c")),
            ("ct-d.toml", &no_template.replace("ct-moving-out", "ct-d")),
            ("ct-e.toml", GOOD),
            ("ct-f.toml", &no_letter.replace("ct-moving-out", "ct-f")),
        ])
        .unwrap_err();
        let all = err.to_string();
        for expected in [
            "ct-moving-out.toml: unknown field `queueue`",
            "ct-b.toml: changes[0]: \"move_outt\" is not a known account change kind",
            "ct-c.toml: match.regexes[0]: \"(unclosed\" is not a valid regular expression",
            "ct-d.toml: templates[0]: \"missing\" has no templates/missing.email.j2",
            "ct-d.toml: templates[0]: \"missing\" has no templates/missing.letter.j2",
            "ct-f.toml: templates[0]: \"email-only\" has no templates/email-only.letter.j2",
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
    fn templates_are_listed_with_name_variant_and_file() {
        let c = catalogue_with(&[("ct-moving-out.toml", GOOD)]).unwrap();
        let listed: Vec<(&str, &str, bool)> = c
            .templates()
            .map(|t| (t.name, t.variant, t.shown.ends_with(&format!("{}.{}.j2", t.name, t.variant))))
            .collect();
        assert_eq!(listed, [("ack", "email", true), ("ack", "letter", true), ("email-only", "email", true)]);
        assert!(c.templates().all(|t| t.text == "Dear {{ name }}"));
    }

    #[test]
    fn words_match_whole_words_across_spaces() {
        let re = word_pattern("liability order").unwrap();
        assert!(re.is_match("a Liability\nOrder was made"));
        assert!(!word_pattern("court").unwrap().is_match("with courtesy"));
        // An escalation acronym matches only in capitals: Mrs Iva Novak is not an IVA.
        use crate::parse::escalation_pattern;
        assert!(escalation_pattern("IVA").unwrap().is_match("I have entered an IVA."));
        assert!(!escalation_pattern("IVA").unwrap().is_match("Mrs Iva Novak"));
        assert!(escalation_pattern("debt relief order").unwrap().is_match("a Debt Relief Order"));
    }
}
