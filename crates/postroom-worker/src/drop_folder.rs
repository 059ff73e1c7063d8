//! Drop folders: files that appear under `inbox/scans/` and `inbox/email/` in the object store
//! (a local directory on the embedded default, or the bucket) are received once they are
//! stable, then moved to their archive key.
//!
//! A file is *stable* when two listings in a row show it unchanged (size, ETag, modification
//! time) and it was last modified at least `stable_for` ago, so a file still being copied in is
//! left alone. Receiving is idempotent (content hash, Message-ID), so a crash between receiving
//! and archiving, or two workers polling one bucket, records each file once. A file that cannot
//! be received (not a PDF/TIFF/PNG/JPEG, empty) is moved to the rejected prefix with a
//! `.reason.txt` beside it, never deleted.
//!
//! One file never stops the folders: a file whose receiving fails is left for the next round
//! while the others are taken, and one that has failed `max_attempts` times while the database
//! and store answer is moved to the rejected prefix with the error as its reason.

use std::{collections::HashMap, time::Duration};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use postroom_domain::{Channel, ContentHash};
use postroom_intake::{
    AfterFailure, Attempts, EmailError, EmailIntake, IncomingEmail, IntakeError, OnLimit, ScanBatch, ScanFile,
    ScanIntake, display_filename, held_against_the_message,
};
use postroom_storage::{ListedObject, ObjectStorage};

use crate::logged_key;

/// Where the drop folders are and how they are watched.
#[derive(Debug, Clone)]
pub struct DropFolderSettings {
    /// Scans (PDF, TIFF, PNG, JPEG), e.g. `inbox/scans/`.
    pub scans_prefix: String,
    /// Raw emails (`.eml`), e.g. `inbox/email/`.
    pub email_prefix: String,
    /// Received files are moved under here, by date: `<archive>/<YYYY-MM-DD>/<hash>-<name>`.
    pub archive_prefix: String,
    /// Files that could not be received are moved under here with a `.reason.txt`.
    pub rejected_prefix: String,
    pub poll_interval: Duration,
    /// How long a file must have been left unchanged before it is taken.
    pub stable_for: Duration,
    /// Failures of one file (while the database and store answer) before it is set aside.
    pub max_attempts: u32,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Received {
        key: String,
        archived_as: String,
        duplicate: bool,
    },
    Rejected {
        key: String,
        moved_to: String,
        reason: String,
    },
    /// Receiving failed; the file stays for the next round.
    Failed {
        key: String,
        error: String,
        failures: u32,
    },
}

/// Watches the drop folders.
pub struct DropFolders {
    storage: ObjectStorage,
    scans: ScanIntake,
    emails: EmailIntake,
    settings: DropFolderSettings,
    /// What each waiting file looked like at the last listing, and when it was first seen.
    seen: HashMap<String, (Look, DateTime<Utc>)>,
    /// Failures so far of files not yet taken.
    attempts: Attempts,
}

/// What a listed file looked like: size, ETag, modification time.
type Look = (u64, Option<String>, DateTime<Utc>);

#[derive(Clone, Copy)]
enum Kind {
    Scan,
    Email,
}

impl DropFolders {
    #[must_use]
    pub fn new(storage: ObjectStorage, scans: ScanIntake, emails: EmailIntake, settings: DropFolderSettings) -> Self {
        let attempts = Attempts::new(settings.max_attempts);
        Self { storage, scans, emails, settings, seen: HashMap::new(), attempts }
    }

