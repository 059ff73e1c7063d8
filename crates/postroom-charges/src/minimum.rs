//! The minimum-instalment rules, worded as the regulations word them.
//!
//! Council Tax (SI 1992/613 Sch 1):
//! - para 2(5)–(6): `A = total / n` rounded to the nearest pound for all but the first, which is
//!   `B = total − (n − 1) × A` ([`crate::instalment_amounts`]);
//! - para 2(7): if that gives an instalment below £5, the notice may add what would be the
//!   second instalment to the first, one instalment fewer;
//! - para 3(1): if an instalment is still below £5 (notwithstanding para 2(7)), the notice may
//!   require the total (a) in a single instalment where it is below £10, or (b) otherwise in the
//!   greatest whole number of monthly instalments by which £5 can be multiplied to give no more
//!   than the total; para 3(2): in (uninterrupted) months in which para 2 instalments would have
//!   fallen, here the earliest; para 3(3): para 2(5)–(7) apply to those instalments.
//!
//! Both rules say "may": Postroom always applies them (an instalment below the minimum is not
//! worth collecting, and the reduction only ever lowers the count).
//!
//! Business rates (SI 1989/1058 Sch 1; domain.md §3.3 "min instalment £50"): the same two steps
//! with £50 in place of £5 (and £100 in place of £10). domain.md gives only the figure, so the
//! NNDR wording is **unverified**: the Council Tax structure is applied.
//!
//! Should an instalment still be below the minimum after both steps (it does not happen for real
//! totals; the property tests look for it), the count drops one at a time until none is.

use crate::{
    instalments::instalment_amounts,
    money::{AmountOverflow, Pence},
};

/// Amounts for up to `n` instalments of `total`, applying the minimum-instalment rules. Returns
/// the amounts (earliest first) and whether the count was reduced.
pub(crate) fn amounts_with_minimum(total: Pence, n: u32, minimum: Pence) -> Result<(Vec<Pence>, bool), AmountOverflow> {
    if total <= Pence::ZERO || n == 0 {
        return Ok((Vec::new(), false));
    }
    let below = |amounts: &[Pence]| amounts.iter().any(|a| *a < minimum);
    // Para 2(5)–(7).
    let mut amounts = merge_second_into_first(instalment_amounts(total, n)?, minimum);
    if below(&amounts) {
        // Para 3(1): a single sum below twice the minimum, else ⌊total / minimum⌋ instalments, in
        // months para 2 would have used (so never more than `n`).
        let by_minimum = u32::try_from(total.pence() / minimum.pence().max(1)).unwrap_or(u32::MAX);
        let count = if total < minimum + minimum { 1 } else { by_minimum.clamp(1, n) };
        // Para 3(3): para 2(5)–(7) apply to them.
        amounts = merge_second_into_first(instalment_amounts(total, count)?, minimum);
    }
    let mut count = u32::try_from(amounts.len()).unwrap_or(u32::MAX);
    while count > 1 && below(&amounts) {
        count -= 1;
        amounts = instalment_amounts(total, count)?;
    }
    let reduced = amounts.len() < n as usize;
    Ok((amounts, reduced))
}

/// Para 2(7): where an instalment is below the minimum, the second instalment is added to the
/// first and there is one instalment fewer.
fn merge_second_into_first(mut amounts: Vec<Pence>, minimum: Pence) -> Vec<Pence> {
    if amounts.len() > 1 && amounts.iter().any(|a| *a < minimum) {
        let second = amounts.remove(1);
        amounts[0] = amounts[0] + second;
    }
    amounts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pounds(p: &[i64]) -> Vec<Pence> {
        p.iter().map(|p| Pence::new(*p)).collect()
    }

    /// Para 2(7) differs from re-dividing by one fewer: £14.50 in 3 gives A = £5, B = £4.50; the
    /// second is added to the first (£9.50, £5.00), not re-divided (£7.50, £7.00).
    #[test]
    fn para_2_7_adds_the_second_instalment_to_the_first() -> Result<(), AmountOverflow> {
        let (amounts, reduced) = amounts_with_minimum(Pence::new(1_450), 3, Pence::from_pounds(5))?;
        assert_eq!(amounts, pounds(&[950, 500]));
        assert!(reduced);
        Ok(())
    }

    /// Para 3(1)(b): £23.00 over 10 is ⌊23 / 5⌋ = 4 instalments; para 3(1)(a): £9 is one sum.
    #[test]
    fn para_3_sets_the_count_by_the_minimum() -> Result<(), AmountOverflow> {
        let five = Pence::from_pounds(5);
        assert_eq!(amounts_with_minimum(Pence::new(2_300), 10, five)?.0, pounds(&[500, 600, 600, 600]));
        assert_eq!(amounts_with_minimum(Pence::new(900), 10, five)?.0, pounds(&[900]));
        assert_eq!(amounts_with_minimum(Pence::new(300), 10, five)?.0, pounds(&[300]));
        Ok(())
    }

    /// No reduction when every instalment is at least the minimum.
    #[test]
    fn a_schedule_above_the_minimum_is_untouched() -> Result<(), AmountOverflow> {
        let (amounts, reduced) = amounts_with_minimum(Pence::new(149_918), 9, Pence::from_pounds(5))?;
        assert_eq!(amounts, instalment_amounts(Pence::new(149_918), 9)?);
        assert!(!reduced);
        Ok(())
    }
}
