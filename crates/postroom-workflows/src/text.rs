//! Which words of a letter are the customer's own: a letter split into the new text, the quoted
//! history (lines starting with `>`, text after "On … wrote:", "-----Original Message-----" or a
//! forwarded "From: … Sent: …" header) and the signature (dropped), with street names and
//! address lines masked, so "21 Heather Court" is not court action and a quoted council letter
//! saying "enforcement agents" is not the customer's words.

use std::sync::LazyLock;

use regex::Regex;

/// A letter as the classifier reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// The customer's own new words (subject included unless it is a reply's or forward's),
    /// without signature, street names or address lines.
    pub own: String,
    /// Older messages quoted or forwarded below (or beside) the new text, masked the same way.
    pub quoted: String,
}

/// Street-type words: a number or a name followed by one of these is a street, not a word.
const STREET_TYPES: &str = "court|road|street|lane|avenue|close|drive|way|place|gardens|crescent|terrace|walk|row|mews|\
                            square|grove|rise|parade|green|hill|park|view|st|rd|ave";

/// Courts that are courts ("Anytown Magistrates Court"), not streets.
const COURT_KINDS: &[&str] =
    &["magistrates", "magistrates'", "magistrates’", "county", "crown", "family", "high", "supreme", "the"];

fn regex(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// "21 Heather Court", "4a Summons Lane": a house number, up to three capitalised words, a street
/// type (any case).
static NUMBERED_STREET: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(&format!(r"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{STREET_TYPES})\b")));

/// "Bailey Road", "Court Street": a capitalised name and a capitalised street type.
static NAMED_STREET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let types: Vec<String> = STREET_TYPES
        .split('|')
        .map(|t| {
            let mut c = t.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        })
        .collect();
    regex(&format!(r"\b([A-Z][\w'’-]*)\s+(?:{})\b", types.join("|")))
});

/// A UK postcode.
static POSTCODE: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"));

/// "On Mon, 2 Nov 2026 at 10:00, Council <x@y> wrote:" (possibly over two lines).
static ON_WROTE: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(?is)^\s*On\b.{0,300}\bwrote:\s*$"));

/// Markers after which everything is an older message.
static HISTORY_MARKER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"(?i)^\s*(?:-{2,}\s*(?:original message|forwarded message)\s*-{2,}|begin forwarded message:?|_{10,})\s*$")
});

/// A sign-off line alone: what follows is the sender's name, address and telephone.
static SIGN_OFF: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(
        r"(?i)^\s*(?:--\s*|(?:kind(?:est)?|best|warm(?:est)?|many)?\s*(?:regards|wishes|thanks)|thank\s*you|thanks|cheers|yours\s+(?:sincerely|faithfully|truly)|sent from my \w+.*)[.,!]?\s*$",
    )
});

/// "Re:", "Fwd:": the subject of an earlier message.
static REPLY_SUBJECT: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(?i)^(?:re|fwd?|aw|wg)\s*:"));

/// An Outlook header block "From: … / Sent: …" (or Date:) opening a forwarded or quoted message.
fn is_header_block(lines: &[&str], i: usize) -> bool {
    let starts = |l: &str, p: &str| l.trim_start().to_ascii_lowercase().starts_with(p);
    starts(lines[i], "from:") && lines.iter().skip(i + 1).take(4).any(|l| starts(l, "sent:") || starts(l, "date:"))
}

/// Splits `text` (and its `subject`) into the customer's own words and the quoted history.
#[must_use]
pub fn read_letter(subject: Option<&str>, text: &str) -> Reading {
    let lines: Vec<&str> = text.lines().collect();
    let (mut own, mut quoted) = (Vec::new(), Vec::new());
    let mut in_history = false;
    let mut in_signature = false;
    for (i, line) in lines.iter().enumerate() {
        let next_two = lines.get(i + 1).map(|n| format!("{line} {n}"));
        let opens_history = HISTORY_MARKER.as_ref().is_some_and(|r| r.is_match(line))
            || ON_WROTE.as_ref().is_some_and(|r| {
                r.is_match(line)
                    || (line.trim_start().starts_with("On ") && next_two.as_ref().is_some_and(|t| r.is_match(t)))
            })
            || is_header_block(&lines, i);
        if opens_history {
            in_history = true;
            in_signature = false;
            continue;
        }
        if line.trim_start().starts_with('>') {
            quoted.push(line.trim_start().trim_start_matches(['>', ' ']));
            continue;
        }
        if in_history {
            quoted.push(line);
            continue;
        }
        if SIGN_OFF.as_ref().is_some_and(|r| r.is_match(line)) {
            in_signature = true;
        }
        if !in_signature {
            own.push(*line);
        }
    }
    let mut own = mask_addresses(&own);
    let mut quoted = mask_addresses(&quoted);
    if let Some(subject) = subject.map(str::trim).filter(|s| !s.is_empty()) {
        let is_reply = REPLY_SUBJECT.as_ref().is_some_and(|r| r.is_match(subject));
        let masked = mask_streets(subject);
        if is_reply {
            quoted = format!("{masked}\n{quoted}");
        } else {
            own = format!("{masked}\n{own}");
        }
    }
    // A forward with nothing added: what was forwarded is what was sent.
    if own.trim().is_empty() {
        return Reading { own: quoted, quoted: String::new() };
    }
    Reading { own, quoted }
}