    /// Polls until `cancel` fires; a failed round is logged and retried at the next interval.
    pub async fn run(mut self, cancel: CancellationToken) {
        tracing::info!(
            scans = %self.settings.scans_prefix,
            email = %self.settings.email_prefix,
            storage = self.storage.description(),
            "watching drop folders"
        );
        loop {
            if let Err(e) = self.poll(Utc::now()).await {
                tracing::warn!(error = %format!("{e:#}"), "drop-folder round failed; will retry");
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        tracing::info!("drop folders no longer watched");
    }

    /// One round: lists both folders and receives every file that has become stable.
    ///
    /// # Errors
    /// When the store cannot be listed or read, or the database fails; files not yet handled
    /// stay where they are for the next round.
    #[tracing::instrument(skip_all)]
    pub async fn poll(&mut self, now: DateTime<Utc>) -> anyhow::Result<Vec<Outcome>> {
        let mut listed = Vec::new();
        for (prefix, kind) in [(&self.settings.scans_prefix, Kind::Scan), (&self.settings.email_prefix, Kind::Email)] {
            listed.extend(self.storage.list(prefix).await?.into_iter().map(|o| (o, kind)));
        }
        let mut stable = Vec::new();
        let mut seen = HashMap::with_capacity(listed.len());
        for (object, kind) in listed {
            if is_hidden(&object.key) {
                continue;
            }
            let look = (object.size, object.e_tag.clone(), object.last_modified);
            let previous = self.seen.get(&object.key);
            let unchanged = previous.is_some_and(|(before, _)| *before == look);
            let first_seen = previous.map_or(now, |(_, first)| *first);
            // Quiet since its last change, or since it was first seen when its time is in the
            // future (a clock that is wrong must not keep a file waiting for ever).
            let since = object.last_modified.min(first_seen);
            let quiet = now.signed_duration_since(since).to_std().unwrap_or_default() >= self.settings.stable_for;
            seen.insert(object.key.clone(), (look, first_seen));
            if unchanged && quiet {
                stable.push((object, kind));
            }
        }
        self.seen = seen;
        let mut outcomes = Vec::with_capacity(stable.len());
        for (object, kind) in stable {
            let outcome = match self.take(&object, kind, now).await {
                Ok(outcome) => {
                    self.attempts.done(&object.key);
                    outcome
                }
                Err(e) => {
                    let held = held_against_the_message(&e);
                    self.failed(&object, format!("{e:#}"), held, now).await
                }
            };
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// A file failed: left for the next round, or set aside once it has failed often enough
    /// while the services answer. Never fails itself: one file never stops the folders.
    async fn failed(&mut self, object: &ListedObject, error: String, held: bool, now: DateTime<Utc>) -> Outcome {
        let answer = held && self.emails.services_answer().await;
        let failures = match self.attempts.failed(&object.key, error.clone(), answer) {
            AfterFailure::Retry { failures } => failures,
            AfterFailure::SetAside { failures } => {
                let reason = format!("receiving it failed {failures} times: {error}");
                match self.reject(object, reason, now).await {
                    Ok(outcome) => {
                        self.attempts.done(&object.key);
                        return outcome;
                    }
                    Err(e) => {
                        tracing::error!(
                            file = %logged_key::digest(&object.key),
                            error = %logged_key::redact(&format!("{e:#}"), &object.key),
                            "cannot set a failing drop-folder file aside; will try again"
                        );
                        failures
                    }
                }
            }
        };
        tracing::warn!(
            file = %logged_key::digest(&object.key),
            error = %logged_key::redact(&error, &object.key),
            failures,
            "drop-folder file failed; will try again"
        );
        Outcome::Failed { key: object.key.clone(), error, failures }
    }

    // The key is a file name, personal data: only its digest is recorded (see `logged_key`).
    #[tracing::instrument(skip_all, fields(file = %logged_key::digest(&object.key)))]
    async fn take(&self, object: &ListedObject, kind: Kind, now: DateTime<Utc>) -> anyhow::Result<Outcome> {
        let bytes = self.storage.get(&object.key).await?;
        let name = object.key.rsplit('/').next().unwrap_or("file").to_owned();
        let result = match kind {
            Kind::Scan => self.receive_scan(&name, bytes.clone(), object.last_modified, now).await?,
            Kind::Email => self.receive_email(bytes.clone(), now).await?,
        };
        match result {
            Ok(duplicate) => {
                let hash = ContentHash::of(&bytes);
                let archived_as = format!(
                    "{}{}/{}-{}",
                    self.settings.archive_prefix,
                    postroom_domain::london_date(now),
                    &hash.as_str()[..16],
                    safe_name(&name)
                );
                self.storage.move_object(&object.key, &archived_as).await?;
                // The archived key ends with the file's name: the content hash it starts with
                // finds it.
                tracing::info!(
                    content_hash = &hash.as_str()[..16],
                    duplicate,
                    "drop-folder file received and archived"
                );
                Ok(Outcome::Received { key: object.key.clone(), archived_as, duplicate })
            }
            Err(reason) => self.reject(object, reason, now).await,
        }
    }

    /// Moves a file to the rejected prefix with a `.reason.txt` beside it.
    async fn reject(&self, object: &ListedObject, reason: String, now: DateTime<Utc>) -> anyhow::Result<Outcome> {
        let name = object.key.rsplit('/').next().unwrap_or("file");
        let moved_to = format!("{}{}-{}", self.settings.rejected_prefix, now.format("%Y%m%dT%H%M%SZ"), safe_name(name));
        let note = format!("{}\nwas not received: {reason}\n", object.key);
        self.storage.put(&format!("{moved_to}.reason.txt"), Bytes::from(note)).await?;
        self.storage.move_object(&object.key, &moved_to).await?;
        tracing::warn!(
            file = %logged_key::digest(&object.key),
            reason = %logged_key::redact(&reason, &object.key),
            "drop-folder file rejected"
        );
        Ok(Outcome::Rejected { key: object.key.clone(), moved_to, reason })
    }

    /// Receives a scan: `Ok(Ok(duplicate))`, or `Ok(Err(reason))` when the file itself cannot be
    /// received. An `Err` is a failure that is not the file's fault (database, storage): the file
    /// stays where it is for the next round.
    async fn receive_scan(
        &self,
        name: &str,
        bytes: Bytes,
        dropped_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Result<bool, String>> {
        let batch = ScanBatch {
            files: vec![ScanFile { filename: Some(name.to_owned()), bytes }],
            // The day the file was dropped is the day the post room had it, when plausible (a
            // copy can keep an old modification time): otherwise today.
            received_on: self.scans.plausible_day(postroom_domain::london_date(dropped_at.min(now)), now),
            batch: Some(format!("drop-{}", postroom_domain::london_date(now))),
            correlation_id: None,
            channel: Channel::DropFolder,
        };
        match self.scans.receive(batch, now).await {
            Ok((_, received)) => Ok(Ok(received.iter().all(|r| r.duplicate))),
            Err(e @ (IntakeError::UnsupportedMediaType { .. } | IntakeError::EmptyFile { .. })) => {
                Ok(Err(e.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Receives an email, like [`Self::receive_scan`].
    async fn receive_email(&self, raw: Bytes, now: DateTime<Utc>) -> anyhow::Result<Result<bool, String>> {
        let email = IncomingEmail {
            raw,
            channel: Channel::DropFolder,
            // A copied file can keep an old modification time: received is when we took it.
            delivered_at: None,
            correlation_id: None,
            // A file cannot be refused back to its sender: over-limit mail is kept and triaged.
            on_limit: OnLimit::Triage,
        };
        match self.emails.receive(email, now).await {
            Ok(received) => Ok(Ok(received.duplicate)),
            Err(e @ EmailError::Empty) => Ok(Err(e.to_string())),
            Err(e) => Err(e.into()),
        }
    }
}

/// Names starting with `.` (editors' and copy tools' temporary files) are left alone.
fn is_hidden(key: &str) -> bool {
    key.rsplit('/').next().is_some_and(|n| n.starts_with('.') || n.is_empty())
}

/// Longest name kept in an archive or rejected key (file systems allow 255 bytes per name).
const MAX_NAME_CHARS: usize = 100;

/// A file name safe inside a key: what `display_filename` keeps, with `/` and spaces replaced,
/// shortened to [`MAX_NAME_CHARS`] keeping its extension.
fn safe_name(name: &str) -> String {
    let name = display_filename(name).unwrap_or_else(|| "file".to_owned()).replace(['/', '\\', ' '], "_");
    if name.chars().count() <= MAX_NAME_CHARS {
        return name;
    }
    let ext: String = match name.rsplit_once('.') {
        Some((_, ext)) if ext.chars().count() <= 10 => format!(".{ext}"),
        _ => String::new(),
    };
    let stem: String = name.chars().take(MAX_NAME_CHARS - ext.chars().count()).collect();
    format!("{stem}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_are_left_alone() {
        assert!(is_hidden("inbox/scans/.letter.pdf.swp"));
        assert!(!is_hidden("inbox/scans/letter.pdf"));
    }

    #[test]
    fn archive_names_are_safe() {
        assert_eq!(safe_name("my letter.pdf"), "my_letter.pdf");
        let long = format!("{}.pdf", "x".repeat(250));
        assert_eq!(safe_name(&long), format!("{}.pdf", "x".repeat(96)));
    }
}
