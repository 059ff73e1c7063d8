//! One round: for each folder, take what is new (fetch, apply the rules, receive, record in the
//! ledger), go on past a message that fails and set aside one that keeps failing, then put away
//! what was taken.

use anyhow::Context;
use async_imap::Session;
use bytes::Bytes;
use chrono::Utc;
use futures::TryStreamExt;

use postroom_db::imap_ledger::{self, Entry};
use postroom_domain::Channel;
use postroom_intake::{AfterFailure, Attempts, EmailError, IncomingEmail, OnLimit, held_against_the_message};

use crate::{ImapPoller, RoundReport, RuleAction, TAKEN_KEYWORD, rules};

impl ImapPoller {
    /// Takes what is new in every folder.
    pub(crate) async fn round<T>(&self, session: &mut Session<T>, can_move: bool) -> anyhow::Result<RoundReport>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let mut report = RoundReport::default();
        for folder in &self.settings.folders {
            self.folder(session, folder, can_move, &mut report)
                .await
                .with_context(|| format!("IMAP folder {folder}"))?;
        }
        Ok(report)
    }

    #[tracing::instrument(skip(self, session, report))]
    async fn folder<T>(
        &self,
        session: &mut Session<T>,
        folder: &str,
        can_move: bool,
        report: &mut RoundReport,
    ) -> anyhow::Result<()>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let s = &self.settings;
        let selected = session.select(folder).await?;
        let validity = selected.uid_validity.context("the server gave no UIDVALIDITY")?;
        let mailbox = format!("{}@{}:{}/{folder}", s.username, s.host, s.port);
        let taken = imap_ledger::taken(&self.db, &mailbox, validity).await?;
        // Taken messages leave the folder, or carry the keyword: what is left is new.
        let query = if s.processed_folder.is_some() { "ALL".to_owned() } else { format!("UNKEYWORD {TAKEN_KEYWORD}") };
        let mut present: Vec<u32> = session.uid_search(&query).await?.into_iter().collect();
        present.sort_unstable();
        let mut to_move: Vec<(u32, Option<String>)> = Vec::new();
        let mut rejected = Vec::new();
        for uid in present {
            if taken.all.contains(&uid) {
                if taken.rejected.contains(&uid) {
                    rejected.push(uid); // set aside, not yet moved (the connection dropped)
                } else if taken.unmoved.contains(&uid) {
                    to_move.push((uid, None));
                }
                continue;
            }
            let key = format!("{mailbox};{validity};{uid}");
            let pending = self.attempts().to_set_aside(&key);
            if let Some((failures, error)) = pending {
                self.record_set_aside(&mailbox, validity, uid, failures, &error).await?;
                self.attempts().done(&key);
                rejected.push(uid);
                report.set_aside += 1;
                continue;
            }
            match self.take(session, &mailbox, validity, uid, report).await {
                Ok((outcome, rule)) => {
                    self.attempts().done(&key);
                    to_move.push((uid, (outcome == "skipped").then_some(rule).flatten()));
                }
                Err(e) => {
                    // One message never stops the mailbox: count the failure and go on with the
                    // next, unless the connection itself has gone.
                    report.failed += 1;
                    let error = format!("{e:#}");
                    let answer = held_against_the_message(&e) && self.emails.services_answer().await;
                    let next = self.attempts().failed(&key, error.clone(), answer);
                    tracing::warn!(uid, %error, ?next, "IMAP message failed");
                    session.noop().await.context("the IMAP connection failed after a message failed")?;
                    if let AfterFailure::SetAside { failures } = next {
                        self.record_set_aside(&mailbox, validity, uid, failures, &error).await?;
                        self.attempts().done(&key);
                        rejected.push(uid);
                        report.set_aside += 1;
                    }
                }
            }
        }
        let mut moved = Vec::with_capacity(to_move.len() + rejected.len());
        for uid in rejected {
            self.put_aside(session, uid, can_move).await?;
            moved.push(uid);
        }
        for (uid, skipped_by) in to_move {
            let target = match skipped_by {
                Some(_) => s.skipped_folder.as_ref().or(s.processed_folder.as_ref()),
                None => s.processed_folder.as_ref(),
            };
            self.put_away(session, uid, target.map(String::as_str), can_move).await?;
            moved.push(uid);
        }
        report.moved += moved.len();
        imap_ledger::mark_moved(&self.db, &mailbox, validity, &moved, Utc::now()).await?;
        Ok(())
    }

    /// Fetches, filters and receives one message, and records it in the ledger. Returns the
    /// outcome and the rule that decided it.
    async fn take<T>(
        &self,
        session: &mut Session<T>,
        mailbox: &str,
        validity: u32,
        uid: u32,
        report: &mut RoundReport,
    ) -> anyhow::Result<(&'static str, Option<String>)>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let fetches: Vec<_> = session
            .uid_fetch(uid.to_string(), "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])")
            .await?
            .try_collect()
            .await?;
        let Some(fetch) = fetches.iter().find(|f| f.uid == Some(uid)) else {
            anyhow::bail!("UID {uid} vanished before it could be fetched");
        };
        let raw = Bytes::copy_from_slice(fetch.body().unwrap_or_default());
        let delivered_at = fetch.internal_date().map(|d| d.with_timezone(&Utc));
        // The rules read the headers with their own parse; should it panic, no rule matches.
        let headers =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rules::Headers::of(&raw))).unwrap_or_default();
        let now = Utc::now();
        let mut entry = Entry {
            mailbox: mailbox.to_owned(),
            uid_validity: validity,
            uid,
            message_id: headers.message_id.clone(),
            correspondence_id: None,
            outcome: String::new(),
            rule: None,
        };
        if let Some(rule) = self.settings.rules.iter().find(|r| r.matches(&headers)) {
            entry.rule = Some(rule.name.clone());
            if rule.action == RuleAction::Skip {
                entry.outcome = "skipped".to_owned();
                imap_ledger::record(&self.db, entry, now).await?;
                report.skipped += 1;
                tracing::info!(uid, rule = %rule.name, "message skipped by a mail rule");
                return Ok(("skipped", Some(rule.name.clone())));
            }
        }
        let incoming = IncomingEmail {
            raw,
            channel: Channel::Imap,
            delivered_at,
            correlation_id: None,
            on_limit: OnLimit::Triage,
        };
        let outcome = match self.emails.receive(incoming, now).await {
            Ok(r) => {
                entry.correspondence_id = Some(r.correspondence_id);
                if r.duplicate {
                    report.duplicates += 1;
                    "duplicate"
                } else {
                    report.received += 1;
                    "received"
                }
            }
            Err(EmailError::Empty) => "empty",
            Err(e) => return Err(anyhow::Error::new(e).context(format!("receiving UID {uid}"))),
        };
        entry.outcome = outcome.to_owned();
        let rule = entry.rule.clone();
        imap_ledger::record(&self.db, entry, now).await?;
        Ok((outcome, rule))
    }

    fn attempts(&self) -> std::sync::MutexGuard<'_, Attempts> {
        // A poisoned lock only means another round panicked mid-count; the counts stay usable.
        self.attempts.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
