//! The district and its samples.

use postroom_charges::Band;

use crate::{
    district,
    samples::{SampleBody, correspondence},
    summarise,
};

use postroom_accounts::change::bacs_reference_problem;
use postroom_workflows::{Catalogue, Evidence, IdentifierFinder, Weights};

#[test]
fn the_district_is_the_same_for_the_same_seed_and_has_the_promised_mix() {
    let a = district(3000, 7);
    assert_eq!(a, district(3000, 7), "deterministic");
    assert_ne!(a, district(3000, 8), "the seed matters");
    let s = summarise(&a);
    assert_eq!(s.council_tax + s.business_rates, 3000);
    assert_eq!(s.business_rates, 300);
    assert!(s.closed > 50 && s.properties < 3000, "former occupiers share their property: {s:?}");
    assert!((1500..=2100).contains(&s.mandates), "about 60% pay by Direct Debit: {s:?}");
    assert!((150..=330).contains(&s.in_recovery), "about 8% in recovery: {s:?}");
    assert!(s.single_person_discounts > 400 && s.small_business_reliefs > 50 && s.charitable_reliefs > 0, "{s:?}");
    assert!(s.vulnerable > 0);
    for band in Band::ALL {
        assert!(a.iter().any(|x| x.property.valuation.band == Some(band)), "band {band} appears");
    }
    let finder = IdentifierFinder::new(&[r"\b\d{8,10}\b".to_owned()]).unwrap_or_else(|e| panic!("{e}"));
    for x in &a {
        assert_eq!(finder.find(&x.reference).references, std::slice::from_ref(&x.reference));
        let postcode = x.property.postcode.clone().unwrap_or_default();
        assert_eq!(finder.find(&postcode).postcodes, std::slice::from_ref(&postcode), "a valid postcode");
        if let Some(m) = &x.mandate {
            assert_eq!(bacs_reference_problem(&m.reference), None);
            assert!(m.payer_name.chars().count() <= 18 && m.sort_code.len() == 6 && m.account_number.len() == 8);
        }
        if let Some(stage) = x.recovery_stage {
            assert!(stage.applies_to(x.service));
        }
    }
}

#[test]
fn every_sample_is_classified_to_its_workflow_and_quotes_its_account() {
    let catalogue = Catalogue::built_in().unwrap_or_else(|e| panic!("{e}"));
    let district = district(2000, 1);
    let samples = correspondence(&district, 60, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(samples.len(), 60);
    assert_eq!(samples.iter().filter(|s| matches!(s.body, SampleBody::Letter { .. })).count(), 20);
    for sample in &samples {
        let evidence =
            Evidence { text: sample.text.clone(), subject: Some(sample.subject.clone()), ..Evidence::default() };
        let got = catalogue.classify(&evidence, 3.0, Weights::default());
        assert_eq!(got.workflow.as_deref(), Some(sample.workflow), "{}\n{got:?}", sample.text);
        assert!(sample.text.contains(&sample.reference));
    }
}

/// What `pdftotext` (as intake runs it) reads from `pdf`.
fn pdftotext(pdf: &[u8]) -> String {
    use std::{
        io::Write as _,
        process::{Command, Stdio},
    };
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext runs");
    child.stdin.take().expect("stdin").write_all(pdf).expect("pdf written");
    let out = child.wait_with_output().expect("pdftotext finishes");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn a_sample_letter_reads_back_as_its_subject_and_text() {
    let district = district(300, 1);
    let samples = correspondence(&district, 9, 1).unwrap_or_else(|e| panic!("{e}"));
    let letters: Vec<_> = samples
        .iter()
        .filter_map(|s| if let SampleBody::Letter { pdf, .. } = &s.body { Some((s, pdf)) } else { None })
        .collect();
    assert_eq!(letters.len(), 3);
    for (sample, pdf) in letters {
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let got = words(&pdftotext(pdf));
        assert_eq!(got, words(&format!("{}\n\n{}", sample.subject, sample.text)));
    }
    let got = pdftotext(
        &postroom_pdf::document("Dear (Sir)\\Madam £5, café\nI moved out on 3 March").unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(got.trim(), "Dear (Sir)\\Madam £5, café\nI moved out on 3 March");
}
