//! What the reply tests need: a real SMTP server, and the text of a PDF.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;

/// A real SMTP server for tests: `scripts/smtp_sink.py` (aiosmtpd) on a free port, saving each
/// message it receives as `<n>.eml` (with its envelope in `<n>.json`) in its own directory.
/// Stopped when dropped.
pub struct SmtpSink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: std::process::Child,
}

impl SmtpSink {
    /// Starts the sink with `flags` (`--auth`, `--drop-after-data`, `--tempfail`, `--reject`).
    pub async fn start(flags: &[&str]) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        Self::start_on(port, flags).await
    }

    /// Starts the sink on `port`.
    pub async fn start_on(port: u16, flags: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/smtp_sink.py");
        let child = std::process::Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .arg(port.to_string())
            .args(flags)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} (scripts/test-services.sh installs aiosmtpd)", script.display()))?;
        let sink = Self { port, dir, child };
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            anyhow::ensure!(std::time::Instant::now() < deadline, "the SMTP sink did not listen on {port} in 15 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(sink)
    }

    /// The messages received so far, oldest first, as raw bytes.
    pub fn messages(&self) -> anyhow::Result<Vec<Vec<u8>>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths.iter().map(|p| Ok(std::fs::read(p)?)).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text `pdftotext` reads from a PDF (poppler-utils), with `-layout`.
pub fn pdf_text(pdf: &[u8]) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf)?;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .context("running pdftotext (poppler-utils)")?;
    anyhow::ensure!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?)
}
