//! `correspondence.received` → the text of each document, on the OCR queue.
//!
//! The slow part (reading PDFs, OCR) runs in [`EventHandler::prepare`], outside any database
//! transaction; [`EventHandler::handle`] then stores the text per document and page and
//! announces `correspondence.text_extracted`, from which classification starts. A document
//! that cannot be read is stored with the reason, so the item shows "no text" in triage and a
//! person reads the original.

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use uuid::Uuid;

use postroom_db::{
    correspondence::{self, DocumentText, PageText},
    outbox::{self, NewEvent},
};
use postroom_domain::{
    MediaType, TextStatus,
    events::{CORRESPONDENCE_RECEIVED, CorrespondenceReceived, TEXT_EXTRACTED, TextExtracted},
};
use postroom_queue::{Event, EventHandler, Prepared};
use postroom_storage::ObjectStorage;
use postroom_text::{Extraction, Extractor};

/// Reads the text of received documents.
pub struct ExtractText {
    storage: ObjectStorage,
    extractor: Extractor,
    concurrency: usize,
}

impl ExtractText {
    #[must_use]
    pub fn new(storage: ObjectStorage, extractor: Extractor, concurrency: usize) -> Self {
        Self { storage, extractor, concurrency: concurrency.max(1) }
    }

    async fn read(&self, doc: &postroom_db::entities::document::Model) -> Extraction {
        let Ok(media) = doc.media_type.parse::<MediaType>() else {
            return Extraction {
                status: TextStatus::NoText,
                page_count: None,
                pages: Vec::new(),
                problem: Some(format!("text is not read from {} files", doc.media_type)),
            };
        };
        match self.storage.get(&doc.object_key).await {
            Ok(bytes) => self.extractor.extract(media, &bytes).await,
            Err(e) => Extraction {
                status: TextStatus::Failed,
                page_count: None,
                pages: Vec::new(),
                problem: Some(format!("the stored original could not be read: {e}")),
            },
        }
    }
}

/// What `prepare` read: each pending document and its text.
struct Read {
    correspondence_id: Uuid,
    documents: Vec<(Uuid, Extraction)>,
}

#[async_trait]
impl EventHandler for ExtractText {
    fn consumer(&self) -> &'static str {
        "extract-text"
    }

    fn queue(&self) -> &'static str {
        postroom_queue::amqp::OCR_QUEUE
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[CORRESPONDENCE_RECEIVED]
    }

    fn concurrency(&self) -> usize {
        self.concurrency
    }

    #[tracing::instrument(skip_all, fields(event_id = %event.id))]
    async fn prepare(&self, db: &DatabaseConnection, event: &Event) -> anyhow::Result<Prepared> {
        let payload: CorrespondenceReceived =
            serde_json::from_value(event.payload.clone()).context("correspondence.received payload")?;
        correspondence::get(db, payload.correspondence_id)
            .await?
            .with_context(|| format!("correspondence {} does not exist", payload.correspondence_id))?;
        let docs = correspondence::documents_of(db, &[payload.correspondence_id]).await?;
        let mut documents = Vec::new();
        for doc in docs.iter().filter(|d| d.text_status == TextStatus::Pending.as_str()) {
            documents.push((doc.id, self.read(doc).await));
        }
        Ok(Prepared::value(Read { correspondence_id: payload.correspondence_id, documents }))
    }

    #[tracing::instrument(skip_all, fields(event_id = %event.id))]
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event, prepared: Prepared) -> anyhow::Result<()> {
        let read: Read = prepared.take().context("text extraction ran without its prepared reading")?;
        for (document_id, extraction) in read.documents {
            let text = DocumentText {
                status: extraction.status.as_str().to_owned(),
                page_count: extraction.page_count,
                text: extraction.text(),
                problem: extraction.problem,
                pages: extraction
                    .pages
                    .into_iter()
                    .map(|p| PageText {
                        number: p.number,
                        source: p.source.as_str().to_owned(),
                        text: p.text,
                        confidence: p.confidence,
                    })
                    .collect(),
            };
            correspondence::record_text(txn, document_id, text).await?;
        }
        let docs = correspondence::documents_of(txn, &[read.correspondence_id]).await?;
        let has_text = docs.iter().any(|d| d.extracted_text.as_deref().is_some_and(|t| !t.trim().is_empty()));
        let problems = docs
            .iter()
            .filter_map(|d| {
                d.text_problem.as_ref().map(|p| format!("{}: {p}", d.filename.as_deref().unwrap_or(&d.part)))
            })
            .collect();
        let done = TextExtracted { correspondence_id: read.correspondence_id, has_text, problems };
        let mut extracted = NewEvent::new(TEXT_EXTRACTED, &done)?.correlated(event.correlation_id.clone());
        extracted.priority = event.priority;
        outbox::enqueue(txn, extracted, Utc::now()).await?;
        tracing::info!(correspondence_id = %read.correspondence_id, has_text, "text extracted");
        Ok(())
    }
}
