use super::*;
use crate::Weights;

/// A catalogue of `(file stem, service, kind, keywords)`, each with the template `ack`.
fn catalogue(workflows: &[(&str, &str, Option<&str>, &str)]) -> Catalogue {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    for variant in ["email", "letter"] {
        std::fs::write(dir.path().join(format!("templates/ack.{variant}.j2")), "Dear {{ name }}").unwrap();
    }
    std::fs::write(
        dir.path().join("triage.toml"),
        "id = \"triage\"\ntitle = \"Triage\"\nservice = \"cross\"\nqueue = \"triage\"\npriority = \"P3\"\n[target]\nworking_days = 1\n",
    )
    .unwrap();
    for (id, service, kind, keywords) in workflows {
        let mut kind = kind.map(|k| format!("kind = \"{k}\"\n")).unwrap_or_default();
        if id.contains("bacs") {
            kind.push_str("per_line = true\n");
        }
        let text = format!(
            "id = \"{id}\"\ntitle = \"{id}\"\nservice = \"{service}\"\n{kind}queue = \"q\"\npriority = \"P2\"\n\
             templates = [\"ack\"]\n[target]\nworking_days = 5\n[match]\nkeywords = [{keywords}]\n"
        );
        std::fs::write(dir.path().join(format!("{id}.toml")), text).unwrap();
    }
    Catalogue::load(dir.path()).unwrap()
}

fn families() -> Catalogue {
    catalogue(&[
        ("ct-refund", "council_tax", Some("refund"), "\"refund\", \"overpaid\", \"paid twice\""),
        ("br-refund", "business_rates", Some("refund"), "\"refund\", \"overpaid\", \"rates refund\""),
        ("ct-direct-debit", "council_tax", Some("direct_debit"), "\"direct debit\", \"mandate\""),
        ("br-direct-debit", "business_rates", Some("direct_debit"), "\"direct debit\""),
        ("ct-moving-in", "council_tax", Some("occupation_change"), "\"moved in\""),
        ("ct-moving-out", "council_tax", Some("occupation_change"), "\"moved out\""),
        ("br-occupation", "business_rates", Some("occupation_change"), "\"vacated\""),
        ("ct-tracing", "council_tax", None, "\"gone away\""),
        ("ct-bacs", "council_tax", Some("bacs_report"), "\"ADDACS\", \"reason code\""),
        ("br-bacs", "business_rates", Some("bacs_report"), "\"ADDACS\", \"reason code\""),
        ("complaint", "cross", None, "\"complaint\", \"unhappy\", \"formal complaint\""),
    ])
}

fn evidence(text: &str, sender: Option<&str>, services: &[Service]) -> Evidence {
    Evidence {
        sender: sender.map(str::to_owned),
        text: text.to_owned(),
        services: services.to_vec(),
        ..Evidence::default()
    }
}

fn classify(c: &Catalogue, e: &Evidence) -> crate::Classification {
    c.classify(e, 3.0, Weights::default())
}

#[test]
fn a_business_rates_account_takes_the_business_rates_workflow_of_the_kind_with_the_score_kept() {
    let c = families();
    let e =
        evidence("Please cancel the direct debit and the mandate, account 600111222.", None, &[Service::BusinessRates]);
    let without = classify(&c, &Evidence { services: Vec::new(), ..e.clone() });
    assert_eq!(without.workflow.as_deref(), Some("ct-direct-debit"), "{without:#?}");
    let with = classify(&c, &e);
    assert_eq!(with.workflow.as_deref(), Some("br-direct-debit"), "{with:#?}");
    let best = &with.candidates[0];
    assert_eq!(best.score, without.candidates[0].score, "the score is kept");
    let family = best.fired.iter().find(|f| f.kind == "family").unwrap();
    assert_eq!(family.value, "br-direct-debit in place of ct-direct-debit: the linked account is Business Rates");
    assert!(family.weight.abs() < f32::EPSILON);
    // The Business Rates workflow's own, lower score is not listed beside it.
    assert_eq!(with.candidates.iter().filter(|m| m.workflow == "br-direct-debit").count(), 1);
}

#[test]
fn a_council_tax_account_takes_the_council_tax_workflow_of_the_kind() {
    let c = families();
    let e = evidence("I would like a rates refund please, my refund is overdue.", None, &[Service::CouncilTax]);
    assert_eq!(classify(&c, &Evidence { services: Vec::new(), ..e.clone() }).workflow.as_deref(), Some("br-refund"));
    let with = classify(&c, &e);
    assert_eq!(with.workflow.as_deref(), Some("ct-refund"), "{with:#?}");
    assert!(with.candidates[0].fired.iter().any(|f| f.value.contains("the linked account is Council Tax")));
}

