//! Measured accuracy. The labelled corpus in `tests/corpus/classification/letters.toml` (64
//! letters and emails covering every workflow, with messy phrasing, typos, OCR noise, forwarded
//! chains and several references in one letter) goes through the real service. The test reports
//! classification and account-matching accuracy and fails below 90% for either. The held-out
//! corpus `heldout.toml` (154, written without sight of the match rules and never used for
//! tuning) measures mail the classifier has never seen. The figures are in the README.

use std::collections::HashMap;

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, TestApp};

/// Today's held-out accuracy, rounded down (see the README's Workflows section).
const HELD_OUT_RIGHT_FLOOR: f64 = 0.89;
/// Today's held-out wrong-workflow rate, rounded up.
const HELD_OUT_WRONG_CEILING: f64 = 0.033;
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

/// What the service made of a corpus.
struct Report {
    total: usize,
    right: usize,
    /// Sent to another workflow (not triage) than the right one.
    wrong: usize,
    /// Left in triage though a workflow was right.
    triaged: usize,
    accounts_right: usize,
    /// (expected, classified) → how many, for every letter not classified right.
    confusion: std::collections::BTreeMap<(String, String), usize>,
    misses: Vec<String>,
}

impl Report {
    fn rate(&self, n: usize) -> f64 {
        f64::from(u32::try_from(n).unwrap_or(u32::MAX)) / f64::from(u32::try_from(self.total.max(1)).unwrap_or(1))
    }

    fn summary(&self, name: &str) -> String {
        let confusion: Vec<String> =
            self.confusion.iter().map(|((want, got), n)| format!("  {want} -> {got}: {n}")).collect();
        format!(
            "{name}: {} letters; workflow right {:.1}% ({}), wrong workflow {:.1}% ({}), left in triage {:.1}% ({}); \
             accounts right {:.1}% ({})\nconfusion (expected -> classified):\n{}\n{}",
            self.total,
            self.rate(self.right) * 100.0,
            self.right,
            self.rate(self.wrong) * 100.0,
            self.wrong,
            self.rate(self.triaged) * 100.0,
            self.triaged,
            self.rate(self.accounts_right) * 100.0,
            self.accounts_right,
            confusion.join("\n"),
            self.misses.join("\n")
        )
    }
}

/// Sends every letter of `corpus/classification/<file>` through the real service as an email
/// and compares the workflow and accounts each item got with the labels.
async fn measure(file: &str) -> anyhow::Result<Report> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/classification").join(file);
    let corpus: Corpus = toml::from_str(&std::fs::read_to_string(&path)?)?;
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
    let mut items = app.all_work_items(&gateway).await?;
    // A Bacs report of several payers is one item per line, all classified alike: one per letter.
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i["correspondence_id"].as_str().unwrap_or_default().to_owned()));
    anyhow::ensure!(
        items.len() == corpus.letter.len(),
        "{} letters' items for {} letters",
        items.len(),
        corpus.letter.len()
    );
    let mut report = Report {
        total: items.len(),
        right: 0,
        wrong: 0,
        triaged: 0,
        accounts_right: 0,
        confusion: std::collections::BTreeMap::new(),
        misses: Vec::new(),
    };
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
            report.right += 1;
        } else {
            if classified == "triage" {
                report.triaged += 1;
            } else {
                report.wrong += 1;
            }
            *report.confusion.entry((expected.workflow.clone(), classified.clone())).or_default() += 1;
            report.misses.push(format!("letter {n}: classified {classified}, expected {}", expected.workflow));
        }
        if linked == wanted {
            report.accounts_right += 1;
        } else {
            report.misses.push(format!("letter {n}: accounts {linked:?}, expected {wanted:?}"));
        }
    }
    Ok(report)
}

#[tokio::test]
async fn classification_and_account_matching_are_at_least_90_percent_accurate() -> anyhow::Result<()> {
    let report = measure("letters.toml").await?;
    assert!(report.total >= 60, "the corpus needs at least 60 letters");
    println!("{}", report.summary("letters.toml"));
    let (classification, matching) = (report.rate(report.right), report.rate(report.accounts_right));
    assert!(classification >= 0.9, "classification accuracy {classification:.3} < 0.90:\n{}", report.misses.join("\n"));
    assert!(matching >= 0.9, "account matching accuracy {matching:.3} < 0.90:\n{}", report.misses.join("\n"));
    Ok(())
}

/// The held-out corpus (`heldout.toml`: written without sight of the match rules, never used
/// for tuning or training) measures how the classifier does on mail it has never seen. The
/// figures are in the README; the floors are today's, so that nothing makes them worse (issue
/// #17 raises them to 90% right, at most 3% wrong).
#[tokio::test]
async fn held_out_mail_is_classified_no_worse_than_the_figures_in_the_readme() -> anyhow::Result<()> {
    let report = measure("heldout.toml").await?;
    assert!(report.total >= 100, "the held-out corpus needs at least 100 letters");
    println!("{}", report.summary("heldout.toml"));
    let (right, wrong) = (report.rate(report.right), report.rate(report.wrong));
    assert!(
        right >= HELD_OUT_RIGHT_FLOOR,
        "held-out accuracy {right:.3} < {HELD_OUT_RIGHT_FLOOR}:\n{}",
        report.summary("heldout.toml")
    );
    assert!(
        wrong <= HELD_OUT_WRONG_CEILING,
        "held-out wrong-workflow rate {wrong:.3} > {HELD_OUT_WRONG_CEILING}:\n{}",
        report.summary("heldout.toml")
    );
    Ok(())
}
