//! The labelled corpus shipped in the repository (`tests/corpus/classification/train.toml` and
//! `letters.toml`, built into the binary). The held-out corpus (`heldout.toml`) is never trained
//! on: only `tests/heldout.rs` (which measures the model) and the benchmark (which times it)
//! read it.

use std::sync::LazyLock;

use serde::Deserialize;

/// One labelled letter: its text (the body, or the OCR text) and the workflow a person
/// chose for it (`triage` when none fits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub workflow: String,
}

#[derive(Deserialize)]
struct File {
    letter: Vec<Letter>,
}

#[derive(Deserialize)]
struct Letter {
    workflow: String,
    text: String,
}

/// The shipped corpus, parsed once.
#[derive(Debug)]
pub struct ShippedCorpus {
    pub examples: Vec<Example>,
}

const FILES: [(&str, &str); 2] = [
    ("train.toml", include_str!("../../../tests/corpus/classification/train.toml")),
    ("letters.toml", include_str!("../../../tests/corpus/classification/letters.toml")),
];

static SHIPPED: LazyLock<Result<ShippedCorpus, String>> = LazyLock::new(|| {
    let mut examples = Vec::new();
    for (name, text) in FILES {
        let file: File = toml::from_str(text).map_err(|e| format!("the shipped corpus {name}: {e}"))?;
        examples.extend(file.letter.into_iter().map(|l| Example { text: l.text, workflow: l.workflow }));
    }
    Ok(ShippedCorpus { examples })
});

/// The shipped corpus.
///
/// # Errors
/// When a shipped file does not parse (a build that would fail its own tests).
pub fn shipped() -> Result<&'static ShippedCorpus, String> {
    SHIPPED.as_ref().map_err(Clone::clone)
}
