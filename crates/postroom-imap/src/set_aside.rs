//! Setting aside a message that keeps failing: recorded first (ledger and dead letter, one
//! transaction, idempotent), then moved to the rejected folder or flagged in place.

use anyhow::Context;
use async_imap::Session;
use chrono::Utc;
use futures::TryStreamExt;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use postroom_db::{
    dead_letters::{self, NewDeadLetter},
    imap_ledger::{self, Entry},
};

use crate::{DEAD_LETTER_SOURCE, ImapPoller, REJECTED_KEYWORD, TAKEN_KEYWORD};

impl ImapPoller {
    /// Records a message that keeps failing as set aside: the ledger says `rejected` and a dead
    /// letter names it and the reason, for an admin, both in one transaction and idempotently (a
    /// second attempt after a dropped connection records nothing new). The message is moved
    /// afterwards ([`Self::put_aside`]); until then the ledger says it is still to be moved.
    pub(crate) async fn record_set_aside(
        &self,
        mailbox: &str,
        validity: u32,
        uid: u32,
        failures: u32,
        error: &str,
    ) -> anyhow::Result<()> {
        let s = &self.settings;
        let now = Utc::now();
        let place = s.rejected_folder.as_deref().map_or_else(
            || format!("flagged {REJECTED_KEYWORD} in place"),
            |f| format!("moved to the IMAP folder {f} (or, if that fails, flagged {REJECTED_KEYWORD} in place)"),
        );
        let reason = format!("IMAP message UID {uid} of {mailbox} failed {failures} times and is {place}: {error}");
        let entry = Entry {
            mailbox: mailbox.to_owned(),
            uid_validity: validity,
            uid,
            message_id: None,
            correspondence_id: None,
            outcome: imap_ledger::REJECTED.to_owned(),
            rule: None,
        };
        let coordinates = format!("{mailbox};{validity};{uid}");
        let payload = serde_json::json!({ "mailbox": mailbox, "uid_validity": validity, "uid": uid, "folder": s.rejected_folder });
        let letter = NewDeadLetter {
            id: Some(Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("postroom:imap:{coordinates}").as_bytes())),
            event_id: Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("postroom:imap-message:{coordinates}").as_bytes()),
            event_type: "imap.message_set_aside".to_owned(),
            source: DEAD_LETTER_SOURCE.to_owned(),
            payload: payload.to_string(),
            correlation_id: None,
            priority: None,
            reason: Some(reason.clone()),
            attempts: i32::try_from(failures).unwrap_or(i32::MAX),
        };
        let txn = self.db.begin().await?;
        imap_ledger::record(&txn, entry, now).await?;
        dead_letters::record(&txn, letter, now).await?;
        txn.commit().await?;
        tracing::error!(%reason, "IMAP message set aside");
        Ok(())
    }

    /// Moves a message set aside to the rejected folder; when there is none, or the move fails
    /// (a folder the server will not create), flags it [`REJECTED_KEYWORD`] in place instead, so
    /// the mailbox carries on either way.
    ///
    /// # Errors
    /// Only when the connection itself has failed.
    pub(crate) async fn put_aside<T>(&self, session: &mut Session<T>, uid: u32, can_move: bool) -> anyhow::Result<()>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        if let Some(folder) = &self.settings.rejected_folder {
            match self.put_away(session, uid, Some(folder), can_move).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::warn!(uid, %folder, error = %format!("{e:#}"), "cannot move a message set aside; flagging it in place");
                    session.noop().await.context("the IMAP connection failed while setting a message aside")?;
                }
            }
        }
        let flags = format!("+FLAGS.SILENT ({REJECTED_KEYWORD} {TAKEN_KEYWORD})");
        let _: Vec<_> = session.uid_store(uid.to_string(), flags).await?.try_collect().await?;
        Ok(())
    }
}
