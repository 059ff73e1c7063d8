//! Council Tax valuation bands A–H (England) and their ratio to Band D (LGFA 1992 s5;
//! domain.md §1.1), including the disabled band reduction (§1.6).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::{AmountOverflow, Pence};

/// A Council Tax valuation band in England.
/// In JSON it is its letter (`"C"`); `"c"` and `"Band C"` are read too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Band {
    /// Up to £40,000 (1991 values); 6/9 of D.
    A,
    /// £40,001–£52,000; 7/9.
    B,
    /// £52,001–£68,000; 8/9.
    C,
    /// £68,001–£88,000; 9/9.
    D,
    /// £88,001–£120,000; 11/9.
    E,
    /// £120,001–£160,000; 13/9.
    F,
    /// £160,001–£320,000; 15/9.
    G,
    /// Over £320,000; 18/9.
    H,
}

/// Text that is not a band letter.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a Council Tax band: {0:?} (expected A–H)")]
pub struct ParseBandError(String);

impl Band {
    /// All bands, lowest first.
    pub const ALL: [Self; 8] = [Self::A, Self::B, Self::C, Self::D, Self::E, Self::F, Self::G, Self::H];

    /// The band's ratio to Band D, in ninths (A 6, B 7, C 8, D 9, E 11, F 13, G 15, H 18).
    #[must_use]
    pub const fn ninths(self) -> u32 {
        match self {
            Self::A => 6,
            Self::B => 7,
            Self::C => 8,
            Self::D => 9,
            Self::E => 11,
            Self::F => 13,
            Self::G => 15,
            Self::H => 18,
        }
    }

    /// Ninths of Band D payable with a disabled band reduction: the band one lower, and for
    /// Band A 5/9 (A reduced by 1/9 of D).
    #[must_use]
    pub const fn reduced_ninths(self) -> u32 {
        match self.lower() {
            Some(lower) => lower.ninths(),
            None => 5,
        }
    }

    /// The band one lower, if any.
    #[must_use]
    pub const fn lower(self) -> Option<Self> {
        match self {
            Self::A => None,
            Self::B => Some(Self::A),
            Self::C => Some(Self::B),
            Self::D => Some(Self::C),
            Self::E => Some(Self::D),
            Self::F => Some(Self::E),
            Self::G => Some(Self::F),
            Self::H => Some(Self::G),
        }
    }

    /// The full-year amount for this band given the Band D amount: `band_d × ninths / 9`,
    /// rounded half-up to the penny (the §1.1 table).
    ///
    /// # Errors
    /// [`AmountOverflow`] if the result does not fit in pence.
    pub fn annual_amount(self, band_d_annual: Pence) -> Result<Pence, AmountOverflow> {
        Pence::from_ratio(i128::from(band_d_annual.pence()) * i128::from(self.ninths()), 9)
    }
}

impl FromStr for Band {
    type Err = ParseBandError;
    /// Accepts `A`, `a`, `Band A`, `band a`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let letter = match t.get(..5) {
            Some(prefix) if prefix.eq_ignore_ascii_case("band ") => t[5..].trim(),
            _ => t,
        };
        let band = match letter.to_ascii_uppercase().as_str() {
            "A" => Self::A,
            "B" => Self::B,
            "C" => Self::C,
            "D" => Self::D,
            "E" => Self::E,
            "F" => Self::F,
            "G" => Self::G,
            "H" => Self::H,
            _ => return Err(ParseBandError(s.to_owned())),
        };
        Ok(band)
    }
}

impl TryFrom<String> for Band {
    type Error = ParseBandError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Band> for String {
    fn from(band: Band) -> Self {
        band.to_string()
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
            Self::E => "E",
            Self::F => "F",
            Self::G => "G",
            Self::H => "H",
        };
        f.write_str(letter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_band_letters() {
        assert_eq!("a".parse(), Ok(Band::A));
        assert_eq!("Band H".parse(), Ok(Band::H));
        assert_eq!(" band c ".parse(), Ok(Band::C));
        assert!("I".parse::<Band>().is_err());
        assert!("Band".parse::<Band>().is_err());
        for band in Band::ALL {
            assert_eq!(band.to_string().parse(), Ok(band));
        }
    }

    #[test]
    fn disabled_reduction_is_one_band_lower_and_five_ninths_for_a() {
        assert_eq!(Band::A.reduced_ninths(), 5);
        assert_eq!(Band::B.reduced_ninths(), 6);
        assert_eq!(Band::E.reduced_ninths(), 9);
        assert_eq!(Band::H.reduced_ninths(), 15);
    }
}
