//! The data commands, `postroom import accounts` and `postroom seed-demo`: each connects to the
//! configured database (and storage), runs `postroom-import` or `postroom-demo`, and closes.

use std::path::Path;

use postroom_config::Settings;
use postroom_demo::{DemoOptions, DemoSummary};
use postroom_import::{ImportError, ImportSummary};
use postroom_workflows::IdentifierFinder;

use crate::app;

/// Reads, checks and imports an accounts file into the configured database (nothing is written
/// unless every row is good).
///
/// # Errors
/// [`ImportError::Invalid`] listing every bad row; [`ImportError::Failed`] when the file cannot
/// be read or the database fails.
pub async fn import_accounts(settings: &Settings, path: &Path) -> Result<ImportSummary, ImportError> {
    let finder = IdentifierFinder::new(&settings.accounts.reference_patterns)
        .map_err(|e| ImportError::Failed(anyhow::anyhow!("accounts.reference_patterns: {e}")))?;
    let today = postroom_domain::london_date(chrono::Utc::now());
    let parsed = postroom_import::read_file(path, &finder, today)?;
    let db = app::connect_database(settings).await.map_err(ImportError::Failed)?;
    let outcome = postroom_import::import(&db, parsed).await;
    db.close().await.map_err(|e| ImportError::Failed(e.into()))?;
    outcome
}

/// Creates the demo district in the configured database and receives its correspondence into
/// the configured storage, through the same intake as the API.
///
/// # Errors
/// When the database already has accounts, or the database, storage or intake fails.
pub async fn seed_demo(settings: &Settings, options: DemoOptions) -> anyhow::Result<DemoSummary> {
    let db = app::connect_database(settings).await?;
    let storage = app::object_storage(settings)?;
    let emails = app::email_intake(settings, db.clone(), storage.clone());
    let scans = crate::components::scan_intake(settings, db.clone(), storage);
    let outcome = postroom_demo::seed(&db, &emails, &scans, options).await;
    db.close().await?;
    outcome
}
