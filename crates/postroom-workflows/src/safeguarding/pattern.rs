//! The lexicon's pattern language and its matcher, over the words of a text.
//!
//! A pattern is slots separated by spaces. A slot is one word, or alternatives `a|b|c`; a word
//! ending in `*` is a stem (`hurt*`: hurt, hurts, hurting); a word of seven letters or more also
//! matches with one letter added, dropped, changed or two swapped (`sucidal`), unless it starts
//! with `=` (`=starving`, which would otherwise match "starting"); a slot ending in `?` may be
//! absent; `~N` (1 to 5) allows up to N other words in between. Words are compared lower-case with
//! apostrophes removed: write `dont`, `cant`, `im`.

/// Words at least this long tolerate one edit.
const TOLERANT_LEN: usize = 7;

#[derive(Debug, Clone)]
struct Word {
    text: String,
    stem: bool,
    exact: bool,
}

#[derive(Debug, Clone)]
enum Slot {
    Words { alternatives: Vec<Word>, optional: bool },
    Gap(usize),
}

/// A parsed pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub(crate) source: String,
    slots: Vec<Slot>,
}

/// One word of a text, lower-case without apostrophes, with where it is.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    text: String,
    start: usize,
    end: usize,
}

/// The words of `text`.
pub(crate) fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current: Option<Token> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            let t = current.get_or_insert_with(|| Token { text: String::new(), start: i, end: i });
            t.text.extend(c.to_lowercase());
            t.end = i + c.len_utf8();
        } else if (c == '\'' || c == '’') && current.is_some() {
            // "don't" is one word: dont.
        } else if let Some(t) = current.take() {
            out.push(t);
        }
    }
    out.extend(current);
    out
}

impl Pattern {
    /// Parses `source`.
    ///
    /// # Errors
    /// What is wrong with it.
    pub(crate) fn parse(source: &str) -> Result<Self, String> {
        let mut slots = Vec::new();
        for raw in source.split_whitespace() {
            if let Some(n) = raw.strip_prefix('~') {
                match n.parse::<usize>() {
                    Ok(n @ 1..=5) => slots.push(Slot::Gap(n)),
                    _ => return Err(format!("{raw:?}: a gap is ~1 to ~5")),
                }
                continue;
            }
            let (body, optional) = raw.strip_suffix('?').map_or((raw, false), |b| (b, true));
            let mut alternatives = Vec::new();
            for alt in body.split('|') {
                let (alt, exact) = alt.strip_prefix('=').map_or((alt, false), |a| (a, true));
                let (alt, stem) = alt.strip_suffix('*').map_or((alt, false), |a| (a, true));
                if alt.is_empty() || !alt.chars().all(|c| c.is_lowercase() || c.is_ascii_digit()) {
                    return Err(format!("{raw:?}: words are lower-case letters or digits (write dont, not don't)"));
                }
                alternatives.push(Word { text: alt.to_owned(), stem, exact });
            }
            slots.push(Slot::Words { alternatives, optional });
        }
        let required = |s: Option<&Slot>| matches!(s, Some(Slot::Words { optional: false, .. }));
        if !required(slots.first()) || !required(slots.last()) {
            return Err("a pattern starts and ends with a word that must be there".to_owned());
        }
        Ok(Self { source: source.trim().to_owned(), slots })
    }

    /// Where the pattern first matches in `tokens`: (first token, one past the last).
    pub(crate) fn find(&self, tokens: &[Token]) -> Option<(usize, usize)> {
        (0..tokens.len()).find_map(|i| matches(&self.slots, tokens, i).map(|end| (i, end)))
    }
}

/// The text from token `from` up to token `to` (exclusive).
pub(crate) fn phrase(text: &str, tokens: &[Token], (from, to): (usize, usize)) -> String {
    let (Some(first), Some(last)) = (tokens.get(from), tokens.get(to.saturating_sub(1))) else { return String::new() };
    text.get(first.start..last.end).unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn matches(slots: &[Slot], tokens: &[Token], i: usize) -> Option<usize> {
    let Some((first, rest)) = slots.split_first() else { return Some(i) };
    match first {
        Slot::Gap(n) => (0..=*n).filter(|k| i + k <= tokens.len()).find_map(|k| matches(rest, tokens, i + k)),
        Slot::Words { alternatives, optional } => tokens
            .get(i)
            .filter(|t| alternatives.iter().any(|w| w.matches(&t.text)))
            .and_then(|_| matches(rest, tokens, i + 1))
            .or_else(|| if *optional { matches(rest, tokens, i) } else { None }),
    }
}

impl Word {
    fn matches(&self, token: &str) -> bool {
        let w = self.text.as_str();
        let tolerant = !self.exact && w.chars().count() >= TOLERANT_LEN;
        if self.stem {
            if token.starts_with(w) {
                return true;
            }
            tolerant
                && (w.len().saturating_sub(1)..=w.len() + 1)
                    .filter_map(|n| token.get(..n))
                    .any(|prefix| within_one_edit(prefix.as_bytes(), w.as_bytes()))
        } else {
            token == w || (tolerant && within_one_edit(token.as_bytes(), w.as_bytes()))
        }
    }
}

/// Whether `a` becomes `b` by at most one insertion, deletion, substitution or swap of
/// neighbours, keeping the first letter.
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    if a.first() != b.first() || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = |x: &[u8], from: usize| x.get(from..).unwrap_or_default().to_vec();
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            tail(a, p + 1) == tail(b, p + 1)
                || (a.get(p) == b.get(p + 1) && a.get(p + 1) == b.get(p) && tail(a, p + 2) == tail(b, p + 2))
        }
        std::cmp::Ordering::Greater => tail(a, p + 1) == tail(b, p),
        std::cmp::Ordering::Less => tail(a, p) == tail(b, p + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(pattern: &str, text: &str) -> Option<String> {
        let p = Pattern::parse(pattern).unwrap();
        let t = tokens(text);
        p.find(&t).map(|span| phrase(text, &t, span))
    }

    #[test]
    fn stems_gaps_options_and_typos() {
        assert_eq!(hit("hurt* myself", "I keep Hurting   myself.").as_deref(), Some("Hurting myself"));
        assert_eq!(
            hit("cant ~2 feed ~2 children", "I can't even feed my children").as_deref(),
            Some("can't even feed my children")
        );
        assert!(hit("see the|any point ~1 any? more", "I don't see the point any more").is_some());
        assert!(hit("suicidal", "I feel sucidal").is_some());
        assert!(hit("suicidal", "I feel suicdial").is_some());
        assert!(hit("=starving", "I am starting").is_none());
        assert!(hit("refuge", "I refuse").is_none());
        assert!(hit("kill* myself", "I could kill for a cup of tea").is_none());
    }

    #[test]
    fn bad_patterns_are_refused() {
        for bad in ["~2 point", "point ~9 more", "Don't", "more?", "a || b", ""] {
            assert!(Pattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit(b"suicide", b"sucide"));
        assert!(within_one_edit(b"myself", b"myslef"));
        assert!(!within_one_edit(b"violence", b"violent"));
        assert!(!within_one_edit(b"funeral", b"general"));
    }
}
