//! Negation for escalation words: "we are not in court" is not court action, "I haven't had a
//! summons" is not a summons. A word counts unless a negation stands just before it, with at most
//! three small linking words between ("not in", "not going to", "haven't received a"); a
//! negated verb does not negate the word ("I cannot attend court", "don't send the bailiffs" are
//! still court and bailiffs). Safeguarding does not use this: a negated risk is still a risk.

use regex::Regex;

/// Words that negate what follows (apostrophes removed).
const NEGATORS: &[&str] = &[
    "not", "no", "never", "nor", "without", "dont", "didnt", "doesnt", "isnt", "arent", "wasnt", "werent", "havent",
    "hasnt", "hadnt", "wont", "cant", "cannot", "neither",
];

/// Words a negation reaches across to the word it negates ("not *in* court", "not *going to*
/// court", "haven't *received a* summons"). Any other word stops it.
const BRIDGES: &[&str] = &[
    "a", "an", "any", "the", "in", "at", "to", "be", "been", "being", "had", "have", "has", "received", "got", "get",
    "gone", "going", "yet",
];

/// Whether `re` matches `text` at least once without a negation just before it.
pub(crate) fn affirmed(re: &Regex, text: &str) -> bool {
    re.find_iter(text).any(|m| !negated(text.get(..m.start()).unwrap_or_default()))
}

/// Whether the end of `before` (the text up to a match) negates it.
fn negated(before: &str) -> bool {
    let clause = before.rsplit(['.', '!', '?', ';', ':', ',', '\n']).next().unwrap_or_default();
    let words: Vec<String> = clause
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect())
        .collect();
    for w in words.iter().rev().take(4) {
        if NEGATORS.contains(&w.as_str()) {
            return true;
        }
        if !BRIDGES.contains(&w.as_str()) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::word_pattern;

    fn court(text: &str) -> bool {
        affirmed(&word_pattern("court").unwrap(), text)
    }

    #[test]
    fn a_negated_escalation_word_does_not_count() {
        assert!(!court("We are not in court."));
        assert!(!court("I am not going to court over this"));
        assert!(!court("There is no court date."));
        assert!(affirmed(&word_pattern("summons").unwrap(), "I didn't pay, so I got a summons"));
        assert!(!affirmed(&word_pattern("summons").unwrap(), "I haven't received a summons"));
    }

    #[test]
    fn an_affirmed_word_counts_even_beside_a_negated_one() {
        assert!(court("I have a court date."));
        assert!(court("I did not pay and now I have to go to court"));
        assert!(court("We are not in court, but the court wrote to us"));
        assert!(court("No. The court says I owe it."));
        assert!(court("I cannot attend court on 14 December."));
        assert!(affirmed(&word_pattern("bailiffs").unwrap(), "Please don't send the bailiffs, I will pay"));
    }
}
