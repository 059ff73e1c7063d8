//! Logging set-up: `tracing` to stderr, human or JSON, filtered by `RUST_LOG` or `log.filter`.

use postroom_config::{LogFormat, LogSettings};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the global subscriber. Stdout stays free for command output (tokens).
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.filter));
    let registry = tracing_subscriber::registry().with(filter);
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let result = match settings.format {
        LogFormat::Json => registry.with(fmt::layer().json().with_writer(std::io::stderr)).try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_ansi(ansi).with_writer(std::io::stderr)).try_init(),
    };
    if result.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}
