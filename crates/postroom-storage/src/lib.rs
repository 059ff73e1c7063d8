//! Postroom object storage: originals kept immutably under content-addressed keys, in a local
//! directory (embedded default) or an S3-compatible bucket.
//!
//! Writes use create-only semantics: an original already present is never overwritten.

use std::{path::Path, sync::Arc};

use bytes::Bytes;
use futures::stream::BoxStream;
use object_store::{
    ObjectStore, PutMode, PutOptions, PutPayload, RetryConfig, aws::AmazonS3Builder, local::LocalFileSystem,
    path::Path as ObjectPath, prefix::PrefixStore,
};

/// Key of the object written and read back by readiness checks.
const READY_MARKER: &str = ".postroom/ready";

/// Object storage errors.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No object under that key.
    #[error("object {0} not found")]
    NotFound(String),
    /// The storage configuration is unusable.
    #[error("storage configuration: {0}")]
    Config(String),
    /// The backend failed.
    #[error("object storage: {0}")]
    Backend(#[from] object_store::Error),
}

/// S3 (or S3-compatible) connection options.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    pub bucket: String,
    pub prefix: Option<String>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub allow_http: bool,
    pub virtual_hosted_style: bool,
    /// Retries of a failed request before it fails.
    pub max_retries: usize,
    /// Longest time spent retrying one request.
    pub retry_timeout: std::time::Duration,
}

/// Whether a put created the object or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Created,
    AlreadyPresent,
}

/// An object found by [`ObjectStorage::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub size: u64,
    pub last_modified: chrono::DateTime<chrono::Utc>,
    pub e_tag: Option<String>,
}

/// An object opened for reading.
pub struct OpenedObject {
    pub size: u64,
    pub stream: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

/// Object storage behind one type, whatever the backend.
#[derive(Clone)]
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl std::fmt::Debug for ObjectStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStorage").field("backend", &self.description).finish()
    }
}

