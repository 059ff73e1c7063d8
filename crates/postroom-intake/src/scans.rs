//! Scan uploads from the post room.

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use postroom_db::{
    correspondence::{self, NewCorrespondence, NewDocument},
    is_unique_violation,
    outbox::{self, NewEvent},
};
use postroom_domain::{
    Channel, ContentHash, MediaType, TextStatus,
    events::{CORRESPONDENCE_RECEIVED, CorrespondenceReceived},
    london_date, london_midnight,
};
use postroom_storage::{ObjectStorage, StorageError};

use crate::display_filename;

/// One uploaded file.
#[derive(Debug, Clone)]
pub struct ScanFile {
    /// The name the uploader gave (display only).
    pub filename: Option<String>,
    pub bytes: Bytes,
}

/// One upload: files from one scanning batch.
#[derive(Debug, Clone)]
pub struct ScanBatch {
    pub files: Vec<ScanFile>,
    /// The post-room date stamp; defaults to now.
    pub received_on: Option<NaiveDate>,
    /// The post-room batch identifier; one is generated when absent.
    pub batch: Option<String>,
    /// Request id, carried into the outbox event.
    pub correlation_id: Option<String>,
    /// How the files arrived (`scan` for uploads, `drop_folder` for objects written to storage).
    pub channel: Channel,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub correspondence_id: Uuid,
    pub document_id: Uuid,
    pub filename: Option<String>,
    pub media_type: MediaType,
    pub size_bytes: u64,
    pub sha256: String,
    /// True when these exact bytes were already recorded; nothing new was created.
    pub duplicate: bool,
}

