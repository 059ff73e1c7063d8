//! How many searches a caller shapes (account search, work-item text search) run at once. Each
//! holds a pooled database connection for as long as it runs; left unbounded, a burst of slow
//! searches takes every connection, and intake and `/readyz` wait for one until they fail. With
//! at most half the pool searching, the other half is always there for them; a search that finds
//! every slot taken waits a moment, then is answered 503.

use std::{sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// How long a search waits for a slot before it is answered 503.
const WAIT: Duration = Duration::from_secs(5);

/// Slots for searches; cloning shares them.
#[derive(Debug, Clone)]
pub struct SearchSlots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl SearchSlots {
    /// Half of a pool of `max_connections` (at least one) for searches.
    #[must_use]
    pub fn for_pool(max_connections: u32) -> Self {
        Self::new(usize::try_from(max_connections / 2).unwrap_or(1).max(1), WAIT)
    }

    /// `slots` searches at once; one waits at most `wait` for a slot.
    #[must_use]
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self { slots: Arc::new(Semaphore::new(slots)), wait }
    }

    /// A slot, held until the permit is dropped.
    ///
    /// # Errors
    /// 503 when none frees up in time.
    pub async fn take(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => {
                Err(ApiError::Unavailable("too many searches are running at once; try again in a moment".to_owned()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_the_pool_and_at_least_one_slot() {
        assert_eq!(SearchSlots::for_pool(10).slots.available_permits(), 5);
        assert_eq!(SearchSlots::for_pool(1).slots.available_permits(), 1);
    }

    #[tokio::test]
    async fn a_search_finding_every_slot_taken_waits_then_is_a_503() {
        let slots = SearchSlots::new(1, Duration::from_millis(50));
        let held = slots.take().await.unwrap();
        let err = slots.take().await.unwrap_err();
        assert_eq!(err.parts().0.as_u16(), 503);
        drop(held);
        assert!(slots.take().await.is_ok(), "a freed slot is taken");
    }
}