impl ObjectStorage {
    /// A local directory (created when missing).
    ///
    /// # Errors
    /// When the directory cannot be created or opened.
    pub fn local(dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StorageError::Config(format!("cannot create {}: {e}", dir.display())))?;
        let store = LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self { store: Arc::new(store), description: format!("local directory {}", dir.display()) })
    }

    /// An S3 bucket. Without keys, the AWS environment and instance credentials apply.
    ///
    /// # Errors
    /// When the options are incomplete.
    pub fn s3(opts: S3Options) -> Result<Self, StorageError> {
        let mut b = AmazonS3Builder::from_env()
            .with_bucket_name(&opts.bucket)
            .with_region(opts.region.as_deref().unwrap_or("us-east-1"))
            .with_allow_http(opts.allow_http)
            .with_virtual_hosted_style_request(opts.virtual_hosted_style)
            .with_retry(RetryConfig {
                max_retries: opts.max_retries,
                retry_timeout: opts.retry_timeout,
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &opts.endpoint {
            b = b.with_endpoint(endpoint);
        }
        if let Some(key) = &opts.access_key_id {
            b = b.with_access_key_id(key);
        }
        if let Some(secret) = &opts.secret_access_key {
            b = b.with_secret_access_key(secret);
        }
        let s3 = b.build()?;
        let description = format!("s3 bucket {}", opts.bucket);
        let store: Arc<dyn ObjectStore> =
            match opts.prefix.as_deref().map(|p| p.trim_matches('/')).filter(|p| !p.is_empty()) {
                Some(prefix) => Arc::new(PrefixStore::new(s3, prefix)),
                None => Arc::new(s3),
            };
        Ok(Self { store, description })
    }

    /// Any `object_store` implementation (tests use the in-memory one).
    #[must_use]
    pub fn from_store(store: Arc<dyn ObjectStore>, description: impl Into<String>) -> Self {
        Self { store, description: description.into() }
    }

    /// What backend this is, for logs and `/readyz`.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Stores bytes under `key` unless something is already there (originals are immutable).
    ///
    /// # Errors
    /// When the backend fails.
    // Not the key: a drop folder's or a bucket's keys are file names (personal data).
    #[tracing::instrument(skip_all, fields(size = bytes.len()))]
    pub async fn put_immutable(&self, key: &str, bytes: Bytes) -> Result<PutOutcome, StorageError> {
        let opts = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.store.put_opts(&ObjectPath::from(key), PutPayload::from(bytes), opts).await {
            Ok(_) => Ok(PutOutcome::Created),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(PutOutcome::AlreadyPresent),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads a whole object.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when absent; otherwise when the backend fails.
    pub async fn get(&self, key: &str) -> Result<Bytes, StorageError> {
        match self.store.get(&ObjectPath::from(key)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(StorageError::NotFound(key.to_owned())),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens an object as a stream of chunks (for serving large originals).
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when absent; otherwise when the backend fails.
    pub async fn open(&self, key: &str) -> Result<OpenedObject, StorageError> {
        match self.store.get(&ObjectPath::from(key)).await {
            Ok(r) => Ok(OpenedObject { size: r.meta.size, stream: r.into_stream() }),
            Err(object_store::Error::NotFound { .. }) => Err(StorageError::NotFound(key.to_owned())),
            Err(e) => Err(e.into()),
        }
    }

    /// Every object under `prefix` (recursively), in no particular order.
    ///
    /// # Errors
    /// When the backend fails.
    pub async fn list(&self, prefix: &str) -> Result<Vec<ListedObject>, StorageError> {
        use futures::TryStreamExt;
        let prefix = ObjectPath::from(prefix);
        let metas: Vec<object_store::ObjectMeta> = self.store.list(Some(&prefix)).try_collect().await?;
        Ok(metas
            .into_iter()
            .map(|m| ListedObject {
                key: m.location.to_string(),
                size: m.size,
                last_modified: m.last_modified,
                e_tag: m.e_tag,
            })
            .collect())
    }

    /// Writes `bytes` under `key`, replacing what is there (not for originals).
    ///
    /// # Errors
    /// When the backend fails.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.store.put(&ObjectPath::from(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Moves an object to another key (a rename on a local directory; copy then delete on S3).
    /// Moving an object that is already gone is not an error: another worker moved it.
    ///
    /// # Errors
    /// When the backend fails.
    pub async fn move_object(&self, from: &str, to: &str) -> Result<(), StorageError> {
        match self.store.rename(&ObjectPath::from(from), &ObjectPath::from(to)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks the store can be written and read: writes a marker object and reads it back.
    ///
    /// # Errors
    /// When the store is unreachable, the bucket is missing or access is refused.
    pub async fn check(&self) -> Result<(), StorageError> {
        let key = ObjectPath::from(READY_MARKER);
        self.store.put(&key, PutPayload::from_static(b"ok")).await?;
        self.store.head(&key).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn originals_are_never_overwritten() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let storage = ObjectStorage::local(&dir.path().join("objects"))?;
        let key = "originals/sha256/ab/cd/abcd";
        assert_eq!(storage.put_immutable(key, Bytes::from_static(b"first")).await?, PutOutcome::Created);
        assert_eq!(storage.put_immutable(key, Bytes::from_static(b"second")).await?, PutOutcome::AlreadyPresent);
        assert_eq!(storage.get(key).await?, Bytes::from_static(b"first"));
        assert!(matches!(storage.get("missing").await, Err(StorageError::NotFound(_))));
        storage.check().await?;
        Ok(())
    }

    #[tokio::test]
    async fn objects_are_listed_under_a_prefix_and_moved() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let storage = ObjectStorage::local(&dir.path().join("objects"))?;
        storage.put("inbox/scans/a.pdf", Bytes::from_static(b"a")).await?;
        storage.put("inbox/scans/sub/b.pdf", Bytes::from_static(b"bb")).await?;
        storage.put("elsewhere/c.pdf", Bytes::from_static(b"c")).await?;
        let mut listed: Vec<_> = storage.list("inbox/scans").await?.into_iter().map(|o| (o.key, o.size)).collect();
        listed.sort();
        assert_eq!(listed, [("inbox/scans/a.pdf".to_owned(), 1), ("inbox/scans/sub/b.pdf".to_owned(), 2)]);
        storage.move_object("inbox/scans/a.pdf", "archive/a.pdf").await?;
        storage.move_object("inbox/scans/a.pdf", "archive/a.pdf").await?;
        assert_eq!(storage.get("archive/a.pdf").await?, Bytes::from_static(b"a"));
        assert!(matches!(storage.get("inbox/scans/a.pdf").await, Err(StorageError::NotFound(_))));
        Ok(())
    }
}