/// Why an upload was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The upload had no files.
    #[error("the upload contains no files")]
    NoFiles,
    /// More files than allowed in one upload.
    #[error("the upload contains {count} files; at most {max} are accepted in one upload")]
    TooManyFiles { count: usize, max: usize },
    /// A file is empty.
    #[error("file {index} ({name}) is empty")]
    EmptyFile { index: usize, name: String },
    /// A file is not PDF, TIFF, PNG or JPEG.
    #[error("file {index} ({name}) is {detected}; scans must be PDF, TIFF, PNG or JPEG")]
    UnsupportedMediaType { index: usize, name: String, detected: &'static str },
    /// The date stamp is in the future.
    #[error("received_on {0} is in the future")]
    FutureDate(NaiveDate),
    /// The date stamp is older than the post room could plausibly have held the letter.
    #[error("received_on {day} is before {oldest}, more than {max_days} days ago; check the date stamp")]
    StaleDate { day: NaiveDate, oldest: NaiveDate, max_days: i64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Receives scans into storage and the database.
#[derive(Debug, Clone)]
pub struct ScanIntake {
    db: DatabaseConnection,
    storage: ObjectStorage,
    max_files: usize,
    max_date_age: chrono::Duration,
}

impl ScanIntake {
    /// `max_date_age`: the oldest post-room date stamp accepted is today minus this.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        storage: ObjectStorage,
        max_files: usize,
        max_date_age: chrono::Duration,
    ) -> Self {
        Self { db, storage, max_files, max_date_age }
    }

    /// Receives an upload. Every file is checked before anything is stored, so a refused upload
    /// leaves nothing behind; then each file is stored and recorded (or found to be a duplicate).
    ///
    /// # Errors
    /// See [`IntakeError`].
    #[tracing::instrument(skip_all, fields(files = batch.files.len()))]
    pub async fn receive(&self, batch: ScanBatch, now: DateTime<Utc>) -> Result<(String, Vec<Received>), IntakeError> {
        let media = self.check(&batch, now)?;
        let received_at = match batch.received_on {
            Some(day) if day == london_date(now) => now,
            Some(day) => london_midnight(day),
            None => now,
        };
        let batch_id = batch.batch.clone().unwrap_or_else(|| format!("B-{}", Uuid::now_v7()));
        let mut out = Vec::with_capacity(batch.files.len());
        for (file, media_type) in batch.files.into_iter().zip(media) {
            let ctx = BatchContext {
                received_at,
                batch_id: &batch_id,
                channel: batch.channel,
                correlation_id: batch.correlation_id.clone(),
            };
            let r = self.receive_one(file, media_type, ctx, now).await?;
            out.push(r);
        }
        Ok((batch_id, out))
    }

    /// `day` when it is a plausible post-room date (not in the future, within the date window),
    /// for channels whose date comes from a file's modification time.
    #[must_use]
    pub fn plausible_day(&self, day: NaiveDate, now: DateTime<Utc>) -> Option<NaiveDate> {
        let today = london_date(now);
        (day <= today && day >= today - self.max_date_age).then_some(day)
    }

    fn check(&self, batch: &ScanBatch, now: DateTime<Utc>) -> Result<Vec<MediaType>, IntakeError> {
        if batch.files.is_empty() {
            return Err(IntakeError::NoFiles);
        }
        if batch.files.len() > self.max_files {
            return Err(IntakeError::TooManyFiles { count: batch.files.len(), max: self.max_files });
        }
        if let Some(day) = batch.received_on {
            let today = london_date(now);
            let oldest = today - self.max_date_age;
            if day > today {
                return Err(IntakeError::FutureDate(day));
            }
            if day < oldest {
                return Err(IntakeError::StaleDate { day, oldest, max_days: self.max_date_age.num_days() });
            }
        }
        batch
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let index = i + 1;
                let name = f.filename.as_deref().and_then(display_filename).unwrap_or_else(|| "unnamed".to_owned());
                if f.bytes.is_empty() {
                    return Err(IntakeError::EmptyFile { index, name });
                }
                MediaType::sniff(&f.bytes).ok_or_else(|| IntakeError::UnsupportedMediaType {
                    index,
                    name,
                    detected: MediaType::describe(&f.bytes),
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(size = file.bytes.len(), %media_type))]
    async fn receive_one(
        &self,
        file: ScanFile,
        media_type: MediaType,
        ctx: BatchContext<'_>,
        now: DateTime<Utc>,
    ) -> Result<Received, IntakeError> {
        let hash = ContentHash::of(&file.bytes);
        let filename = file.filename.as_deref().and_then(display_filename);
        let size_bytes = file.bytes.len() as u64;
        if let Some(existing) = self.find_duplicate(&hash, media_type, size_bytes).await? {
            return Ok(existing);
        }
        let key = hash.original_key();
        self.storage.put_immutable(&key, file.bytes).await?;
        let correspondence_id = Uuid::now_v7();
        let document_id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        let recorded = record(
            &txn,
            RecordArgs {
                correspondence_id,
                document_id,
                hash: &hash,
                key,
                media_type,
                size_bytes,
                filename: filename.clone(),
                received_at: ctx.received_at,
                batch_id: ctx.batch_id,
                channel: ctx.channel,
                correlation_id: ctx.correlation_id,
            },
            now,
        )
        .await;
        match recorded {
            Ok(()) => txn.commit().await?,
            Err(e) if is_unique_violation(&e) => {
                // Someone recorded the same bytes between our check and our insert.
                txn.rollback().await?;
                if let Some(existing) = self.find_duplicate(&hash, media_type, size_bytes).await? {
                    return Ok(existing);
                }
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(%correspondence_id, "scan received");
        Ok(Received {
            correspondence_id,
            document_id,
            filename,
            media_type,
            size_bytes,
            sha256: hash.as_str().to_owned(),
            duplicate: false,
        })
    }

    async fn find_duplicate(
        &self,
        hash: &ContentHash,
        media_type: MediaType,
        size_bytes: u64,
    ) -> Result<Option<Received>, IntakeError> {
        let Some(existing) = correspondence::find_by_hash(&self.db, hash.as_str()).await? else {
            return Ok(None);
        };
        let docs = correspondence::documents_of(&self.db, &[existing.id]).await?;
        let doc = docs.iter().find(|d| d.sha256 == hash.as_str()).or(docs.first());
        Ok(Some(Received {
            correspondence_id: existing.id,
            document_id: doc.map_or(existing.id, |d| d.id),
            filename: doc.and_then(|d| d.filename.clone()),
            media_type,
            size_bytes,
            sha256: hash.as_str().to_owned(),
            duplicate: true,
        }))
    }
}

/// What all files of one upload share.
struct BatchContext<'a> {
    received_at: DateTime<Utc>,
    batch_id: &'a str,
    channel: Channel,
    correlation_id: Option<String>,
}

struct RecordArgs<'a> {
    correspondence_id: Uuid,
    document_id: Uuid,
    hash: &'a ContentHash,
    key: String,
    media_type: MediaType,
    size_bytes: u64,
    filename: Option<String>,
    received_at: DateTime<Utc>,
    batch_id: &'a str,
    channel: Channel,
    correlation_id: Option<String>,
}

/// Correspondence, its document and the `correspondence.received` event, in the caller's transaction.
#[tracing::instrument(skip_all, fields(correspondence_id = %a.correspondence_id))]
async fn record(
    txn: &sea_orm::DatabaseTransaction,
    a: RecordArgs<'_>,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    correspondence::insert(
        txn,
        NewCorrespondence {
            id: a.correspondence_id,
            channel: a.channel,
            received_at: a.received_at,
            sent_at: None,
            sender: None,
            subject: None,
            content_hash: a.hash.as_str().to_owned(),
            message_id: None,
            possible_duplicate_of: None,
            batch_id: Some(a.batch_id.to_owned()),
            status: "received".to_owned(),
            status_reason: None,
            recipients: None,
            in_reply_to: None,
            references: None,
        },
        vec![NewDocument {
            id: a.document_id,
            object_key: a.key,
            media_type: a.media_type.as_str().to_owned(),
            size_bytes: i64::try_from(a.size_bytes).unwrap_or(i64::MAX),
            sha256: a.hash.as_str().to_owned(),
            page_count: None,
            filename: a.filename,
            text_status: TextStatus::Pending.as_str().to_owned(),
            extracted_text: None,
            text_problem: None,
            part: "original".to_owned(),
        }],
        now,
    )
    .await?;
    let event =
        NewEvent::new(CORRESPONDENCE_RECEIVED, &CorrespondenceReceived { correspondence_id: a.correspondence_id })?
            .correlated(a.correlation_id);
    outbox::enqueue(txn, event, now).await?;
    Ok(())
}
