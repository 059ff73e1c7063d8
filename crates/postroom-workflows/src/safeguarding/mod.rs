//! Safeguarding: the lexicon of `workflows/safeguarding.toml` (phrases and patterns for
//! suicide and self-harm ideation, domestic abuse, severe financial hardship, bereavement and
//! mental-health crisis) and finding them in the customer's own words. Negation does not
//! suppress a hit: "I'm not saying I'd hurt myself" is still a person at risk.

mod pattern;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use postroom_domain::Priority;

use crate::{Catalogue, Raise, negation::affirmed, text::Reading};
use pattern::{Pattern, phrase, tokens};

/// One category of the lexicon.
#[derive(Debug, Clone)]
pub struct Category {
    /// `suicide_self_harm`, `domestic_abuse`, ...
    pub id: String,
    pub title: String,
    /// The reason shown on the item, e.g. "risk to life: same-day safeguarding referral".
    pub reason: String,
    /// Read everywhere in the letter (subject, after the signature, attachments, quoted or
    /// forwarded text), not only in the customer's own words: for risks no council letter or
    /// signature ever words that way (suicide, abuse), so a person at risk is never missed for
    /// where they wrote it.
    pub anywhere: bool,
    patterns: Vec<Pattern>,
}

impl Category {
    /// The patterns, as written in the file.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|p| p.source.as_str())
    }
}

/// The safeguarding lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    categories: Vec<Category>,
}

/// A safeguarding hit: the category, the pattern and the customer's words that matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SafeguardingHit {
    pub category: String,
    pub title: String,
    pub reason: String,
    /// The lexicon's pattern that matched.
    pub pattern: String,
    /// The words of the letter that matched it.
    pub phrase: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    category: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: String,
    title: String,
    reason: String,
    #[serde(default)]
    anywhere: bool,
    patterns: Vec<String>,
}

impl Lexicon {
    /// Parses `safeguarding.toml`; every problem as `key: reason`.
    ///
    /// # Errors
    /// Every problem found.
    pub(crate) fn parse(text: &str) -> Result<Self, Vec<String>> {
        let raw: RawLexicon = toml::from_str(text).map_err(|e| vec![e.message().to_owned()])?;
        let mut problems = Vec::new();
        let mut categories: Vec<Category> = Vec::new();
        for (i, c) in raw.category.into_iter().enumerate() {
            let ok_id = !c.id.is_empty() && c.id.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_');
            if !ok_id {
                problems.push(format!("category[{i}].id: {:?} is not an id (a-z and _)", c.id));
            }
            if categories.iter().any(|o| o.id == c.id) {
                problems.push(format!("category[{i}].id: {:?} is used twice", c.id));
            }
            if c.title.trim().is_empty() || c.reason.trim().is_empty() {
                problems.push(format!("category[{i}]: give a title and a reason"));
            }
            if c.patterns.is_empty() {
                problems.push(format!("category[{i}].patterns: give at least one"));
            }
            let mut patterns = Vec::new();
            for (j, p) in c.patterns.iter().enumerate() {
                match Pattern::parse(p) {
                    Ok(p) => patterns.push(p),
                    Err(e) => problems.push(format!("category[{i}].patterns[{j}]: {e}")),
                }
            }
            categories.push(Category { id: c.id, title: c.title, reason: c.reason, anywhere: c.anywhere, patterns });
        }
        if problems.is_empty() { Ok(Self { categories }) } else { Err(problems) }
    }

    /// The categories, in file order.
    #[must_use]
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The first hit of each category in `text` (the customer's own words).
    #[must_use]
    pub fn find(&self, text: &str) -> Vec<SafeguardingHit> {
        self.find_in(text, |_| true)
    }

    /// The first hit of each category in the customer's own words `own`, or, for the categories
    /// read `anywhere`, in the `whole` letter.
    #[must_use]
    pub fn find_in_letter(&self, own: &str, whole: &str) -> Vec<SafeguardingHit> {
        let mut hits = self.find_in(whole, |c| c.anywhere);
        for hit in self.find_in(own, |c| !c.anywhere) {
            hits.push(hit);
        }
        let order = |h: &SafeguardingHit| self.categories.iter().position(|c| c.id == h.category);
        hits.sort_by_key(order);
        hits
    }

    fn find_in(&self, text: &str, read: impl Fn(&Category) -> bool) -> Vec<SafeguardingHit> {
        let words = tokens(text);
        self.categories
            .iter()
            .filter(|c| read(c))
            .filter_map(|c| {
                c.patterns.iter().find_map(|p| {
                    p.find(&words).map(|span| SafeguardingHit {
                        category: c.id.clone(),
                        title: c.title.clone(),
                        reason: c.reason.clone(),
                        pattern: p.source.clone(),
                        phrase: phrase(text, &words, span),
                    })
                })
            })
            .collect()
    }
}

/// The priority raises of a letter: escalation words in the customer's own words, unless
/// negated ("we are not in court"); quoted history raises nothing there. And each safeguarding
/// hit, negated or not, raising to P1: in the customer's own words, or for the categories read
/// `anywhere`, in the `whole` letter (subject, signature, attachments, quoted history).
pub(crate) fn raises(catalogue: &Catalogue, reading: &Reading, whole: &str) -> (Vec<Raise>, Vec<SafeguardingHit>) {
    let mut raises: Vec<Raise> = catalogue
        .escalations()
        .iter()
        .filter_map(|e| {
            e.words.iter().find(|(_, re)| affirmed(re, &reading.own)).map(|(word, _)| Raise {
                to: e.to,
                reason: e.reason.clone(),
                word: word.clone(),
            })
        })
        .collect();
    let hits = catalogue.safeguarding().find_in_letter(&reading.own, whole);
    raises.extend(hits.iter().map(|h| Raise {
        to: Priority::P1,
        reason: format!("safeguarding ({}): {}", h.title, h.reason),
        word: h.phrase.clone(),
    }));
    (raises, hits)
}
