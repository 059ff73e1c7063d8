//! A message ready to record, and what is kept of it when the database refuses the rest.

use postroom_db::correspondence::{NewCorrespondence, NewDocument};
use postroom_domain::TextStatus;

use super::{EmailDocument, ReceivedEmail};

/// A message ready to record: its stored documents and the row.
pub(super) struct Recording {
    pub new: NewCorrespondence,
    pub docs: Vec<NewDocument>,
    pub correlation_id: Option<String>,
}

impl Recording {
    /// Keeps only what cannot be refused: the original, its hash and the reason.
    pub(super) fn only_the_original(&mut self, refused: &sea_orm::DbErr) {
        let n = &mut self.new;
        n.sender = None;
        n.subject = None;
        n.message_id = None;
        n.possible_duplicate_of = None;
        n.recipients = None;
        n.in_reply_to = None;
        n.references = None;
        n.status = "partly_recorded".to_owned();
        n.status_reason = Some(format!(
            "the database refused what was read from this email ({refused}); only its original is recorded: open it to read the letter"
        ));
        self.docs.truncate(1);
        if let Some(original) = self.docs.first_mut() {
            original.extracted_text = None;
            original.text_status = TextStatus::Failed.as_str().to_owned();
            original.text_problem = Some("the text could not be recorded".to_owned());
        }
    }
}

pub(super) fn received(r: Recording) -> ReceivedEmail {
    let documents = r
        .docs
        .iter()
        .map(|d| EmailDocument {
            id: d.id,
            part: d.part.clone(),
            media_type: d.media_type.clone(),
            filename: d.filename.clone(),
            size_bytes: u64::try_from(d.size_bytes).unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    tracing::info!(correspondence_id = %r.new.id, status = %r.new.status, documents = documents.len(), "email received");
    ReceivedEmail {
        correspondence_id: r.new.id,
        duplicate: false,
        message_id: r.new.message_id,
        status: r.new.status,
        reason: r.new.status_reason,
        documents,
    }
}
