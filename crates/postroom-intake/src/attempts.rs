//! Channels that poll (the IMAP mailbox, the drop folders) must never stall on one message: a
//! message or file that fails is left for the next round while the others go on, and one that
//! has failed `max` times while the database and store answer is set aside where an admin sees
//! it. Failures while a service is down are the service's, not the message's: they never set a
//! message aside.

use std::collections::HashMap;

use sea_orm::DatabaseConnection;

use postroom_storage::ObjectStorage;

use crate::{EmailError, IntakeError};

/// Failures so far of each message or file that has not yet been received.
#[derive(Debug)]
pub struct Attempts {
    max: u32,
    failures: HashMap<String, Failure>,
}

#[derive(Debug)]
struct Failure {
    count: u32,
    last_error: String,
    set_aside: bool,
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again next round.
    Retry { failures: u32 },
    /// It has failed `failures` times while the services answered: set it aside.
    SetAside { failures: u32 },
}

impl Attempts {
    /// Sets aside after `max` failures (at least 1).
    #[must_use]
    pub fn new(max: u32) -> Self {
        Self { max: max.max(1), failures: HashMap::new() }
    }

    /// Counts a failure of `key`, and decides: set aside once it has failed `max` times with
    /// the services answering. A failure while the database or store is down proves nothing
    /// about the message and is not counted. The decision stands until [`Self::done`], so a set-aside that could
    /// not be carried out (the connection dropped) is carried out next time.
    pub fn failed(&mut self, key: &str, error: String, services_answer: bool) -> AfterFailure {
        let f = self.failures.entry(key.to_owned()).or_insert(Failure {
            count: 0,
            last_error: String::new(),
            set_aside: false,
        });
        if services_answer {
            f.count = f.count.saturating_add(1);
        }
        f.last_error = error;
        f.set_aside |= f.count >= self.max && services_answer;
        if f.set_aside {
            AfterFailure::SetAside { failures: f.count }
        } else {
            AfterFailure::Retry { failures: f.count }
        }
    }

    /// When `key` was judged to be set aside and has not been yet: how often it failed, and the
    /// last error.
    #[must_use]
    pub fn to_set_aside(&self, key: &str) -> Option<(u32, String)> {
        self.failures.get(key).filter(|f| f.set_aside).map(|f| (f.count, f.last_error.clone()))
    }

    /// Forgets `key` (received, set aside, or gone).
    pub fn done(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

/// Whether a failure can be held against the message: not when the database cancelled a
/// statement at its timeout, which says the database was busy, not that the message is bad.
#[must_use]
pub fn held_against_the_message(error: &anyhow::Error) -> bool {
    !error.chain().any(|cause| {
        let db = cause.downcast_ref::<sea_orm::DbErr>().or_else(|| match cause.downcast_ref::<EmailError>() {
            Some(EmailError::Database(e)) => Some(e),
            _ => match cause.downcast_ref::<IntakeError>() {
                Some(IntakeError::Database(e)) => Some(e),
                _ => None,
            },
        });
        db.is_some_and(postroom_db::is_statement_timeout)
    })
}

/// Whether the database and the object store both answer now.
pub async fn services_answer(db: &DatabaseConnection, storage: &ObjectStorage) -> bool {
    let db_ok = postroom_db::ping(db).await.is_ok();
    db_ok && storage.check().await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_set_aside_after_max_failures_while_the_services_answer_and_outages_do_not_count() {
        let mut a = Attempts::new(3);
        let e = || "boom".to_owned();
        assert_eq!(a.failed("m", e(), true), AfterFailure::Retry { failures: 1 });
        assert_eq!(a.failed("m", e(), false), AfterFailure::Retry { failures: 1 }, "an outage does not count");
        assert_eq!(a.failed("m", e(), false), AfterFailure::Retry { failures: 1 });
        assert_eq!(a.failed("m", e(), true), AfterFailure::Retry { failures: 2 });
        assert_eq!(a.to_set_aside("m"), None);
        assert_eq!(a.failed("other", e(), true), AfterFailure::Retry { failures: 1 });
        assert_eq!(a.failed("m", "last".to_owned(), true), AfterFailure::SetAside { failures: 3 });
        assert_eq!(a.to_set_aside("m"), Some((3, "last".to_owned())), "the decision stands until done");
        a.done("m");
        assert_eq!(a.to_set_aside("m"), None);
        assert_eq!(a.failed("m", e(), true), AfterFailure::Retry { failures: 1 }, "counting starts again");
    }

    #[test]
    fn an_ordinary_failure_is_held_against_the_message() {
        assert!(held_against_the_message(&anyhow::anyhow!("the object store refused the write")));
        assert!(held_against_the_message(&anyhow::Error::new(EmailError::Empty).context("receiving UID 7")));
    }
}
