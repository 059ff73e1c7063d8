//! The team leaders' clocks, run with the work timers: escalation events as deadlines come near
//! and pass (the rules are `postroom_casework`'s), and the daily digest email on working days at
//! the configured time, through the replies' SMTP relay or, without one, as an `.eml` file in
//! the outbox directory.
//!
//! One digest per UK day however many workers run: the first to insert the day's row sends it
//! (a lease); an attempt that certainly failed (no connection, a 4xx) leaves it to the next
//! round; one that may have reached the relay is recorded `unconfirmed` and not sent again.

use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use sea_orm::DatabaseConnection;

use postroom_casework::{Casework, oversight::Escalated};
use postroom_db::digests::{self, Taken};
use postroom_domain::WorkingCalendar;
use postroom_mail::{Outgoing, SendOutcome};

use crate::send::{Transport, write_eml};

/// The daily digest's settings.
#[derive(Debug, Clone)]
pub struct DigestSettings {
    /// Where it goes; at least one address.
    pub to: Vec<String>,
    /// The UK time it is sent on working days.
    pub at: NaiveTime,
    /// The From address (`replies.from`).
    pub from: String,
    /// Most items listed per queue and section.
    pub max_items: usize,
    /// How long an attempt holds the day's digest before another may judge it stopped.
    pub lease: Duration,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OversightRound {
    pub escalated: Escalated,
    /// Whether this round sent (or wrote) the day's digest.
    pub digest_sent: bool,
}

/// Escalations and the digest.
pub struct Oversight {
    db: DatabaseConnection,
    casework: Casework,
    warning_days: u32,
    escalations: bool,
    digest: Option<(DigestSettings, Transport)>,
}

impl Oversight {
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        casework: Casework,
        warning_days: u32,
        escalations: bool,
        digest: Option<(DigestSettings, Transport)>,
    ) -> Self {
        Self { db, casework, warning_days, escalations, digest }
    }

    /// One round at `now`.
    ///
    /// # Errors
    /// The database failing; what was done before stays done.
    pub async fn round(&self, now: DateTime<Utc>) -> anyhow::Result<OversightRound> {
        let escalated = if self.escalations {
            self.casework.raise_escalations(now, self.warning_days).await?
        } else {
            Escalated::default()
        };
        let digest_sent = match &self.digest {
            Some((settings, transport)) if due(self.casework.calendar(), settings.at, now) => {
                self.send_digest(settings, transport, now).await?
            }
            _ => false,
        };
        Ok(OversightRound { escalated, digest_sent })
    }

    /// Sends the day's digest unless another attempt has it.
    async fn send_digest(
        &self,
        settings: &DigestSettings,
        transport: &Transport,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let day = postroom_domain::london_date(now);
        let lease = chrono::Duration::from_std(settings.lease)?;
        if digests::take(&self.db, day, &settings.to.join(","), now, lease).await? == Taken::Leave {
            return Ok(false);
        }
        // Until the relay is spoken to, a failure certainly sent nothing: the next round retries.
        let built = match self.build_digest(settings, now).await {
            Ok(Ok(built)) => built,
            Ok(Err(e)) => {
                let reason = format!("the digest could not be made: {e}");
                digests::finish(&self.db, day, "failed", &reason, Utc::now()).await?;
                anyhow::bail!(reason);
            }
            Err(e) => {
                digests::finish(&self.db, day, "pending", &format!("{e:#}"), Utc::now()).await?;
                return Err(e);
            }
        };
        let (status, outcome) = match transport {
            Transport::Directory(dir) => match write_eml(dir, &built.1, &built.0.eml).await {
                Ok(()) => ("sent", format!("written to {}", dir.display())),
                Err(e) => ("pending", format!("{e:#}")),
            },
            Transport::Smtp(smtp) => match smtp.send(&built.0).await {
                SendOutcome::Accepted { response } => ("sent", response),
                SendOutcome::Deferred { reason } => ("pending", reason),
                SendOutcome::Refused { reason } => ("failed", reason),
                SendOutcome::Unknown { reason } => ("unconfirmed", reason),
            },
        };
        digests::finish(&self.db, day, status, &outcome, Utc::now()).await?;
        tracing::info!(%day, status, outcome = %outcome, "team leaders' digest");
        Ok(status == "sent")
    }

    /// The day's digest as a message and its Message-ID: `Err` when it could not be worked out
    /// (the database failing), `Ok(Err)` when the message cannot be made (an address no relay
    /// takes: trying again will not help).
    async fn build_digest(
        &self,
        settings: &DigestSettings,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Result<(postroom_mail::Built, String), postroom_mail::MailError>> {
        let digest = self.casework.digest(now, self.warning_days, settings.max_items).await?;
        let message_id = match postroom_mail::message_id(&settings.from) {
            Ok(id) => id.replacen("reply-", "digest-", 1),
            Err(e) => return Ok(Err(e)),
        };
        let (first, rest) = settings.to.split_first().ok_or_else(|| anyhow::anyhow!("the digest has no recipient"))?;
        let html = postroom_templates::html(&digest.text);
        Ok(postroom_mail::build(&Outgoing {
            from: &settings.from,
            reply_to: None,
            to: first,
            also_to: rest,
            subject: &digest.subject,
            text: &digest.text,
            html: &html,
            message_id: &message_id,
            in_reply_to: None,
            references: &[],
            date: now,
        })
        .map(|built| (built, message_id)))
    }
}

/// Whether the digest is due at `now`: a working day, at or after `at` UK time.
fn due(calendar: &WorkingCalendar, at: NaiveTime, now: DateTime<Utc>) -> bool {
    let uk = now.with_timezone(&chrono_tz::Europe::London);
    calendar.is_working_day(uk.date_naive()) && uk.time() >= at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_due_on_working_days_from_its_uk_time() {
        let calendar = WorkingCalendar::england_and_wales();
        let at = NaiveTime::from_hms_opt(7, 30, 0).unwrap();
        let utc = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Tuesday 8 December 2026 (GMT): 07:29 no, 07:30 yes.
        assert!(!due(&calendar, at, utc("2026-12-08T07:29:00Z")));
        assert!(due(&calendar, at, utc("2026-12-08T07:30:00Z")));
        // Saturday 12 December and Christmas Day: never.
        assert!(!due(&calendar, at, utc("2026-12-12T09:00:00Z")));
        assert!(!due(&calendar, at, utc("2026-12-25T09:00:00Z")));
        // Summer time: 06:30 UTC on Wednesday 1 July 2026 is 07:30 in London.
        assert!(due(&calendar, at, utc("2026-07-01T06:30:00Z")));
        assert!(!due(&calendar, at, utc("2026-07-01T06:29:00Z")));
    }
}
