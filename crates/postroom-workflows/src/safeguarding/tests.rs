//! The shipped lexicon against phrasings written for these tests: what must be flagged (in the
//! listed words and in ordinary ones, with typos and negations) and what must not.

use std::sync::LazyLock;

use crate::Catalogue;

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::built_in().unwrap());

fn categories(text: &str) -> Vec<String> {
    CATALOGUE.safeguarding().find(text).into_iter().map(|h| h.category).collect()
}

fn assert_flags(cases: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for (text, category) in cases {
        let found = categories(text);
        if !found.iter().any(|c| c == category) {
            wrong.push(format!("{text:?}: expected {category}, found {found:?}"));
        }
    }
    assert!(wrong.is_empty(), "{} missed:\n{}", wrong.len(), wrong.join("\n"));
}

const SUICIDE: &str = "suicide_self_harm";
const ABUSE: &str = "domestic_abuse";
const HARDSHIP: &str = "financial_hardship";
const BEREAVEMENT: &str = "bereavement";
const CRISIS: &str = "mental_health_crisis";

#[test]
fn the_listed_words_are_flagged_with_inflections_and_typos() {
    assert_flags(&[
        ("I have been feeling suicidal since the letter came.", SUICIDE),
        ("I feel sucidal and I don't know who to ask.", SUICIDE),
        ("I have thought about suicide.", SUICIDE),
        ("I have been self-harming again.", SUICIDE),
        ("I self harm when it gets like this.", SUICIDE),
        ("Some days I want to kill myself.", SUICIDE),
        ("I keep hurting myself.", SUICIDE),
        ("I might take my own life.", SUICIDE),
        ("I am a victim of domestic abuse.", ABUSE),
        ("I suffered domestc violence for years.", ABUSE),
        ("I am in a refuge with my children.", ABUSE),
        ("It was a coercive relationship.", ABUSE),
        ("We use the foodbank every week.", HARDSHIP),
        ("I have been referred to a food bank.", HARDSHIP),
        ("I am about to be made homeless.", HARDSHIP),
        ("My husband passed away in October.", BEREAVEMENT),
        ("The funeral was last week.", BEREAVEMENT),
        ("I was recently bereaved.", BEREAVEMENT),
        ("I was sectioned in the summer.", CRISIS),
        ("I am having a mental health crisis.", CRISIS),
        ("I have had a nervous breakdown.", CRISIS),
        ("My panic attacks are getting worse.", CRISIS),
    ]);
}

#[test]
fn ordinary_words_are_flagged() {
    assert_flags(&[
        ("I don't see the point any more.", SUICIDE),
        ("Honestly I don't see the point in living.", SUICIDE),
        ("Everyone would be better off without me.", SUICIDE),
        ("I just want to go to sleep and not wake up.", SUICIDE),
        ("I can't go on like this.", SUICIDE),
        ("I won't be around much longer to pay it.", SUICIDE),
        ("I've saved up all my tablets.", SUICIDE),
        ("I'm tired of living.", SUICIDE),
        ("he takes all my money and won't let me see my friends", ABUSE),
        ("My partner hits me when the bills come.", ABUSE),
        ("I don't feel safe at home.", ABUSE),
        ("I am frightened of my husband.", ABUSE),
        ("we have had nothing to eat since Tuesday", HARDSHIP),
        ("I can't feed my children.", HARDSHIP),
        ("I cannot afford to eat this week.", HARDSHIP),
        ("I haven't eaten for two days so the kids can.", HARDSHIP),
        ("I have been skipping meals.", HARDSHIP),
        ("We are going without heating.", HARDSHIP),
        ("We are being evicted on Friday.", HARDSHIP),
        ("This is my late husband's account.", BEREAVEMENT),
        ("We lost our son in March.", BEREAVEMENT),
        ("I can't cope any more.", CRISIS),
        ("I am at breaking point.", CRISIS),
        ("I feel like I'm losing my mind.", CRISIS),
        ("I'm falling apart.", CRISIS),
        ("I can't take it any more.", CRISIS),
    ]);
}

#[test]
fn negation_does_not_hide_a_person_at_risk() {
    assert_flags(&[
        ("I'm not saying I'd hurt myself.", SUICIDE),
        ("I am not suicidal but I can't see the point any more.", SUICIDE),
        ("I don't want to end my life but some days I wonder.", SUICIDE),
        ("He never hits me in front of the children.", ABUSE),
        ("I am not coping.", CRISIS),
    ]);
}

#[test]
fn ordinary_mail_is_not_flagged() {
    for text in [
        "Please cancel my direct debit from next month.",
        "I am moving out of 21 Heather Court on 3 December.",
        "I could kill for a cup of tea after that phone call.",
        "Can you send a breakdown of the charges?",
        "I was late with the instalment, sorry.",
        "I am dying to know why the bill went up.",
        "The website won't let me see my bill.",
        "I refuse to pay for a property I have left.",
        "I was starting to worry about the arrears.",
        "I don't see the point of paying twice.",
        "This bill is killing me.",
        "My husband will pay the balance on Friday.",
        "The house is falling apart and needs a new roof.",
        "I lost my job in October, can I pay over 12 months?",
        "The landlord evicted the tenant in May; the flat is empty.",
        "Please take the late payment charge off.",
        "We are not in court and we have no arrears.",
        "Can I go on the single person discount?",
        "I won't be here any longer after the 5th as I am moving to Leeds.",
        "The lady on the phone said she would take my bank details for the direct debit.",
        "You cannot take any more money from my account until this is sorted.",
        "I have been trying to evict my tenant since March.",
        "There has been no electricity since the tenant left in May.",
    ] {
        assert_eq!(categories(text), Vec::<String>::new(), "{text:?}");
    }
}

#[test]
fn a_late_husbands_account_is_bereavement_not_self_harm() {
    assert_eq!(categories("I am writing about my late husband's account."), ["bereavement"]);
}

#[test]
fn a_hit_names_its_pattern_and_the_customers_words() {
    let hits = CATALOGUE.safeguarding().find("Honestly, I don't see the point any more.");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].phrase, "see the point any more");
    assert_eq!(hits[0].reason, "risk to life: same-day safeguarding referral");
}

#[test]
fn a_bad_lexicon_is_refused_naming_each_problem() {
    let text = "[[category]]\nid = \"Bad Id\"\ntitle = \"\"\nreason = \"r\"\npatterns = [\"~3 point\", \"Don't\"]\n";
    let problems = super::Lexicon::parse(text).unwrap_err().join("\n");
    for expected in
        ["category[0].id", "give a title and a reason", "category[0].patterns[0]", "category[0].patterns[1]"]
    {
        assert!(problems.contains(expected), "{expected} not in {problems}");
    }
}
