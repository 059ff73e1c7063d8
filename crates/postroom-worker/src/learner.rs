//! The classifier's model in a running worker: the latest version recorded in
//! `classifier_models`, trained here from the shipped corpus and the council's own examples up to
//! that version's instant, so every worker reads letters with the same model. On a schedule it
//! looks for new decisions (manual indexes and re-routes): with enough, it trains the next version
//! and records it; a version recorded by another worker is trained here too.

use std::{
    sync::{Arc, LazyLock, RwLock},
    time::Duration,
};

use anyhow::Context;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use postroom_db::{classifier, entities::classifier_model};
use postroom_learn::{Example, Policy, Prediction, WordModel, shipped};

/// The model trained on the shipped corpus alone, trained once per process (every version
/// without council examples is this model).
static SHIPPED_MODEL: LazyLock<Result<Arc<WordModel>, String>> = LazyLock::new(|| {
    let corpus = shipped()?;
    WordModel::train(&corpus.examples).map(Arc::new).map_err(|e| e.to_string())
});

/// How the model learns.
#[derive(Debug, Clone, Copy)]
pub struct LearnSettings {
    pub policy: Policy,
    pub retrain_every: Duration,
    pub min_examples: u32,
}

/// The model version in use.
#[derive(Debug, Clone)]
pub struct Current {
    pub version: i64,
    pub model: Arc<WordModel>,
}

/// The worker's model, swapped whole when a new version is trained.
pub struct Learner {
    db: DatabaseConnection,
    settings: LearnSettings,
    current: RwLock<Current>,
}

impl Learner {
    /// Loads (training it here) the latest recorded version, recording version 1 (the shipped
    /// corpus alone) when there is none.
    ///
    /// # Errors
    /// Database errors, or a shipped corpus that does not train.
    pub async fn start(db: DatabaseConnection, settings: LearnSettings) -> anyhow::Result<Arc<Self>> {
        let row = match classifier::latest_model(&db).await? {
            Some(row) => row,
            None => {
                let first = first_version()?;
                classifier::insert_model(&db, first).await?;
                classifier::latest_model(&db).await?.context("classifier_models is empty after recording version 1")?
            }
        };
        let current = train_version(&db, &row).await?;
        tracing::info!(version = current.version, examples = current.model.examples(), "classifier model ready");
        Ok(Arc::new(Self { db, settings, current: RwLock::new(current) }))
    }

    /// The version in use.
    #[must_use]
    pub fn current(&self) -> Current {
        match self.current.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The combining policy.
    #[must_use]
    pub fn policy(&self) -> Policy {
        self.settings.policy
    }

    /// Reads `text` with the version in use (on a blocking thread: it is CPU work).
    ///
    /// # Errors
    /// When the blocking task fails.
    pub async fn predict(&self, text: String) -> anyhow::Result<(i64, Prediction)> {
        let Current { version, model } = self.current();
        let prediction = tokio::task::spawn_blocking(move || model.predict(&text)).await?;
        Ok((version, prediction))
    }

    /// Takes up a newer version another worker recorded, or trains the next one when enough new
    /// decisions have been made since the version in use; the version in use after.
    ///
    /// # Errors
    /// Database errors, or training failing (the version in use stays).
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, now: DateTime<Utc>) -> anyhow::Result<i64> {
        let mine = self.current().version;
        let latest = classifier::latest_model(&self.db).await?.context("classifier_models is empty")?;
        if latest.version > mine {
            return self.take_up(&latest).await;
        }
        let (new, last) = classifier::examples_after(&self.db, latest.through).await?;
        if new < u64::from(self.settings.min_examples) {
            return Ok(mine);
        }
        let council = classifier::examples_through(&self.db, last).await?;
        let row = classifier_model::Model {
            version: latest.version + 1,
            trained_at: now,
            shipped_examples: latest.shipped_examples,
            council_examples: i32::try_from(council.len()).unwrap_or(i32::MAX),
            through: last,
            trained_by: "schedule".to_owned(),
        };
        // Trained before it is recorded: a version on record is one a worker can read with.
        let trained = train_version(&self.db, &row).await?;
        if !classifier::insert_model(&self.db, row.clone()).await? {
            tracing::info!(version = row.version, "another worker recorded this version first");
            let latest = classifier::latest_model(&self.db).await?.context("classifier_models is empty")?;
            return self.take_up(&latest).await;
        }
        Ok(self.swap(trained))
    }

    async fn take_up(&self, row: &classifier_model::Model) -> anyhow::Result<i64> {
        let current = train_version(&self.db, row).await?;
        Ok(self.swap(current))
    }

    fn swap(&self, current: Current) -> i64 {
        tracing::info!(
            version = current.version,
            examples = current.model.examples(),
            words = current.model.vocabulary(),
            "classifier model retrained"
        );
        let version = current.version;
        match self.current.write() {
            Ok(mut c) => *c = current,
            Err(poisoned) => *poisoned.into_inner() = current,
        }
        version
    }

    /// Refreshes every `retrain_every` until `cancel` fires; a failed round is logged and retried.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        loop {
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(self.settings.retrain_every) => {}
            }
            if let Err(e) = self.refresh(Utc::now()).await {
                tracing::warn!(error = %format!("{e:#}"), "classifier retraining failed; the model in use stays");
            }
        }
    }
}

fn first_version() -> anyhow::Result<classifier_model::Model> {
    let corpus = shipped().map_err(anyhow::Error::msg)?;
    Ok(classifier_model::Model {
        version: 1,
        trained_at: Utc::now(),
        shipped_examples: i32::try_from(corpus.examples.len()).unwrap_or(i32::MAX),
        council_examples: 0,
        through: None,
        trained_by: "start-up".to_owned(),
    })
}

/// Trains `row`'s version: the shipped corpus plus the council's examples up to its instant.
async fn train_version(db: &DatabaseConnection, row: &classifier_model::Model) -> anyhow::Result<Current> {
    let council = classifier::examples_through(db, row.through).await?;
    let model = if council.is_empty() {
        tokio::task::spawn_blocking(|| SHIPPED_MODEL.clone()).await?.map_err(anyhow::Error::msg)?
    } else {
        let mut examples = shipped().map_err(anyhow::Error::msg)?.examples.clone();
        examples.extend(council.into_iter().map(|e| Example { text: e.text, workflow: e.workflow }));
        Arc::new(tokio::task::spawn_blocking(move || WordModel::train(&examples)).await??)
    };
    Ok(Current { version: row.version, model })
}
