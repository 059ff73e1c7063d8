//! Words to numbers: the customer's own words (quoted history, signature, address lines and
//! street names left out by `postroom_workflows::read_letter`), lower-cased, split at anything
//! that is not a letter or a digit, words of two or more characters; weighted by sublinear TF
//! (`1 + ln tf`) times smoothed IDF (`ln((1 + n) / (1 + df)) + 1`), the row scaled to unit length.
//! A word seen in fewer than two training letters is not a feature: it cannot generalise.

use std::collections::{BTreeMap, HashMap};

/// The fitted vocabulary and each word's IDF.
#[derive(Debug, Clone)]
pub(crate) struct Features {
    index: HashMap<String, usize>,
    words: Vec<String>,
    idf: Vec<f64>,
}

/// Least number of training letters a word must appear in.
const MIN_LETTERS: usize = 2;

/// The words of `text` that count: the customer's own.
pub(crate) fn words(text: &str) -> Vec<String> {
    let own = postroom_workflows::read_letter(None, text).own;
    own.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2).map(str::to_lowercase).collect()
}

impl Features {
    pub(crate) fn fit(letters: &[Vec<String>]) -> Self {
        let mut df: BTreeMap<&str, usize> = BTreeMap::new();
        for words in letters {
            let mut seen: Vec<&str> = words.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for w in seen {
                *df.entry(w).or_default() += 1;
            }
        }
        let n = letters.len() as f64;
        let kept: Vec<(&str, usize)> = df.into_iter().filter(|(_, d)| *d >= MIN_LETTERS).collect();
        let words: Vec<String> = kept.iter().map(|(w, _)| (*w).to_owned()).collect();
        let idf = kept.iter().map(|(_, d)| ((1.0 + n) / (1.0 + *d as f64)).ln() + 1.0).collect();
        let index = words.iter().enumerate().map(|(i, w)| (w.clone(), i)).collect();
        Self { index, words, idf }
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    pub(crate) fn word(&self, i: usize) -> &str {
        &self.words[i]
    }

    /// The letter's non-zero features: `(index, weight)`, unit length.
    pub(crate) fn row(&self, words: &[String]) -> Vec<(usize, f64)> {
        let mut tf: BTreeMap<usize, f64> = BTreeMap::new();
        for w in words {
            if let Some(&i) = self.index.get(w) {
                *tf.entry(i).or_default() += 1.0;
            }
        }
        let mut row: Vec<(usize, f64)> = tf.into_iter().map(|(i, t)| (i, (1.0 + t.ln()) * self.idf[i])).collect();
        let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut row {
                *v /= norm;
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_words_are_dropped_and_rows_have_unit_length() {
        let letters: Vec<Vec<String>> =
            ["please refund me", "refund my account please", "a direct debit"].iter().map(|t| words(t)).collect();
        let f = Features::fit(&letters);
        assert_eq!(f.len(), 2, "only 'please' and 'refund' are in two letters");
        let row = f.row(&words("Refund refund, please!"));
        let norm: f64 = row.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-9);
        assert!(f.row(&words("nothing known")).is_empty());
    }

    #[test]
    fn quoted_history_and_signatures_are_not_the_customers_words() {
        let text = "Please cancel my direct debit.\n\nOn 1 May 2026, Council wrote:\n> your refund is ready";
        let w = words(text);
        assert!(w.contains(&"cancel".to_owned()));
        assert!(!w.contains(&"refund".to_owned()), "{w:?}");
    }
}