#[test]
fn a_tie_between_the_services_is_settled_by_the_account() {
    let c = families();
    let text = "I paid twice so I overpaid: a rates refund please";
    // Nothing to go on: a person, so Council Tax, and the evidence says why.
    let open = classify(&c, &evidence(text, None, &[]));
    assert_eq!(open.workflow.as_deref(), Some("ct-refund"), "{open:#?}");
    let lost = open.candidates.iter().find(|m| m.workflow == "br-refund").unwrap();
    assert_eq!(lost.score, open.candidates[0].score - TIE_BREAK);
    assert!(lost.fired.iter().any(|f| f.value.ends_with("no account is linked and the sender is not a company")));
    for (service, id) in [(Service::BusinessRates, "br-refund"), (Service::CouncilTax, "ct-refund")] {
        let settled = classify(&c, &evidence(text, None, &[service]));
        assert_eq!(settled.workflow.as_deref(), Some(id), "{settled:#?}");
    }
}

#[test]
fn a_company_sender_with_no_account_is_business_rates() {
    let c = families();
    let text =
        "Please cancel our direct debit and the mandate.\n\nRegards,\nJo Bloggs\nFinance Manager\nBright Bakes Ltd";
    let e = evidence(text, None, &[]);
    assert_eq!(company_sender(&e).as_deref(), Some("Bright Bakes Ltd"));
    let got = classify(&c, &e);
    assert_eq!(got.workflow.as_deref(), Some("br-direct-debit"), "{got:#?}");
    assert!(got.candidates[0].fired.iter().any(|f| f.value.ends_with("the sender is a company (Bright Bakes Ltd)")));
    // In the sender's name too; and an account's service outranks the company.
    let by_name =
        evidence("cancel the direct debit and the mandate", Some("Hope Trading CIC <accounts@hope.example>"), &[]);
    assert_eq!(classify(&c, &by_name).workflow.as_deref(), Some("br-direct-debit"));
    let with_account = evidence(text, None, &[Service::CouncilTax]);
    assert_eq!(classify(&c, &with_account).workflow.as_deref(), Some("ct-direct-debit"));
    // A person is not a company, nor is "limited" in a sentence.
    for text in
        ["cancel the direct debit and the mandate. Jane Citizen", "my income is limited, cancel the direct debit"]
    {
        assert_eq!(company_sender(&evidence(text, None, &[])), None, "{text}");
    }
}

#[test]
fn cross_workflows_and_workflows_without_a_sibling_are_untouched() {
    let c = families();
    let complaint = classify(&c, &evidence("a formal complaint: I am unhappy", None, &[Service::BusinessRates]));
    assert_eq!(complaint.workflow.as_deref(), Some("complaint"));
    assert!(complaint.candidates.iter().flat_map(|m| &m.fired).all(|f| f.kind != "family"));
    let tracing = classify(&c, &evidence("gone away, gone away. Acme Ltd", None, &[Service::BusinessRates]));
    assert_eq!(tracing.candidates[0].workflow, "ct-tracing");
    // Two Council Tax workflows of the kind: a Business Rates one has no single sibling to become.
    let vacated = classify(&c, &evidence("we vacated, vacated the unit", None, &[Service::CouncilTax]));
    assert_eq!(vacated.candidates[0].workflow, "br-occupation");
    let moved = classify(&c, &evidence("we moved out, moved out", None, &[Service::BusinessRates]));
    assert_eq!(moved.candidates[0].workflow, "br-occupation", "{moved:#?}");
}

#[test]
fn accounts_of_both_services_settle_nothing() {
    let e = evidence("Acme Ltd", None, &[Service::CouncilTax, Service::BusinessRates]);
    assert_eq!(settled_service(&e), None);
    let one = evidence("", None, &[Service::BusinessRates, Service::BusinessRates]);
    assert_eq!(settled_service(&one).map(|s| s.service), Some(Service::BusinessRates));
}

#[test]
fn a_kind_is_checked() {
    assert_eq!(kind_problem(None, Service::Cross), None);
    assert_eq!(kind_problem(Some("direct_debit"), Service::BusinessRates), None);
    assert!(kind_problem(Some("Direct Debit"), Service::CouncilTax).unwrap().contains("is not a kind"));
    assert!(kind_problem(Some("refund"), Service::Cross).unwrap().contains("cross-cutting"));
}

#[test]
fn a_report_naming_accounts_of_both_services_is_one_candidate_routed_line_by_line() {
    let c = families();
    let text = "ADDACS report\n500123456 reason code 1\n600111222 reason code B";
    let mixed = classify(&c, &evidence(text, None, &[Service::CouncilTax, Service::BusinessRates]));
    assert_eq!(mixed.workflow.as_deref(), Some("ct-bacs"), "{mixed:#?}");
    assert!(mixed.candidates.iter().all(|m| m.workflow != "br-bacs"));
    assert!(mixed.candidates[0].fired.iter().any(|f| f.kind == "family" && f.value.contains("each line")));
    let ct = c.get("ct-bacs").unwrap();
    assert_eq!(c.for_service(ct, Service::BusinessRates).id, "br-bacs");
    assert_eq!(c.for_service(ct, Service::CouncilTax).id, "ct-bacs");
    // Without accounts, a tie goes to Council Tax; with a Business Rates company, to Business Rates.
    assert_eq!(classify(&c, &evidence(text, None, &[])).workflow.as_deref(), Some("ct-bacs"));
    let company = evidence(text, Some("Bright Bakes Ltd <bb@example.org>"), &[]);
    assert_eq!(classify(&c, &company).workflow.as_deref(), Some("br-bacs"));
}
