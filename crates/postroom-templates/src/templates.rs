//! [`Templates`]: every reply template of a catalogue, checked at load and ready to render.

use std::collections::BTreeMap;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use postroom_workflows::Catalogue;

use crate::{Variant, known_fields};

/// Every reply template of a catalogue, compiled and checked.
#[derive(Debug, Clone)]
pub struct Templates {
    env: Environment<'static>,
    /// How each template file is shown in errors, by `<name>.<variant>.j2`.
    shown: BTreeMap<String, String>,
}

/// Everything wrong with a catalogue's reply templates, each naming the file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the reply templates ({origin}) have {} problem(s):\n{}", problems.len(), problems.join("\n"))]
pub struct TemplateProblems {
    /// Where the catalogue came from ([`Catalogue::source`]).
    pub origin: String,
    /// One line per problem, each starting with the file.
    pub problems: Vec<String>,
}

/// The environment templates are rendered in: plain text (no escaping), undefined values are
/// errors, and a line with only a block tag leaves no blank line.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env
}

impl Templates {
    /// Compiles and checks every reply template of `catalogue`: each parses, starts with a
    /// `Subject:` line and reads only known merge fields ([`known_fields`]). (That each template
    /// a workflow names has both its email and its letter variant the catalogue has already
    /// checked: a [`Catalogue`] without them does not load.)
    ///
    /// # Errors
    /// Every problem found, each naming the file (and the field).
    pub fn load(catalogue: &Catalogue) -> Result<Self, TemplateProblems> {
        let known = known_fields();
        let known_list = known.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
        let mut problems = Vec::new();
        let mut env = environment();
        let mut shown = BTreeMap::new();
        for t in catalogue.templates() {
            let key = format!("{}.{}.j2", t.name, t.variant);
            if let Err(e) = env.add_template_owned(key.clone(), t.text.to_owned()) {
                problems.push(format!("{}: {e}", t.shown));
                continue;
            }
            if !t.text.starts_with("Subject:") {
                problems.push(format!("{}: the first line must be \"Subject: …\" (the reply's subject)", t.shown));
            }
            if let Ok(template) = env.get_template(&key) {
                let mut unknown: Vec<String> =
                    template.undeclared_variables(true).into_iter().filter(|v| !known.contains(v)).collect();
                unknown.sort();
                for field in unknown {
                    problems.push(format!("{}: unknown merge field {field:?} (known: {known_list})", t.shown));
                }
            }
            shown.insert(key, t.shown.to_owned());
        }
        if problems.is_empty() {
            Ok(Self { env, shown })
        } else {
            Err(TemplateProblems { origin: catalogue.source().to_owned(), problems })
        }
    }

    /// The names of the templates (as workflows name them), each once, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.shown.keys().filter_map(|k| k.split('.').next()).collect();
        names.dedup();
        names.into_iter()
    }

    pub(crate) fn key(name: &str, variant: Variant) -> String {
        format!("{name}.{variant}.j2")
    }

    pub(crate) fn shown(&self, key: &str) -> Option<&str> {
        self.shown.get(key).map(String::as_str)
    }

    pub(crate) fn env(&self) -> &Environment<'static> {
        &self.env
    }
}
