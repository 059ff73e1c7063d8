//! What an officer, team leader or the post room may do to a work item, in which state, and the
//! state it leads to. Every use case checks its action here before touching the database, so the rules
//! live in one table that a test walks in full.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use postroom_domain::{ParseError, Role, WorkItemStatus};

/// An action on a work item (`POST /api/v1/work-items/{id}/{action}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Take a ready item.
    Claim,
    /// Give a claimed item back to its queue.
    Release,
    /// Wait for the customer (SLA clock paused) until they write or the bring-forward date.
    Pend,
    /// Stop waiting for the customer: `Ready` in this table; the use case gives an item its
    /// officer was holding back to them, in progress.
    Resume,
    /// Send to another queue (e.g. fraud) with a reason.
    Refer,
    /// Send a referred item back to the queue it came from.
    Return,
    /// Give the item to a named officer (team leaders).
    Reassign,
    /// Close without action, with a reason.
    Cancel,
    /// Add a note (no change of state).
    Notes,
    /// Finish the work, applying account changes (or asking for approval).
    Complete,
    /// Approve a completion awaiting four-eyes (a team leader who did not complete it).
    Approve,
    /// Send a completion awaiting approval back to the officer, with a reason.
    Reject,
    /// Set workflow and accounts on a triage item.
    Index,
    /// Open a finished or cancelled item again (team leaders, with a reason): back to ready in
    /// its queue, its deadline counted afresh from the reopening.
    Reopen,
    /// Move a ready item to another workflow (team leaders), with a reason.
    Reroute,
    /// Change an open item's priority (team leaders), with a reason; its state stays.
    Prioritise,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The caller's role may never do this (403).
    #[error("role {role} may not {action}; allowed: {allowed}")]
    Role { action: Action, role: Role, allowed: String },
    /// Not in this state (409, naming the state).
    #[error("cannot {action} an item that is {state}")]
    State { action: Action, state: WorkItemStatus },
    /// Someone else holds the claim (409).
    #[error(
        "cannot {action} an item that is {state}, claimed by {holder}; only the officer holding it or a team leader can"
    )]
    NotHolder { action: Action, state: WorkItemStatus, holder: String },
}

/// The caller as the rules see them: their role, and whether they hold the item's claim.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub role: Role,
    pub user: &'a str,
}

