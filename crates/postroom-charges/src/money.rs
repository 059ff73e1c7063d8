//! Money as integer pence: parsing `£1,234.56` / `1234.56`, display as `£1,234.56`, and the
//! crate's single rounding primitive (a rational rounded half-up to the penny).

use std::{
    fmt,
    iter::Sum,
    ops::{Add, Sub},
    str::FromStr,
};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An amount of money in pence. Serialises as an integer number of pence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pence(i64);

/// Text that is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not an amount of money: {input:?} ({reason})")]
pub struct ParseMoneyError {
    input: String,
    reason: &'static str,
}

/// A calculation whose result does not fit in [`Pence`] (far beyond any real bill).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("amount out of range")]
pub struct AmountOverflow;

impl Pence {
    /// Nothing.
    pub const ZERO: Self = Self(0);

    /// `pence` pence.
    #[must_use]
    pub const fn new(pence: i64) -> Self {
        Self(pence)
    }

    /// Whole pounds.
    #[must_use]
    pub const fn from_pounds(pounds: i64) -> Self {
        Self(pounds * 100)
    }

    /// The amount in pence.
    #[must_use]
    pub const fn pence(self) -> i64 {
        self.0
    }

    /// True when the amount is a whole number of pounds.
    #[must_use]
    pub const fn is_whole_pounds(self) -> bool {
        self.0 % 100 == 0
    }

    /// Parses `£1,234.56`, `1234.56`, `1234`, `-£5.00`. Commas must group thousands; at most two
    /// decimal places.
    ///
    /// # Errors
    /// [`ParseMoneyError`] when the text is not in one of those forms or is out of range.
    pub fn parse(input: &str) -> Result<Self, ParseMoneyError> {
        let bad = |reason| ParseMoneyError { input: input.to_owned(), reason };
        let s = input.trim();
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let s = s.strip_prefix('£').unwrap_or(s);
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty() {
            return Err(bad("no pounds digits"));
        }
        let groups: Vec<&str> = whole.split(',').collect();
        let grouped_ok = groups.len() == 1
            || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
        if !grouped_ok {
            return Err(bad("commas must separate groups of three digits"));
        }
        let digits: String = groups.concat();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("unexpected character"));
        }
        if frac.len() > 2 || (s.contains('.') && frac.is_empty()) {
            return Err(bad("expected one or two decimal places"));
        }
        let pounds: i64 = digits.parse().map_err(|_| bad("out of range"))?;
        let pence: i64 = format!("{frac:0<2}").parse().map_err(|_| bad("bad pence"))?;
        let total = pounds.checked_mul(100).and_then(|p| p.checked_add(pence)).ok_or_else(|| bad("out of range"))?;
        Ok(Self(if negative { -total } else { total }))
    }

    /// `numerator / denominator` pence, rounded half-up (towards +∞ on an exact half) to the
    /// penny. This is the only place the crate rounds charges.
    pub(crate) fn from_ratio(numerator: i128, denominator: i128) -> Result<Self, AmountOverflow> {
        if denominator <= 0 {
            return Err(AmountOverflow);
        }
        let twice = numerator.checked_mul(2).and_then(|n| n.checked_add(denominator)).ok_or(AmountOverflow)?;
        let rounded = twice.div_euclid(denominator.checked_mul(2).ok_or(AmountOverflow)?);
        i64::try_from(rounded).map(Self).map_err(|_| AmountOverflow)
    }
}

/// Multiplies factors, failing on overflow.
pub(crate) fn product(factors: &[i128]) -> Result<i128, AmountOverflow> {
    factors.iter().try_fold(1_i128, |acc, f| acc.checked_mul(*f)).ok_or(AmountOverflow)
}

impl FromStr for Pence {
    type Err = ParseMoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = (abs / 100).to_string();
        let mut grouped = String::with_capacity(pounds.len() + pounds.len() / 3);
        for (i, c) in pounds.chars().enumerate() {
            if i > 0 && (pounds.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}£{grouped}.{:02}", abs % 100)
    }
}

impl Add for Pence {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl Sub for Pence {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl Sum for Pence {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pounds_and_pence_forms() {
        assert_eq!(Pence::parse("£1,234.56"), Ok(Pence::new(123_456)));
        assert_eq!(Pence::parse("1234.56"), Ok(Pence::new(123_456)));
        assert_eq!(Pence::parse("1234.5"), Ok(Pence::new(123_450)));
        assert_eq!(Pence::parse(" £2,280 "), Ok(Pence::new(228_000)));
        assert_eq!(Pence::parse("-£5.00"), Ok(Pence::new(-500)));
        assert_eq!(Pence::parse("£0.07"), Ok(Pence::new(7)));
    }

    #[test]
    fn rejects_malformed_money() {
        for bad in ["", "£", "£.50", "1,23.00", "12,3456", "1.234", "1.", "£1x", "1,000,00", ",100"] {
            assert!(Pence::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn displays_grouped_pounds() {
        assert_eq!(Pence::new(123_456).to_string(), "£1,234.56");
        assert_eq!(Pence::new(199_890).to_string(), "£1,998.90");
        assert_eq!(Pence::new(5).to_string(), "£0.05");
        assert_eq!(Pence::new(-100_000_000).to_string(), "-£1,000,000.00");
        assert_eq!(Pence::new(99_999).to_string(), "£999.99");
    }

    #[test]
    fn rounds_ratios_half_up() {
        assert_eq!(Pence::from_ratio(5, 2), Ok(Pence::new(3)));
        assert_eq!(Pence::from_ratio(7, 3), Ok(Pence::new(2)));
        assert_eq!(Pence::from_ratio(8, 3), Ok(Pence::new(3)));
        assert_eq!(Pence::from_ratio(228_000 * 320, 365), Ok(Pence::new(199_890)));
        assert_eq!(Pence::from_ratio(1, 0), Err(AmountOverflow));
    }
}
