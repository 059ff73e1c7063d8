//! Running the external tools: a timeout, killed on overrun, a clear error when not installed.

use std::{
    ffi::{OsStr, OsString},
    path::Path,
    process::Stdio,
    time::Duration,
};

use tokio::process::Command;

/// Why a tool run gave no result.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{tool} is not installed (looked for {path}); install poppler-utils and tesseract-ocr")]
    Missing { tool: &'static str, path: String },
    #[error("{tool} took longer than {}s and was stopped", .timeout.as_secs())]
    Timeout { tool: &'static str, timeout: Duration },
    #[error("{tool} failed ({status}): {stderr}")]
    Failed { tool: &'static str, status: String, stderr: String },
    #[error("{tool} could not be run: {source}")]
    Io { tool: &'static str, source: std::io::Error },
}

/// A finished run's output.
pub(crate) struct Output {
    stdout: Vec<u8>,
}

impl Output {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// One command line of one tool.
pub(crate) struct Tool {
    name: &'static str,
    program: OsString,
    args: Vec<OsString>,
}

impl Tool {
    pub(crate) fn new(name: &'static str, program: &Path) -> Self {
        Self { name, program: program.as_os_str().to_owned(), args: Vec::new() }
    }

    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub(crate) fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Runs to completion within `timeout`; the child is killed if it overruns.
    pub(crate) async fn run(self, timeout: Duration) -> Result<Output, ToolError> {
        let child = Command::new(&self.program)
            .args(&self.args)
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    ToolError::Missing { tool: self.name, path: self.program.to_string_lossy().into_owned() }
                }
                _ => ToolError::Io { tool: self.name, source: e },
            })?;
        let out = match tokio::time::timeout(timeout, child.wait_with_output()).await {
            Ok(out) => out.map_err(|e| ToolError::Io { tool: self.name, source: e })?,
            Err(_) => return Err(ToolError::Timeout { tool: self.name, timeout }),
        };
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr = stderr.trim().lines().last().unwrap_or("no message").chars().take(300).collect();
            return Err(ToolError::Failed { tool: self.name, status: out.status.to_string(), stderr });
        }
        Ok(Output { stdout: out.stdout })
    }
}
