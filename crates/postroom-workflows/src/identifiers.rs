//! Finding account identifiers in a letter: account references (patterns per council, `domain.md`
//! section 9), UPRNs and postcodes. Finding is only the first step: every candidate is checked
//! against the accounts before anything is linked.

use regex::{Regex, RegexBuilder};

/// The gov.uk bulk-data postcode expression (`domain.md` section 9), unanchored, with an
/// optional space.
const POSTCODE: &str = r"\b(?:GIR ?0AA|(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z]?) ?[0-9][A-Z]{2})\b";

/// A UPRN is only taken where it is labelled as one (any long number could be a UPRN).
const UPRN: &str = r"(?i)\bUPRN\b\s*(?:no\.?|number)?\s*[:#]?\s*(\d{1,12})\b";

/// What was found in a letter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Candidate account references, in order of appearance, without repeats.
    pub references: Vec<String>,
    pub uprns: Vec<i64>,
    /// Normalised (`AN1 2BC`).
    pub postcodes: Vec<String>,
}

/// Finds identifiers with the council's reference patterns.
#[derive(Debug, Clone)]
pub struct IdentifierFinder {
    references: Vec<Regex>,
    postcode: Regex,
    uprn: Regex,
}

impl IdentifierFinder {
    /// # Errors
    /// A reference pattern that is not a valid regular expression.
    pub fn new(reference_patterns: &[String]) -> Result<Self, regex::Error> {
        Ok(Self {
            references: reference_patterns.iter().map(|p| Regex::new(p)).collect::<Result<_, _>>()?,
            postcode: RegexBuilder::new(POSTCODE).case_insensitive(true).build()?,
            uprn: Regex::new(UPRN)?,
        })
    }

    /// Every identifier in `text`.
    #[must_use]
    pub fn find(&self, text: &str) -> Found {
        let mut found = Found::default();
        // OCR and people split references with spaces ("5001 2345 6"): look at digit runs too.
        let joined = join_digit_groups(text);
        for re in &self.references {
            for source in [text, joined.as_str()] {
                for m in re.find_iter(source) {
                    push_new(&mut found.references, m.as_str().to_owned());
                }
            }
        }
        for c in self.uprn.captures_iter(text) {
            if let Ok(n) = c[1].parse::<i64>()
                && !found.uprns.contains(&n)
            {
                found.uprns.push(n);
            }
        }
        for m in self.postcode.find_iter(text) {
            push_new(&mut found.postcodes, normalise_postcode(m.as_str()));
        }
        found
    }
}

fn push_new(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Uppercase, no inner spaces, then one space before the last three characters.
#[must_use]
pub fn normalise_postcode(raw: &str) -> String {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let split = compact.len().saturating_sub(3);
    format!("{} {}", &compact[..split], &compact[split..])
}

/// Digits separated by single spaces or hyphens joined up ("5001 2345 6" → "500123456").
fn join_digit_groups(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let between_digits = (*c == ' ' || *c == '-')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !between_digits {
            out.push(*c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finder() -> IdentifierFinder {
        IdentifierFinder::new(&[r"\b[56]\d{8}\b".to_owned()]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn references_uprns_and_postcodes_are_found_and_normalised() {
        let found = finder().find(
            "Account ref 500123456 (and 600987654 for the shop). UPRN: 100023336956. I live at 14 Acacia Ave, an12bc; \
             previously SW1A 1AA. Phone 01632 960001.",
        );
        assert_eq!(found.references, ["500123456", "600987654"]);
        assert_eq!(found.uprns, [100_023_336_956]);
        assert_eq!(found.postcodes, ["AN1 2BC", "SW1A 1AA"]);
    }

    #[test]
    fn references_split_by_spaces_are_joined() {
        assert_eq!(finder().find("my reference is 5001 2345 6, thank you").references, ["500123456"]);
    }

    #[test]
    fn a_long_number_is_not_a_uprn_unless_labelled() {
        assert!(finder().find("order number 100023336956").uprns.is_empty());
    }
}