impl Action {
    /// Every action.
    pub const ALL: [Self; 16] = [
        Self::Claim,
        Self::Release,
        Self::Pend,
        Self::Resume,
        Self::Refer,
        Self::Return,
        Self::Reassign,
        Self::Cancel,
        Self::Notes,
        Self::Complete,
        Self::Approve,
        Self::Reject,
        Self::Index,
        Self::Reopen,
        Self::Reroute,
        Self::Prioritise,
    ];

    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claim => "claim",
            Self::Release => "release",
            Self::Pend => "pend",
            Self::Resume => "resume",
            Self::Refer => "refer",
            Self::Return => "return",
            Self::Reassign => "reassign",
            Self::Cancel => "cancel",
            Self::Notes => "notes",
            Self::Complete => "complete",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Index => "index",
            Self::Reopen => "reopen",
            Self::Reroute => "reroute",
            Self::Prioritise => "prioritise",
        }
    }

    /// The roles that may ever take this action.
    #[must_use]
    pub fn roles(self) -> &'static [Role] {
        use Role::{Admin, Officer, PostRoom, TeamLeader};
        match self {
            Self::Claim | Self::Release | Self::Pend | Self::Resume | Self::Refer | Self::Return | Self::Complete => {
                &[Officer, TeamLeader]
            }
            Self::Cancel => &[Officer, TeamLeader, PostRoom],
            Self::Notes => &[Officer, TeamLeader, PostRoom, Admin],
            Self::Reassign | Self::Approve | Self::Reject | Self::Reopen | Self::Reroute | Self::Prioritise => {
                &[TeamLeader]
            }
            Self::Index => &[PostRoom, TeamLeader, Admin],
        }
    }

    /// The state this action leads to from `from`, or `None` where it is not allowed. `Notes`
    /// leaves the state as it is; `Complete` leads to `Done` (or `AwaitingApproval` when four-eyes
    /// applies, which the caller decides).
    #[must_use]
    pub fn target(self, from: WorkItemStatus) -> Option<WorkItemStatus> {
        use WorkItemStatus::{
            AwaitingApproval, AwaitingCustomer, Cancelled, Done, InProgress, Ready, Referred, Triage,
        };
        match (self, from) {
            (Self::Claim, Ready) | (Self::Reassign, Ready | InProgress) | (Self::Reject, AwaitingApproval) => {
                Some(InProgress)
            }
            (Self::Release, InProgress)
            | (Self::Resume, AwaitingCustomer)
            | (Self::Return, Referred)
            | (Self::Index, Triage)
            | (Self::Reroute, Ready)
            | (Self::Reopen, Done | Cancelled) => Some(Ready),
            (Self::Pend, InProgress) => Some(AwaitingCustomer),
            (Self::Refer, InProgress) => Some(Referred),
            (Self::Cancel, Triage | Ready | InProgress | AwaitingCustomer | Referred) => Some(Cancelled),
            (Self::Complete, InProgress) | (Self::Approve, AwaitingApproval) => Some(Done),
            (Self::Notes, s) => Some(s),
            (Self::Prioritise, s) if !s.is_closed() => Some(s),
            _ => None,
        }
    }

    /// Whether only the officer holding the claim (or a team leader) may take this action on a
    /// claimed item.
    #[must_use]
    pub fn needs_holder(self) -> bool {
        matches!(self, Self::Release | Self::Pend | Self::Refer | Self::Complete | Self::Cancel)
    }

    /// Checks the action against the caller's role, the item's state and who holds it, giving
    /// the state it leads to.
    ///
    /// # Errors
    /// A [`Refusal`] saying which rule refused it.
    pub fn check(
        self,
        actor: Actor<'_>,
        state: WorkItemStatus,
        holder: Option<&str>,
    ) -> Result<WorkItemStatus, Refusal> {
        if !self.roles().contains(&actor.role) {
            let allowed: Vec<&str> = self.roles().iter().map(|r| r.as_str()).collect();
            return Err(Refusal::Role { action: self, role: actor.role, allowed: allowed.join(", ") });
        }
        // The post room cancels only what it is sorting: triage items.
        if actor.role == Role::PostRoom && self == Self::Cancel && state != WorkItemStatus::Triage {
            return Err(Refusal::State { action: self, state });
        }
        let to = self.target(state).ok_or(Refusal::State { action: self, state })?;
        // A claimed item, or one its officer is waiting on the customer for, is theirs.
        if matches!(state, WorkItemStatus::InProgress | WorkItemStatus::AwaitingCustomer)
            && self.needs_holder()
            && actor.role != Role::TeamLeader
            && let Some(holder) = holder.filter(|h| *h != actor.user)
        {
            return Err(Refusal::NotHolder { action: self, state, holder: holder.to_owned() });
        }
        Ok(to)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| {
            ParseError::new(
                "action",
                s,
                "expected claim, release, pend, resume, refer, return, reassign, cancel, notes, complete, approve, reject, index, reopen or reroute",
            )
        })
    }
}

/// Why an item was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// Another item covers it.
    Duplicate,
    /// Nothing to do (e.g. information only).
    NoActionNeeded,
    /// Sent to the council by mistake.
    SentInError,
    /// Joined an open item about the same account (set by the classifier).
    Merged,
}

#[cfg(test)]
mod tests {
    use super::*;
    use WorkItemStatus as S;

