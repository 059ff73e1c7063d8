//! The classifier's model in a running worker: the latest version recorded in
//! `classifier_models`, trained here from the shipped corpus and the council's own examples up to
//! that version's instant, so every worker reads letters with the same model. On a schedule it
//! looks for new decisions (manual indexes and re-routes): with enough, it trains the next version
//! and records it; a version recorded by another worker is trained here too.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use postroom_db::{
    classifier,
    entities::{classifier_example, classifier_model},
};
use postroom_learn::{Example, Policy, Prediction, WordModel, shipped};
use postroom_workflows::Catalogue;

/// The models trained on the shipped corpus alone, once per process and catalogue (every version
/// without council examples is one of these), by the catalogue's workflows, services and kinds.
static SHIPPED_MODELS: Mutex<Vec<(String, Arc<WordModel>)>> = Mutex::new(Vec::new());

/// The model of the shipped corpus alone for `catalogue` (blocking: it may train).
fn shipped_model(catalogue: &Catalogue) -> anyhow::Result<Arc<WordModel>> {
    let key: String = catalogue
        .workflows()
        .iter()
        .map(|w| format!("{}/{:?}/{}", w.id, w.service, w.kind.as_deref().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",");
    let mut cache = SHIPPED_MODELS.lock().map_err(|_| anyhow::anyhow!("the model cache is poisoned"))?;
    if let Some((_, model)) = cache.iter().find(|(k, _)| *k == key) {
        return Ok(model.clone());
    }
    let model = Arc::new(WordModel::train(&shipped().map_err(anyhow::Error::msg)?.examples, catalogue)?);
    cache.push((key, model.clone()));
    Ok(model)
}

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

/// The worker's model, swapped whole when a new version is trained; none until the first is
/// (training takes seconds, so it happens in [`Learner::run`], not before the service answers).
pub struct Learner {
    db: DatabaseConnection,
    catalogue: Arc<Catalogue>,
    settings: LearnSettings,
    current: watch::Sender<Option<Current>>,
}

/// How soon a worker without a model tries again after training failed.
const RETRY_UNTRAINED: Duration = Duration::from_secs(5);

impl Learner {
    /// Records version 1 (the shipped corpus alone) when no version is recorded; [`Self::run`]
    /// trains the latest.
    ///
    /// # Errors
    /// Database errors, or a shipped corpus that does not parse.
    pub async fn start(
        db: DatabaseConnection,
        catalogue: Arc<Catalogue>,
        settings: LearnSettings,
    ) -> anyhow::Result<Arc<Self>> {
        if classifier::latest_model(&db).await?.is_none() {
            // Another worker recording it first is as good.
            classifier::record_model(&db, first_version()?, &[]).await?;
        }
        let (current, _) = watch::channel(None);
        Ok(Arc::new(Self { db, catalogue, settings, current }))
    }

    /// The version in use, once one is trained.
    #[must_use]
    pub fn current(&self) -> Option<Current> {
        self.current.borrow().clone()
    }

    /// The combining policy.
    #[must_use]
    pub fn policy(&self) -> Policy {
        self.settings.policy
    }

    /// Reads `text` with the version in use (on a blocking thread: it is CPU work), waiting for
    /// the first version to be trained.
    ///
    /// # Errors
    /// When the blocking task fails.
    pub async fn predict(&self, text: String) -> anyhow::Result<(i64, Prediction)> {
        let mut ready = self.current.subscribe();
        let Current { version, model } =
            ready.wait_for(Option::is_some).await?.clone().context("the model is trained")?;
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
        let latest = classifier::latest_model(&self.db).await?.context("classifier_models is empty")?;
        let mine = match self.current() {
            Some(c) if c.version >= latest.version => c.version,
            _ => return self.take_up(&latest).await,
        };
        let pending = classifier::pending_examples(&self.db).await?;
        let mut items: Vec<_> = pending.iter().map(|e| e.work_item_id).collect();
        items.sort_unstable();
        items.dedup();
        if items.len() < self.settings.min_examples as usize {
            return Ok(mine);
        }
        let learned: Vec<_> = pending.iter().map(|e| e.id).collect();
        let mut rows = classifier::examples_of(&self.db, latest.version).await?;
        rows.extend(pending);
        let council = council_examples(&self.catalogue, rows);
        let row = classifier_model::Model {
            version: latest.version + 1,
            trained_at: now,
            shipped_examples: latest.shipped_examples,
            council_examples: i32::try_from(council.len()).unwrap_or(i32::MAX),
            trained_by: "schedule".to_owned(),
        };
        // Trained before it is recorded: a version on record is one a worker can read with.
        let trained = train(&self.catalogue, row.version, council).await?;
        if !classifier::record_model(&self.db, row.clone(), &learned).await? {
            tracing::info!(version = row.version, "another worker recorded this version first");
            let latest = classifier::latest_model(&self.db).await?.context("classifier_models is empty")?;
            return self.take_up(&latest).await;
        }
        Ok(self.swap(trained))
    }

    async fn take_up(&self, row: &classifier_model::Model) -> anyhow::Result<i64> {
        let current = train_version(&self.db, &self.catalogue, row.version).await?;
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
        self.current.send_replace(Some(current));
        version
    }

    /// Trains the latest version at once, then refreshes every `retrain_every` until `cancel`
    /// fires; a failed round is logged and retried (within seconds while no model is trained).
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        loop {
            if let Err(e) = self.refresh(Utc::now()).await {
                tracing::warn!(error = %format!("{e:#}"), "classifier training failed; the model in use stays");
            }
            let wait = if self.current().is_some() { self.settings.retrain_every } else { RETRY_UNTRAINED };
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
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
        trained_by: "start-up".to_owned(),
    })
}

