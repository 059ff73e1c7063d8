//! `postroom`: serve, migrate, token, config, import, seed-demo.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = postroom::cli::Cli::parse();
    match postroom::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Logging may not be set up yet (bad configuration), so say it plainly on stderr.
            let mut out = std::io::stderr().lock();
            let _ = std::io::Write::write_fmt(&mut out, format_args!("postroom: error: {e:#}\n"));
            ExitCode::FAILURE
        }
    }
}
