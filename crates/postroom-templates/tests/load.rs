//! The load check: every problem of a catalogue's templates, each naming the file (and field).

mod common;

use std::path::Path;

use common::{demo, sparse};
use postroom_templates::{Templates, Variant};
use postroom_workflows::Catalogue;

const WORKFLOW: &str = "id = \"ct-garden\"\ntitle = \"Garden waste\"\nservice = \"cross\"\nqueue = \"ct\"\n\
priority = \"P4\"\ntemplates = [\"garden\"]\n[target]\nworking_days = 10\n[match]\nkeywords = [\"brown bin\"]\n";

const GOOD: &str = "Subject: Your brown bin — {{ item.reference }}\n\nDear {{ account.name if account else \"Sir or Madam\" }},\n\
{% if account %}{% for i in account.instalments %}\n- {{ i.due }} {{ loop.index }}\n{% endfor %}{% endif %}\n{{ team.signature }}\n";

/// A catalogue directory: triage, `ct-garden` naming template `garden`, and these templates.
fn catalogue(templates: &[(&str, &str)]) -> Result<Catalogue, postroom_workflows::CatalogueError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows/triage.toml");
    std::fs::create_dir_all(dir.path().join("templates")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(shipped, dir.path().join("triage.toml")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("ct-garden.toml"), WORKFLOW).unwrap_or_else(|e| panic!("{e}"));
    for (name, text) in templates {
        std::fs::write(dir.path().join("templates").join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    Catalogue::load(dir.path())
}

fn problems(templates: &[(&str, &str)]) -> Vec<String> {
    let catalogue = catalogue(templates).unwrap_or_else(|e| panic!("{e}"));
    Templates::load(&catalogue).err().map(|e| e.problems).unwrap_or_default()
}

#[test]
fn good_templates_load_and_loop_variables_are_not_merge_fields() {
    assert_eq!(problems(&[("garden.email.j2", GOOD), ("garden.letter.j2", GOOD)]), Vec::<String>::new());
}

#[test]
fn the_built_in_templates_load() {
    let catalogue = Catalogue::built_in().unwrap_or_else(|e| panic!("{e}"));
    let templates = Templates::load(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let named: std::collections::BTreeSet<&str> =
        catalogue.workflows().iter().flat_map(|w| w.templates.iter().map(String::as_str)).collect();
    assert_eq!(templates.names().collect::<std::collections::BTreeSet<_>>(), named);
}

#[test]
fn an_unknown_merge_field_is_named_with_its_file() {
    let amount = GOOD.replace("{{ team.signature }}", "{{ amount }} {{ account.charge.totl }}");
    let found = problems(&[("garden.email.j2", &amount), ("garden.letter.j2", GOOD)]);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("templates/garden.email.j2: unknown merge field \"account.charge.totl\" (known: account, ")
    );
    assert!(found[1].contains("templates/garden.email.j2: unknown merge field \"amount\" (known: account, "));
    assert!(found[1].contains("account.charge.total, "), "{}", found[1]);
}

#[test]
fn a_syntax_error_and_a_missing_subject_are_named_with_their_files() {
    let unclosed = GOOD.replace("{% endfor %}", "");
    let no_subject = GOOD.replace("Subject: ", "");
    let catalogue = catalogue(&[("garden.email.j2", &unclosed), ("garden.letter.j2", &no_subject)])
        .unwrap_or_else(|e| panic!("{e}"));
    let err = Templates::load(&catalogue).err().unwrap_or_else(|| panic!("bad templates must not load"));
    let text = err.to_string();
    assert!(text.contains("have 2 problem(s)"), "{text}");
    assert_eq!(err.problems.len(), 2, "{text}");
    assert!(err.problems[0].contains("templates/garden.email.j2: syntax error"), "{text}");
    assert!(err.problems[1].contains("templates/garden.letter.j2: the first line must be \"Subject: …\""), "{text}");
}

#[test]
fn a_missing_letter_variant_stops_the_catalogue_naming_the_workflow_file() {
    let err = catalogue(&[("garden.email.j2", GOOD)]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("ct-garden.toml: templates[0]: \"garden\" has no templates/garden.letter.j2"), "{err}");
}

#[test]
fn strict_undefined_names_the_file_when_a_template_reads_an_absent_part() {
    let unguarded = GOOD.replace("{{ team.signature }}", "{{ account.charge.total }}");
    let catalogue =
        catalogue(&[("garden.email.j2", &unguarded), ("garden.letter.j2", GOOD)]).unwrap_or_else(|e| panic!("{e}"));
    let templates = Templates::load(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let err = templates.render("garden", Variant::Email, &sparse()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("templates/garden.email.j2: "), "{err}");
    assert!(err.contains("undefined"), "{err}");
    assert!(templates.render("garden", Variant::Email, &demo()).is_ok());
    assert!(templates.render("garden", Variant::Letter, &sparse()).is_ok());
}
