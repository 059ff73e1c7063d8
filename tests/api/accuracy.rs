//! Measured accuracy: the labelled corpus in `tests/corpus/classification/letters.toml` (64
//! letters and emails covering every workflow, with messy phrasing, typos, OCR noise, forwarded
//! chains and several references in one letter) goes through the real service. The test reports
//! classification and account-matching accuracy and fails below 90% for either; the figures are
//! in the README.

use std::collections::HashMap;

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, TestApp};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    letter: Vec<Letter>,
}

#[derive(Deserialize)]
struct Letter {
    workflow: String,
    accounts: Vec<String>,
    sender: Option<String>,
    text: String,
}

const ACCOUNTS: &[SeedAccount<'static>] = &[
    SeedAccount {
        reference: "500123456",
        service: "council_tax",
        address: "14 Acacia Avenue, Anytown",
        postcode: "AN1 2BC",
        uprn: Some(100_023_336_956),
        party: "Jane Citizen",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "500234567",
        service: "council_tax",
        address: "3 Birch Close, Anytown",
        postcode: "AN2 3CD",
        uprn: None,
        party: "Mohammed Khan",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "500345678",
        service: "council_tax",
        address: "Flat 2, 9 Cedar Road, Anytown",
        postcode: "AN3 4EF",
        uprn: None,
        party: "Margaret Thompson",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "500456789",
        service: "council_tax",
        address: "22 Damson Way, Anytown",
        postcode: "AN4 5GH",
        uprn: None,
        party: "Peter O'Neill",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "500567890",
        service: "council_tax",
        address: "7 Elm Street, Anytown",
        postcode: "AN5 6JK",
        uprn: None,
        party: "Aisha Begum",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "500678901",
        service: "council_tax",
        address: "41 Fir Lane, Anytown",
        postcode: "AN6 7LM",
        uprn: None,
        party: "David Jones",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "500789012",
        service: "council_tax",
        address: "18 Grove Park, Anytown",
        postcode: "AN8 2UV",
        uprn: None,
        party: "Robert Williams",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "600111222",
        service: "business_rates",
        address: "Unit 4 Mill Trading Estate, Anytown",
        postcode: "AN7 8NP",
        uprn: None,
        party: "Bright Bakes Ltd",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "600222333",
        service: "business_rates",
        address: "12 High Street, Anytown",
        postcode: "AN1 9QR",
        uprn: None,
        party: "Hope Charity Shop",
        recovery_stage: None,
        vulnerable: false,
    },
    SeedAccount {
        reference: "600333444",
        service: "business_rates",
        address: "5 Market Square, Anytown",
        postcode: "AN2 1ST",
        uprn: None,
        party: "Riverside Cafe Ltd",
        recovery_stage: None,
        vulnerable: false,
    },
];

#[tokio::test]
async fn classification_and_account_matching_are_at_least_90_percent_accurate() -> anyhow::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/classification/letters.toml");
    let corpus: Corpus = toml::from_str(&std::fs::read_to_string(&path)?)?;
    anyhow::ensure!(corpus.letter.len() >= 60, "the corpus needs at least 60 letters");
    let app = TestApp::spawn().await?;
    for account in ACCOUNTS {
        app.seed_account(*account).await?;
    }
    let gateway = app.token("gateway", Role::Service)?;
    let mut letters = HashMap::new();
    for (n, letter) in corpus.letter.iter().enumerate() {
        let from = letter.sender.clone().unwrap_or_else(|| format!("customer{n}@example.org"));
        let raw = format!(
            "From: {from}\r\nTo: revenues@council.example\r\nSubject: Letter {n}\r\nMessage-ID: <corpus-{n}@example.org>\r\n\
             Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
            letter.text.replace('\n', "\r\n")
        );
        let resp = app.post_email(&gateway, raw, "").await?;
        anyhow::ensure!(resp.status() == 201, "letter {n}: {}", resp.status());
        let receipt: serde_json::Value = resp.json().await?;
        letters.insert(receipt["correspondence_id"].as_str().unwrap_or_default().to_owned(), n);
    }
    let items = app.all_work_items(&gateway).await?;
    assert_eq!(items.len(), corpus.letter.len());
    let (mut workflow_hits, mut account_hits) = (0, 0);
    let mut misses = Vec::new();
    for item in &items {
        let n = letters[item["correspondence_id"].as_str().unwrap_or_default()];
        let expected = &corpus.letter[n];
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &gateway).await?;
        let classified = detail["classification"]["classified_as"].as_str().unwrap_or("triage").to_owned();
        let mut linked: Vec<String> = detail["accounts"]
            .as_array()
            .map(|a| a.iter().map(|x| x["reference"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default();
        linked.sort();
        let mut wanted = expected.accounts.clone();
        wanted.sort();
        if classified == expected.workflow {
            workflow_hits += 1;
        } else {
            misses.push(format!("letter {n}: classified {classified}, expected {}", expected.workflow));
        }
        if linked == wanted {
            account_hits += 1;
        } else {
            misses.push(format!("letter {n}: accounts {linked:?}, expected {wanted:?}"));
        }
    }
    let total = f64::from(u32::try_from(corpus.letter.len())?);
    let classification = f64::from(workflow_hits) / total;
    let matching = f64::from(account_hits) / total;
    println!(
        "classification accuracy {:.1}% ({workflow_hits}/{total}); account matching accuracy {:.1}% ({account_hits}/{total})\n{}",
        classification * 100.0,
        matching * 100.0,
        misses.join("\n")
    );
    assert!(classification >= 0.9, "classification accuracy {classification:.3} < 0.90:\n{}", misses.join("\n"));
    assert!(matching >= 0.9, "account matching accuracy {matching:.3} < 0.90:\n{}", misses.join("\n"));
    Ok(())
}
