//! Roles a caller can hold.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// What a caller may do. Carried in the bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works items in the queues they are assigned.
    Officer,
    /// Watches queues, reassigns, approves.
    TeamLeader,
    /// Scans and indexes post.
    PostRoom,
    /// Administers the service.
    Admin,
    /// Reads everything, changes nothing.
    Auditor,
    /// Another system (mail gateway, back office).
    Service,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 6] =
        [Self::Officer, Self::TeamLeader, Self::PostRoom, Self::Admin, Self::Auditor, Self::Service];

    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::TeamLeader => "team_leader",
            Self::PostRoom => "post_room",
            Self::Admin => "admin",
            Self::Auditor => "auditor",
            Self::Service => "service",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            ParseError::new("role", s, "expected officer, team_leader, post_room, admin, auditor or service")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_wire_name_only() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!("Officer".parse::<Role>().is_err());
    }
}
