//! Work priority, P1 (urgent) to P4 (low).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Priority of a work item: P1 urgent, P2 high, P3 normal, P4 low. Orders with P1 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    /// This priority, raised to `raised` when that is more urgent (a raise never lowers it).
    #[must_use]
    pub fn raised_to(self, raised: Option<Self>) -> Self {
        raised.map_or(self, |r| r.min(self))
    }

    /// 1 for P1 … 4 for P4, as stored.
    #[must_use]
    pub fn rank(self) -> i16 {
        match self {
            Self::P1 => 1,
            Self::P2 => 2,
            Self::P3 => 3,
            Self::P4 => 4,
        }
    }

    /// From the stored rank.
    ///
    /// # Errors
    /// When `rank` is not 1–4.
    pub fn from_rank(rank: i16) -> Result<Self, ParseError> {
        match rank {
            1 => Ok(Self::P1),
            2 => Ok(Self::P2),
            3 => Ok(Self::P3),
            4 => Ok(Self::P4),
            _ => Err(ParseError::new("priority", &rank.to_string(), "expected 1 to 4")),
        }
    }

    /// AMQP message priority (0–4, higher is more urgent) for a queue with 5 levels.
    #[must_use]
    pub fn amqp_priority(self) -> u8 {
        match self {
            Self::P1 => 4,
            Self::P2 => 3,
            Self::P3 => 2,
            Self::P4 => 1,
        }
    }
}

impl Priority {
    /// From an AMQP message priority (the inverse of [`Priority::amqp_priority`]).
    #[must_use]
    pub fn from_amqp(priority: u8) -> Option<Self> {
        match priority {
            4.. => Some(Self::P1),
            3 => Some(Self::P2),
            2 => Some(Self::P3),
            1 => Some(Self::P4),
            0 => None,
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.rank())
    }
}

impl FromStr for Priority {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P1" => Ok(Self::P1),
            "P2" => Ok(Self::P2),
            "P3" => Ok(Self::P3),
            "P4" => Ok(Self::P4),
            _ => Err(ParseError::new("priority", s, "expected P1, P2, P3 or P4")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p1_sorts_first_and_round_trips() {
        let mut v = vec![Priority::P4, Priority::P1, Priority::P3];
        v.sort();
        assert_eq!(v, vec![Priority::P1, Priority::P3, Priority::P4]);
        for p in [Priority::P1, Priority::P2, Priority::P3, Priority::P4] {
            assert_eq!(Priority::from_rank(p.rank()), Ok(p));
            assert_eq!(p.to_string().parse::<Priority>(), Ok(p));
            assert_eq!(Priority::from_amqp(p.amqp_priority()), Some(p));
        }
        assert!("P5".parse::<Priority>().is_err());
    }

    #[test]
    fn a_raise_never_lowers_priority() {
        assert_eq!(Priority::P3.raised_to(Some(Priority::P1)), Priority::P1);
        assert_eq!(Priority::P1.raised_to(Some(Priority::P2)), Priority::P1);
        assert_eq!(Priority::P2.raised_to(None), Priority::P2);
    }
}