/// Most of the council's examples of one workflow a version learns from (the latest): enough to
/// outweigh the shipped corpus where the council's mail differs, few enough that training stays
/// seconds, however many decisions the post room has made.
pub const MAX_EXAMPLES_PER_WORKFLOW: usize = 200;

/// The council's examples a version learns from: one per item (its latest decision), of
/// workflows the catalogue has, at most [`MAX_EXAMPLES_PER_WORKFLOW`] of each.
fn council_examples(catalogue: &Catalogue, rows: Vec<classifier_example::Model>) -> Vec<Example> {
    let mut rows = classifier::latest_per_item(rows);
    rows.retain(|e| catalogue.get(&e.workflow).is_some());
    rows.sort_by_key(|e| std::cmp::Reverse(e.id));
    let mut per_workflow: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    rows.into_iter()
        .filter(|e| {
            let n = per_workflow.entry(e.workflow.clone()).or_default();
            *n += 1;
            *n <= MAX_EXAMPLES_PER_WORKFLOW
        })
        .map(|e| Example { text: e.text, workflow: e.workflow })
        .collect()
}

/// Trains version `version` of the model from the examples it learned from.
async fn train_version(db: &DatabaseConnection, catalogue: &Arc<Catalogue>, version: i64) -> anyhow::Result<Current> {
    let council = council_examples(catalogue, classifier::examples_of(db, version).await?);
    train(catalogue, version, council).await
}

/// The shipped corpus plus `council`, trained on a blocking thread.
async fn train(catalogue: &Arc<Catalogue>, version: i64, council: Vec<Example>) -> anyhow::Result<Current> {
    let catalogue = catalogue.clone();
    let model = if council.is_empty() {
        tokio::task::spawn_blocking(move || shipped_model(&catalogue)).await??
    } else {
        let mut examples = shipped().map_err(anyhow::Error::msg)?.examples.clone();
        examples.extend(council);
        Arc::new(tokio::task::spawn_blocking(move || WordModel::train(&examples, &catalogue)).await??)
    };
    Ok(Current { version, model })
}
