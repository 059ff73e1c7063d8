//! Revenues accounts as the rules see them: the typed changes an officer applies when completing
//! a work item, the account state they are checked against, and which of them need a second pair
//! of eyes. No I/O: `postroom-db` stores what these decide.

pub mod bill;
pub mod change;
pub mod input;
pub mod state;

pub use bill::{Bill, BillError, LocalRates, Rates, bill};
pub use change::{Change, ChangeError, parse_changes, parse_each};
pub use input::{FieldProblem, MAX_NAME, MAX_TEXT, text_problem};
pub use state::{
    AccountState, Adjustment, ApprovalPolicy, ContactChannel, Context, DiscountClass, Mandate, MandateStatus,
    PartyState, PropertyState, RecoveryStage, Section, Service, ValuationHistory, category, mask,
};
