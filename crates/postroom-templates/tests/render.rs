//! Every template of the built-in catalogue, both variants, rendered against demo merge fields
//! (snapshots under `tests/snapshots/`), and against the sparest fields (no account, no
//! changes, no notes), which must render too.

mod common;

use common::{demo, sparse};
use postroom_templates::{MergeFields, Templates, Variant, html};
use postroom_workflows::Catalogue;

fn templates() -> Templates {
    let catalogue = Catalogue::built_in().unwrap_or_else(|e| panic!("{e}"));
    Templates::load(&catalogue).unwrap_or_else(|e| panic!("{e}"))
}

fn shown(templates: &Templates, name: &str, fields: &MergeFields, variant: Variant) -> String {
    let r = templates.render(name, variant, fields).unwrap_or_else(|e| panic!("{name} {variant}: {e}"));
    format!("Subject: {}\n\n{}", r.subject, r.body)
}

#[test]
fn every_template_renders_with_demo_fields() {
    let templates = templates();
    let names: Vec<&str> = templates.names().collect();
    assert_eq!(names.len(), 17, "{names:?}");
    for name in names {
        for variant in Variant::ALL {
            let text = shown(&templates, name, &demo(), variant);
            assert!(text.contains("PR-2026-004217"), "{name} {variant}: the subject carries the reference");
            assert!(text.contains("Council Tax Team\nRevenues and Benefits"), "{name} {variant}: signed");
            assert!(!text.contains("\n\n\n"), "{name} {variant}: no runs of blank lines:\n{text}");
            insta::assert_snapshot!(format!("{name}.{variant}"), text);
        }
    }
}

#[test]
fn every_template_renders_without_an_account_changes_or_notes() {
    let templates = templates();
    for name in templates.names() {
        for variant in Variant::ALL {
            let text = shown(&templates, name, &sparse(), variant);
            assert!(!text.contains("\n\n\n"), "{name} {variant}: no runs of blank lines:\n{text}");
            insta::assert_snapshot!(format!("{name}.{variant}.sparse"), text);
        }
    }
}

#[test]
fn the_notes_and_changes_appear_where_the_officer_put_them() {
    let templates = templates();
    let r = templates.render("change-confirmed", Variant::Email, &demo()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.subject, "Changes to your account — PR-2026-004217");
    assert!(r.body.starts_with("Dear Ann Smith and Bob Smith,\n\nThank you for your email of 2 December 2026.\n"));
    assert!(r.body.contains("- Single person discount (25%) from 1 June 2026\n- Instalments spread"), "{}", r.body);
    assert!(r.body.contains("in credit by £24.50"), "{}", r.body);
    let letter = templates.render("instalments-revised", Variant::Letter, &demo()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(letter.body.matches(": £12").count(), 10, "{}", letter.body);
    assert!(letter.body.contains("is £1,237.75"), "{}", letter.body);
    assert!(letter.body.ends_with("Email: counciltax@northby.example.gov.uk\n"), "{}", letter.body);
}

#[test]
fn an_unknown_template_is_an_error_naming_it() {
    let err = templates().render("no-such", Variant::Letter, &demo()).err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("there is no reply template \"no-such\" (letter)"));
}

#[test]
fn the_html_part_of_a_rendered_email_keeps_its_paragraphs() {
    let r = templates().render("refund-issued", Variant::Email, &demo()).unwrap_or_else(|e| panic!("{e}"));
    let page = html(&r.body);
    assert_eq!(page.matches("<p>").count(), r.body.trim().split("\n\n").count(), "{page}");
    assert!(page.contains("Council Tax Team<br>\nRevenues"), "{page}");
}
