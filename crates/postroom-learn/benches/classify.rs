//! How long classifying one letter takes: `cargo bench -p postroom-learn --bench classify`.
//!
//! Trains the word model on the shipped corpus (timed), then classifies every letter of the three
//! labelled corpora (`tests/corpus/classification/`: letters, train and held-out, about 770
//! letters from one line to several paragraphs) as the worker does: the built-in catalogue's
//! rules (reading the customer's own words, every workflow's rules, escalation and safeguarding),
//! the model's reading and the combination, `BENCH_RUNS` times over (default 20), and prints the
//! median and 95th percentile per letter, the slowest single run, and the slowest letter at its
//! best run, as a Markdown table. Nothing is asserted:
//! the figures depend on the machine (the README has this machine's).

use std::{
    io::Write,
    path::Path,
    time::{Duration, Instant},
};

use postroom_learn::{Policy, WordModel, decide, shipped};
use postroom_workflows::{Catalogue, Evidence, Weights};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    letter: Vec<Letter>,
}

#[derive(Deserialize)]
struct Letter {
    sender: Option<String>,
    text: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    let catalogue = Catalogue::built_in()?;
    let started = Instant::now();
    let model = WordModel::train(&shipped()?.examples, &catalogue)?;
    let training = started.elapsed();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/classification");
    let mut letters = Vec::new();
    for file in ["letters.toml", "train.toml", "heldout.toml"] {
        let corpus: Corpus = toml::from_str(&std::fs::read_to_string(dir.join(file))?)?;
        letters.extend(corpus.letter);
    }
    let evidence: Vec<Evidence> = letters
        .into_iter()
        .map(|l| Evidence { sender: l.sender, subject: None, text: l.text, ..Evidence::default() })
        .collect();
    let mut times = Vec::with_capacity(evidence.len() * runs);
    for _ in 0..runs {
        for e in &evidence {
            let started = Instant::now();
            let mut decided = catalogue.classify(e, 3.0, Weights::default());
            decide(&catalogue, e, &mut decided, &model.predict(&e.text), 1, Policy::default());
            times.push(started.elapsed());
            std::hint::black_box(decided);
        }
    }
    // Each letter at its fastest run: the slowest of these is the slowest letter, free of the
    // pauses a busy machine adds to single runs.
    let n = evidence.len();
    let slowest_letter =
        (0..n).filter_map(|i| times.iter().skip(i).step_by(n).min().copied()).max().unwrap_or_default();
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "training on {} letters ({} words): {:.1} s\n",
        model.examples(),
        model.vocabulary(),
        training.as_secs_f64()
    )?;
    writeln!(out, "| letters | runs | median | 95th percentile | slowest run | slowest letter (its best run) |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    writeln!(
        out,
        "| {n} | {runs} | {:.3} ms | {:.3} ms | {:.3} ms | {:.3} ms |",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(times[times.len() - 1]),
        ms(slowest_letter)
    )?;
    Ok(())
}
