//! Email parsing and recording: any bytes are parsed as an email and received through
//! `EmailIntake` into a SQLite database with local-file storage, as the drop folder and IMAP
//! do (nothing refused for a limit: kept and triaged). Must never panic, and every non-empty
//! input must be recorded as correspondence, its original kept byte for byte.
//!
//! Run: `scripts/fuzz.sh [seconds]` (see README, Development).

#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use postroom_db::{DatabaseConnection, PoolOptions, correspondence};
use postroom_domain::Channel;
use postroom_intake::{EmailError, EmailIntake, EmailLimits, IncomingEmail, OnLimit};
use postroom_storage::ObjectStorage;

/// One database and store for the whole run: inputs seen before are recorded as duplicates.
struct Harness {
    runtime: tokio::runtime::Runtime,
    db: DatabaseConnection,
    storage: ObjectStorage,
    intake: EmailIntake,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("fuzz.db").display());
        let db = runtime.block_on(async {
            let db = postroom_db::connect(&url, &PoolOptions::default()).await.expect("the fuzz database");
            postroom_db::migrate(&db).await.expect("migrations");
            db
        });
        let storage = ObjectStorage::local(&dir.path().join("objects")).expect("local storage");
        let limits = EmailLimits {
            max_bytes: 25 * 1024 * 1024,
            max_attachments: 50,
            max_depth: 5,
            max_date_age: chrono::Duration::days(90),
        };
        let intake = EmailIntake::new(db.clone(), storage.clone(), limits);
        Harness { runtime, db, storage, intake, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let h = harness();
    h.runtime.block_on(async {
        let email = IncomingEmail {
            raw: Bytes::copy_from_slice(data),
            channel: Channel::DropFolder,
            delivered_at: None,
            correlation_id: None,
            on_limit: OnLimit::Triage,
        };
        match h.intake.receive(email, chrono::Utc::now()).await {
            Err(EmailError::Empty) => assert!(data.is_empty(), "only an empty message may be refused as empty"),
            Err(e) => panic!("a {}-byte message was not recorded: {e}", data.len()),
            Ok(received) => {
                let recorded = correspondence::get(&h.db, received.correspondence_id).await.expect("reading it back");
                assert!(recorded.is_some(), "receipt names correspondence {} that is not there", received.correspondence_id);
                let original = received.documents.iter().find(|d| d.part == "original").expect("an original document");
                let document = correspondence::document(&h.db, original.id).await.expect("reading the document");
                let document = document.expect("the original document is recorded");
                let kept = h.storage.get(&document.object_key).await.expect("the original is stored");
                // Only identical bytes are a duplicate: a new message or a duplicate, the
                // original recorded for it is exactly what came in.
                assert_eq!(kept.as_ref(), data, "the original is kept byte for byte (duplicate: {})", received.duplicate);
            }
        }
    });
});
