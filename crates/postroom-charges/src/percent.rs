//! Percentages held exactly in basis points (1% = 100 bp), for council-set discount and premium
//! rates. Serialised as text such as `"25%"` or `"12.5%"` so that JSON is unambiguous.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A percentage with up to two decimal places, e.g. 25% or 12.5%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Percent(u32);

/// Text that is not a percentage.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a percentage: {0:?} (expected e.g. \"25\", \"25%\" or \"12.5%\")")]
pub struct ParsePercentError(String);

impl Percent {
    /// 0%.
    pub const ZERO: Self = Self(0);
    /// 100%.
    pub const HUNDRED: Self = Self(10_000);

    /// A whole number of percent.
    #[must_use]
    pub const fn whole(percent: u32) -> Self {
        Self(percent.saturating_mul(100))
    }

    /// From basis points (hundredths of a percent).
    #[must_use]
    pub const fn from_basis_points(bp: u32) -> Self {
        Self(bp)
    }

    /// In basis points (hundredths of a percent).
    #[must_use]
    pub const fn basis_points(self) -> u32 {
        self.0
    }

    /// Parses `25`, `25%`, `12.5`, `12.25 %`.
    ///
    /// # Errors
    /// [`ParsePercentError`] for anything else, or more than two decimal places.
    pub fn parse(input: &str) -> Result<Self, ParsePercentError> {
        let bad = || ParsePercentError(input.to_owned());
        let s = input.trim();
        let s = s.strip_suffix('%').unwrap_or(s).trim_end();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits_only = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(frac) || frac.len() > 2 {
            return Err(bad());
        }
        if s.contains('.') && frac.is_empty() {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        whole.checked_mul(100).and_then(|w| w.checked_add(frac)).map(Self).ok_or_else(bad)
    }
}

impl FromStr for Percent {
    type Err = ParsePercentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Percent {
    type Error = ParsePercentError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Percent> for String {
    fn from(p: Percent) -> Self {
        p.to_string()
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}%"),
            f2 if f2 % 10 == 0 => write!(f, "{whole}.{}%", f2 / 10),
            f2 => write!(f, "{whole}.{f2:02}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_percentages() {
        assert_eq!(Percent::parse("25"), Ok(Percent::whole(25)));
        assert_eq!(Percent::parse("25%"), Ok(Percent::whole(25)));
        assert_eq!(Percent::parse("12.5 %"), Ok(Percent::from_basis_points(1250)));
        assert_eq!(Percent::parse("0.05"), Ok(Percent::from_basis_points(5)));
        assert_eq!(Percent::whole(300).to_string(), "300%");
        assert_eq!(Percent::from_basis_points(1250).to_string(), "12.5%");
        assert_eq!(Percent::from_basis_points(1205).to_string(), "12.05%");
        for bad in ["", "%", "-5", "1.234", "x%", "5."] {
            assert!(Percent::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serialises_as_text() -> Result<(), serde_json::Error> {
        assert_eq!(serde_json::to_string(&Percent::from_basis_points(1250))?, "\"12.5%\"");
        assert_eq!(serde_json::from_str::<Percent>("\"25%\"")?, Percent::whole(25));
        Ok(())
    }
}
