//! Offline accuracy of the built-in catalogue's match rules on the labelled corpora
//! (`tests/corpus/classification/train.toml` and `letters.toml`): every letter is classified as
//! the worker does (sender and text, default weights, the default threshold) and counted as right,
//! sent to the wrong workflow, or left in triage. The floors below are the figures the rules
//! reached, so a rule change that loses ground fails here. Run with `--nocapture` to see the
//! rates and every miss. The held-out corpus is deliberately not read here.

use std::{collections::BTreeMap, path::PathBuf};

use postroom_workflows::{Catalogue, Evidence, TRIAGE, Weights};
use serde::Deserialize;

/// `workflows.threshold`'s default (crates/postroom-config).
const THRESHOLD: f32 = 3.0;

/// Floors and ceilings: the figures the rules reached (raise them when the rules improve).
const TRAIN_RIGHT: usize = 566;
const TRAIN_WRONG: usize = 50;
const LETTERS_RIGHT: usize = 64;
const LETTERS_WRONG: usize = 0;

#[derive(Deserialize)]
struct Corpus {
    letter: Vec<Letter>,
}

#[derive(Deserialize)]
struct Letter {
    workflow: String,
    sender: Option<String>,
    text: String,
}

/// What happened to one corpus.
#[derive(Default)]
struct Tally {
    total: usize,
    right: usize,
    wrong: usize,
    triage: usize,
    misses: Vec<String>,
    /// Wrong-workflow errors by `(expected, got)`.
    confusions: BTreeMap<(String, String), usize>,
}

impl Tally {
    fn pct(&self, n: usize) -> f64 {
        if self.total == 0 { 0.0 } else { 100.0 * n as f64 / self.total as f64 }
    }
}

fn corpus(name: &str) -> Corpus {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/classification").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn first_line(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(110).collect()
}

#[expect(clippy::print_stdout, reason = "the rates and the misses are the report this test gives (--nocapture)")]
fn run(name: &str) -> Tally {
    let catalogue = Catalogue::built_in().unwrap_or_else(|e| panic!("{e}"));
    let mut tally = Tally::default();
    for (i, letter) in corpus(name).letter.iter().enumerate() {
        assert!(
            letter.workflow == TRIAGE || catalogue.get(&letter.workflow).is_some(),
            "{name} letter {i}: unknown workflow {}",
            letter.workflow
        );
        let evidence = Evidence { sender: letter.sender.clone(), text: letter.text.clone(), ..Evidence::default() };
        let c = catalogue.classify(&evidence, THRESHOLD, Weights::default());
        let got = c.workflow.as_deref().unwrap_or(TRIAGE);
        tally.total += 1;
        if got == letter.workflow {
            tally.right += 1;
            continue;
        }
        if got == TRIAGE {
            tally.triage += 1;
        } else {
            tally.wrong += 1;
            *tally.confusions.entry((letter.workflow.clone(), got.to_owned())).or_default() += 1;
        }
        let why: Vec<String> = c
            .candidates
            .iter()
            .take(3)
            .map(|m| {
                let fired: Vec<&str> = m.fired.iter().map(|f| f.value.as_str()).collect();
                format!("{} {} [{}]", m.workflow, m.score, fired.join(", "))
            })
            .collect();
        let mark = if got == TRIAGE { "TRIAGE" } else { "WRONG " };
        tally.misses.push(format!(
            "{mark} #{i} want {} got {got}\n    {}\n    candidates: {}",
            letter.workflow,
            first_line(&letter.text),
            why.join(" | ")
        ));
    }
    println!(
        "{name}: {} letters, right {} ({:.1}%), wrong workflow {} ({:.1}%), triage {} ({:.1}%)",
        tally.total,
        tally.right,
        tally.pct(tally.right),
        tally.wrong,
        tally.pct(tally.wrong),
        tally.triage,
        tally.pct(tally.triage)
    );
    for ((want, got), n) in &tally.confusions {
        println!("  confusion: {want} -> {got}: {n}");
    }
    for m in &tally.misses {
        println!("  {m}");
    }
    tally
}

#[test]
fn the_rules_classify_the_training_corpus() {
    let t = run("train.toml");
    assert_eq!(t.total, 750, "train.toml changed size: revisit the floors");
    // Before the plain-language rules: 37 right (8.1%), 20 wrong (4.4%), 401 in triage.
    assert!(t.right >= TRAIN_RIGHT, "right {} fell below the floor {TRAIN_RIGHT}", t.right);
    assert!(t.wrong <= TRAIN_WRONG, "wrong-workflow {} rose above the ceiling {TRAIN_WRONG}", t.wrong);
}

#[test]
fn the_rules_classify_the_shipped_letters() {
    let t = run("letters.toml");
    assert_eq!(t.total, 64, "letters.toml changed size: revisit the floors");
    assert!(t.pct(t.right) >= 90.0, "letters.toml must stay at least 90% right: {:.1}%", t.pct(t.right));
    assert!(t.right >= LETTERS_RIGHT, "right {} fell below the floor {LETTERS_RIGHT}", t.right);
    assert_eq!(t.wrong, LETTERS_WRONG, "letters.toml: no letter may reach the wrong workflow");
}