/// Small words an address line may have in lower case ("Stratford upon Avon", "Flat 2 of").
const ADDRESS_JOINERS: &[&str] = &["of", "the", "upon", "on", "in", "and", "&", "-", "le", "by"];

/// A line that looks like part of an address: at most six words, each capitalised, a number or a
/// joiner, and not a sentence ("I moved out" is not).
fn address_like(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 6
        && !line.trim_end().ends_with(['.', '?', '!', ':'])
        && words.iter().all(|w| {
            w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                || ADDRESS_JOINERS.contains(&w.trim_matches(',').to_lowercase().as_str())
        })
}

/// The lines joined, with address lines (address-like lines with a postcode, and the
/// address-like lines of the block above them) blanked and street names masked.
fn mask_addresses(lines: &[&str]) -> String {
    let mut keep: Vec<bool> = vec![true; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        if address_like(line) && POSTCODE.as_ref().is_some_and(|r| r.is_match(line)) {
            keep[i] = false;
            let mut j = i;
            while j > 0 && i - j < 5 && address_like(lines[j - 1]) {
                j -= 1;
                keep[j] = false;
            }
        }
    }
    lines.iter().zip(keep).map(|(l, k)| if k { mask_streets(l) } else { String::new() }).collect::<Vec<_>>().join("\n")
}

/// `text` with street names ("21 Heather Court", "Summons Lane") replaced by spaces.
#[must_use]
pub fn mask_streets(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(re) = NUMBERED_STREET.as_ref() {
        out = re.replace_all(&out, |c: &regex::Captures<'_>| " ".repeat(c[0].len())).into_owned();
    }
    if let Some(re) = NAMED_STREET.as_ref() {
        out = re
            .replace_all(&out, |c: &regex::Captures<'_>| {
                let name = c[1].to_lowercase();
                let is_court = c[0].to_lowercase().ends_with("court");
                if is_court && COURT_KINDS.contains(&name.as_str()) { c[0].to_owned() } else { " ".repeat(c[0].len()) }
            })
            .into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_street_name_is_not_a_word() {
        let masked = mask_streets("I am moving out of 21 Heather Court next week.");
        assert!(!masked.to_lowercase().contains("court"), "{masked}");
        for street in ["Bailey Road", "Summons Lane", "Court Street", "4a Summons Lane", "Flat 2, 9 Magistrates Walk"] {
            let masked = mask_streets(&format!("I live at {street} now"));
            assert!(!masked.contains("Summons") && !masked.contains("Court") && !masked.contains("Bailey"), "{masked}");
        }
    }

    #[test]
    fn a_court_that_is_a_court_stays() {
        for text in [
            "the hearing at Anytown Magistrates Court",
            "a County Court judgment",
            "I have 2 weeks until court",
            "I am not going to court",
        ] {
            assert!(mask_streets(text).to_lowercase().contains("court"), "{text}");
        }
    }

    #[test]
    fn quoted_lines_and_the_history_below_are_not_the_customers_words() {
        let text = "Thank you, I will pay on Friday.\n\n> Enforcement agents will visit.\n> Summons issued.";
        let r = read_letter(None, text);
        assert_eq!(r.own.trim(), "Thank you, I will pay on Friday.");
        assert!(r.quoted.contains("Enforcement agents"), "{r:?}");

        let text = "Please set up the instalments.\n\nOn Mon, 2 Nov 2026 at 10:00, Anytown Council <ctax@council.example>\nwrote:\nA liability order was made.";
        let r = read_letter(None, text);
        assert!(!r.own.contains("liability") && r.quoted.contains("liability order"), "{r:?}");

        let text = "See below.\n-----Original Message-----\nWe will pass your account to the bailiffs.";
        assert!(!read_letter(None, text).own.contains("bailiffs"));

        let text = "FYI\n\nFrom: Revenues <ctax@council.example>\nSent: 01 November 2026 10:00\nTo: me\nSubject: Summons\n\nYou have been summonsed.";
        let r = read_letter(None, text);
        assert!(!r.own.contains("summons") && r.quoted.contains("summonsed"), "{r:?}");
    }

    #[test]
    fn the_signature_and_the_address_block_are_dropped() {
        let text =
            "Please cancel my direct debit.\n\nKind regards,\nJane Citizen\n21 Heather Court\nBailiff Lane\nAN1 2BC";
        let r = read_letter(None, text);
        assert_eq!(r.own.trim(), "Please cancel my direct debit.");
        let text = "Jane Citizen\n3 The Court Yard\nAnytown\nAN1 2BC\n\nI moved out on 3 November.";
        let r = read_letter(None, text);
        assert!(!r.own.contains("Court") && r.own.contains("moved out"), "{r:?}");
        // A sentence above a postcode is the customer's, not an address.
        let r = read_letter(None, "I am taking them to court\nMy postcode is AN1 2BC");
        assert!(r.own.contains("court") && r.own.contains("postcode"), "{r:?}");
    }

    #[test]
    fn a_reply_subject_is_history_and_a_bare_forward_is_the_letter() {
        let r = read_letter(Some("RE: Court summons"), "Thanks, paid today.");
        assert!(!r.own.contains("summons") && r.quoted.contains("summons"), "{r:?}");
        let r = read_letter(Some("Court summons"), "Why have I got this?");
        assert!(r.own.contains("summons"));
        let r = read_letter(None, "-----Original Message-----\nI moved out last week.");
        assert!(r.own.contains("moved out") && r.quoted.is_empty(), "{r:?}");
    }
}
