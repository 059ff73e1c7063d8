//! S3-style bucket event notifications (what MinIO and S3 publish for `ObjectCreated`): each
//! new object becomes received correspondence, as if the post room had uploaded it.

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use serde::Deserialize;

use postroom_domain::Channel;
use postroom_intake::{IntakeError, ScanBatch, ScanFile, ScanIntake};
use postroom_queue::amqp::MessageHandler;
use postroom_storage::ObjectStorage;

use crate::logged_key;

/// Receives objects named in bucket notifications.
pub struct BucketNotifications {
    scans: ScanIntake,
    storage: ObjectStorage,
    ignored_prefixes: Vec<String>,
}

impl BucketNotifications {
    #[must_use]
    pub fn new(scans: ScanIntake, storage: ObjectStorage) -> Self {
        Self { scans, storage, ignored_prefixes: Vec::new() }
    }

    /// Leaves keys under these prefixes alone (the drop folders, which take and archive their
    /// own files).
    #[must_use]
    pub fn ignoring(mut self, prefixes: Vec<String>) -> Self {
        self.ignored_prefixes = prefixes;
        self
    }
}

#[derive(Debug, Deserialize)]
struct Notification {
    #[serde(rename = "Records", default)]
    records: Vec<Record>,
}

#[derive(Debug, Deserialize)]
struct Record {
    #[serde(rename = "eventName")]
    event_name: String,
    s3: S3Entity,
}

#[derive(Debug, Deserialize)]
struct S3Entity {
    object: S3Object,
}

#[derive(Debug, Deserialize)]
struct S3Object {
    key: String,
}

/// Object keys named by `ObjectCreated` records, URL-decoded (S3 encodes keys, `+` for space).
///
/// # Errors
/// When the body is not an S3 event notification.
pub fn created_keys(body: &[u8]) -> anyhow::Result<Vec<String>> {
    let n: Notification = serde_json::from_slice(body).context("the message is not an S3 event notification")?;
    Ok(n.records
        .into_iter()
        .filter(|r| r.event_name.trim_start_matches("s3:").starts_with("ObjectCreated:"))
        .map(|r| {
            let plus_decoded = r.s3.object.key.replace('+', " ");
            percent_encoding::percent_decode_str(&plus_decoded).decode_utf8_lossy().into_owned()
        })
        .collect())
}

#[async_trait]
impl MessageHandler for BucketNotifications {
    fn name(&self) -> &'static str {
        "bucket-notifications"
    }

    #[tracing::instrument(skip_all)]
    async fn handle(&self, body: &[u8]) -> anyhow::Result<()> {
        // Every key is tried, so one bad object never keeps a good one from being received; the
        // notification fails (retried, then dead-lettered with the reasons) if any key did.
        let mut refused = Vec::new();
        for key in created_keys(body)? {
            if key.starts_with("originals/") || key.starts_with(".postroom/") {
                continue; // Postroom's own writes
            }
            if self.ignored_prefixes.iter().any(|p| key.starts_with(p.as_str())) {
                tracing::debug!(file = %logged_key::digest(&key), "left to the drop-folder watcher");
                continue;
            }
            if let Err(e) = self.receive(&key).await {
                // Logged and dead-lettered with the key's digest, never the key (a file name).
                let error = logged_key::redact(&format!("{e:#}"), &key);
                tracing::warn!(file = %logged_key::digest(&key), %error, "object from a bucket notification not received");
                refused.push(error);
            }
        }
        if !refused.is_empty() {
            anyhow::bail!("{}", refused.join("; "));
        }
        Ok(())
    }
}

impl BucketNotifications {
    /// Receives one object. Kept in the bucket as written when it cannot be.
    async fn receive(&self, key: &str) -> anyhow::Result<()> {
        let bytes = self.storage.get(key).await?;
        let filename = key.rsplit('/').next().map(str::to_owned);
        let batch = ScanBatch {
            files: vec![ScanFile { filename, bytes }],
            received_on: None,
            batch: Some("bucket".to_owned()),
            correlation_id: None,
            channel: Channel::DropFolder,
        };
        match self.scans.receive(batch, Utc::now()).await {
            Ok((_, received)) => {
                for r in received {
                    tracing::info!(file = %logged_key::digest(key), correspondence_id = %r.correspondence_id, duplicate = r.duplicate, "object received from bucket notification");
                }
                Ok(())
            }
            Err(e @ (IntakeError::UnsupportedMediaType { .. } | IntakeError::EmptyFile { .. })) => {
                anyhow::bail!("object {key} was not received: {e}")
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_minio_and_aws_notifications() {
        let minio = br#"{"EventName":"s3:ObjectCreated:Put","Key":"scans/inbox/a b.pdf","Records":[
            {"eventVersion":"2.0","eventSource":"minio:s3","eventName":"s3:ObjectCreated:Put",
             "s3":{"bucket":{"name":"scans"},"object":{"key":"inbox%2Fa+b.pdf","size":10}}}]}"#;
        assert_eq!(created_keys(minio).unwrap(), vec!["inbox/a b.pdf"]);
        let aws = br#"{"Records":[{"eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"object":{"key":"x%28y%29.tif"}}},
            {"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"gone.pdf"}}}]}"#;
        assert_eq!(created_keys(aws).unwrap(), vec!["x(y).tif"]);
        assert!(created_keys(b"not json").is_err());
    }
}
