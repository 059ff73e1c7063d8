//! When a new empty spell gets a fresh empty property relief window (domain.md §3.2): SI
//! 2008/386 reg 5. A hereditament reoccupied and then empty again before the end of 13 weeks
//! beginning with the day it was reoccupied is treated as continuously unoccupied, so the 3 (or
//! 6) months run on from the start of the earlier spell. The period was 6 weeks until SI
//! 2024/323 substituted 13 weeks from 1 April 2024; its transitional provision keeps 6 weeks
//! where the period began (the property was reoccupied) before 1 April 2024.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The day SI 2024/323 came into force.
pub const THIRTEEN_WEEK_RULE_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2024, 4, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Days of occupation that earn a fresh relief window after an empty spell, for a property
/// reoccupied on `reoccupied`: 13 weeks (91 days) from 1 April 2024, 6 weeks (42) before.
#[must_use]
pub fn fresh_window_after_days(reoccupied: NaiveDate) -> i64 {
    if reoccupied >= THIRTEEN_WEEK_RULE_FROM { 13 * 7 } else { 6 * 7 }
}

/// An empty spell: the first day empty and the last (open-ended while still empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EmptySpell {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// A spell whose relief window runs on from an earlier spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Continued {
    /// The first day of the earliest spell in the chain: the window counts from here.
    pub counts_from: NaiveDate,
    /// The day the property was reoccupied before this spell.
    pub reoccupied: NaiveDate,
    /// Days it was occupied before becoming empty again.
    pub occupied_days: i64,
    /// The weeks of occupation that would have earned a fresh window (13, or 6 before
    /// 1 April 2024).
    pub weeks_needed: i64,
}

impl Continued {
    /// What the officer is told, e.g. for a bill's notes.
    #[must_use]
    pub fn explain(&self, spell_from: NaiveDate) -> String {
        let rule = if self.weeks_needed == 13 {
            "SI 2008/386 reg 5 as amended by SI 2024/323"
        } else {
            "SI 2008/386 reg 5, 6 weeks before SI 2024/323"
        };
        format!(
            "empty from {spell_from} after only {} days' occupation from {} (less than {} weeks, {rule}): empty \
             property relief counts from {}, not a fresh window",
            self.occupied_days, self.reoccupied, self.weeks_needed, self.counts_from
        )
    }
}

/// For each spell (in any order; they must not overlap), `Some` when its relief window runs on
/// from an earlier spell's start, in the order given.
#[must_use]
pub fn continued_spells(spells: &[EmptySpell]) -> Vec<Option<Continued>> {
    let mut order: Vec<usize> = (0..spells.len()).collect();
    order.sort_by_key(|&i| spells[i].from);
    let mut out = vec![None; spells.len()];
    let mut previous: Option<(NaiveDate, EmptySpell)> = None; // (chain start, spell)
    for i in order {
        let spell = spells[i];
        let mut chain_start = spell.from;
        if let Some((start, before)) = previous
            && let Some(reoccupied) = before.to.and_then(|t| t.succ_opt())
            && reoccupied <= spell.from
        {
            let occupied_days = (spell.from - reoccupied).num_days();
            let needed = fresh_window_after_days(reoccupied);
            if occupied_days < needed {
                chain_start = start;
                out[i] = Some(Continued { counts_from: start, reoccupied, occupied_days, weeks_needed: needed / 7 });
            }
        }
        previous = Some((chain_start, spell));
    }
    out
}