    fn officer(user: &str) -> Actor<'_> {
        Actor { role: Role::Officer, user }
    }

    /// The whole table: every action from every state, for an officer holding the item.
    #[test]
    fn every_action_from_every_state_is_allowed_or_refused_as_the_table_says() {
        let allowed: &[(Action, S, S)] = &[
            (Action::Claim, S::Ready, S::InProgress),
            (Action::Release, S::InProgress, S::Ready),
            (Action::Pend, S::InProgress, S::AwaitingCustomer),
            (Action::Resume, S::AwaitingCustomer, S::Ready),
            (Action::Refer, S::InProgress, S::Referred),
            (Action::Return, S::Referred, S::Ready),
            (Action::Cancel, S::Triage, S::Cancelled),
            (Action::Cancel, S::Ready, S::Cancelled),
            (Action::Cancel, S::InProgress, S::Cancelled),
            (Action::Cancel, S::AwaitingCustomer, S::Cancelled),
            (Action::Cancel, S::Referred, S::Cancelled),
            (Action::Complete, S::InProgress, S::Done),
        ];
        for action in Action::ALL {
            for state in S::ALL {
                let got = action.check(officer("amy"), state, Some("amy"));
                if matches!(
                    action,
                    Action::Reassign
                        | Action::Approve
                        | Action::Reject
                        | Action::Index
                        | Action::Reopen
                        | Action::Reroute
                        | Action::Prioritise
                ) {
                    assert!(matches!(got, Err(Refusal::Role { .. })), "{action} by an officer: {got:?}");
                } else if action == Action::Notes {
                    assert_eq!(got, Ok(state));
                } else if let Some((_, _, to)) = allowed.iter().find(|(a, s, _)| *a == action && *s == state) {
                    assert_eq!(got, Ok(*to), "{action} from {state}");
                } else {
                    assert_eq!(got, Err(Refusal::State { action, state }), "{action} from {state}");
                }
            }
        }
    }

    #[test]
    fn team_leaders_reassign_approve_and_reject() {
        let tl = Actor { role: Role::TeamLeader, user: "tess" };
        assert_eq!(Action::Reassign.check(tl, S::Ready, None), Ok(S::InProgress));
        assert_eq!(Action::Reassign.check(tl, S::InProgress, Some("amy")), Ok(S::InProgress));
        assert_eq!(Action::Approve.check(tl, S::AwaitingApproval, None), Ok(S::Done));
        assert_eq!(Action::Reject.check(tl, S::AwaitingApproval, None), Ok(S::InProgress));
        assert!(matches!(Action::Approve.check(tl, S::InProgress, None), Err(Refusal::State { .. })));
        assert!(matches!(Action::Reassign.check(tl, S::Done, None), Err(Refusal::State { .. })));
        assert_eq!(Action::Reopen.check(tl, S::Done, None), Ok(S::Ready));
        assert_eq!(Action::Reopen.check(tl, S::Cancelled, None), Ok(S::Ready));
        assert!(matches!(Action::Reopen.check(tl, S::InProgress, None), Err(Refusal::State { .. })));
        assert_eq!(Action::Reroute.check(tl, S::Ready, None), Ok(S::Ready));
        assert_eq!(Action::Prioritise.check(tl, S::AwaitingCustomer, None), Ok(S::AwaitingCustomer));
        assert_eq!(Action::Prioritise.check(tl, S::InProgress, Some("amy")), Ok(S::InProgress));
        assert!(matches!(Action::Prioritise.check(tl, S::Done, None), Err(Refusal::State { .. })));
        assert!(matches!(Action::Reroute.check(tl, S::Triage, None), Err(Refusal::State { .. })));
    }

    #[test]
    fn only_the_holder_or_a_team_leader_acts_on_a_claimed_item() {
        for action in [Action::Release, Action::Pend, Action::Refer, Action::Complete, Action::Cancel] {
            assert_eq!(
                action.check(officer("bob"), S::InProgress, Some("amy")),
                Err(Refusal::NotHolder { action, state: S::InProgress, holder: "amy".to_owned() })
            );
            let tl = Actor { role: Role::TeamLeader, user: "tess" };
            assert!(action.check(tl, S::InProgress, Some("amy")).is_ok(), "{action}");
        }
        // A pended item stays its officer's: another officer cannot cancel it.
        assert_eq!(
            Action::Cancel.check(officer("bob"), S::AwaitingCustomer, Some("amy")),
            Err(Refusal::NotHolder { action: Action::Cancel, state: S::AwaitingCustomer, holder: "amy".to_owned() })
        );
        // Notes are for anyone working the case.
        assert_eq!(Action::Notes.check(officer("bob"), S::InProgress, Some("amy")), Ok(S::InProgress));
    }

    #[test]
    fn the_post_room_cancels_only_triage_and_auditors_do_nothing() {
        let pr = Actor { role: Role::PostRoom, user: "pat" };
        assert_eq!(Action::Cancel.check(pr, S::Triage, None), Ok(S::Cancelled));
        assert!(matches!(Action::Cancel.check(pr, S::Ready, None), Err(Refusal::State { .. })));
        assert_eq!(Action::Index.check(pr, S::Triage, None), Ok(S::Ready));
        let auditor = Actor { role: Role::Auditor, user: "al" };
        for action in Action::ALL {
            assert!(matches!(action.check(auditor, S::Ready, None), Err(Refusal::Role { .. })), "{action}");
        }
    }

    #[test]
    fn actions_round_trip_through_their_names() {
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
        }
        assert!("approve-all".parse::<Action>().is_err());
    }
}
