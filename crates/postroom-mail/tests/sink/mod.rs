//! `scripts/smtp_sink.py` (aiosmtpd) as a child process on a free local port: a real SMTP server
//! that saves what it accepts as `.eml` + `.json` files. `scripts/test-services.sh`
//! (`install_smtp_sink`) installs aiosmtpd; the tests fail, never skip, without it.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;

/// A running sink, killed when dropped.
pub struct Sink {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

/// One message the sink accepted: the bytes as received and its envelope
/// (`{"mail_from", "rcpt_tos", "login", "tls"}`).
pub struct Received {
    pub eml: Vec<u8>,
    pub envelope: serde_json::Value,
}

impl Sink {
    /// Starts `python3 scripts/smtp_sink.py OUTDIR PORT FLAGS...` and waits until it listens.
    pub fn start(flags: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("postroom-smtp-sink-").tempdir()?;
        Self::start_in(dir, flags)
    }

    /// Starts a sink offering STARTTLS (`tls = false`) or speaking TLS from the start, with a
    /// certificate for `localhost` signed by its own CA ([`Self::ca_file`]).
    pub fn start_tls(implicit: bool, flags: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("postroom-smtp-sink-").tempdir()?;
        certificates(dir.path())?;
        let (cert, key) = (dir.path().join("server.pem"), dir.path().join("server.key"));
        let (cert, key) = (cert.to_string_lossy().into_owned(), key.to_string_lossy().into_owned());
        let mut all = vec![if implicit { "--tls" } else { "--starttls" }, cert.as_str(), key.as_str()];
        all.extend_from_slice(flags);
        Self::start_in(dir, &all)
    }

    fn start_in(dir: tempfile::TempDir, flags: &[&str]) -> anyhow::Result<Self> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smtp_sink.py");
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = dir.path().join("sink.log");
        let child = Command::new("python3")
            .arg(&script)
            .arg(dir.path().join("out"))
            .arg(port.to_string())
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .context("running python3 scripts/smtp_sink.py")?;
        let mut sink = Self { dir, port, child };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = sink.child.try_wait()? {
                anyhow::bail!(
                    "the SMTP sink exited ({status}) before listening; is aiosmtpd installed? \
                     (source scripts/test-services.sh && install_smtp_sink)\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(sink);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the SMTP sink is not listening on {port}; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The CA certificate (PEM) a TLS sink's certificate is signed by.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Every message accepted so far, oldest first.
    pub fn received(&self) -> anyhow::Result<Vec<Received>> {
        let out = self.dir.path().join("out");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&out)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|eml| {
                let envelope = std::fs::read_to_string(eml.with_extension("json"))?;
                Ok(Received { eml: std::fs::read(&eml)?, envelope: serde_json::from_str(&envelope)? })
            })
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA and a `localhost` server certificate it signs, made with openssl in `dir`.
fn certificates(dir: &Path) -> anyhow::Result<()> {
    let run = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new("openssl").args(args).current_dir(dir).output().context("running openssl")?;
        anyhow::ensure!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        Ok(())
    };
    let ca = "-x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=Postroom-Test-CA -keyout ca.key -out ca.pem";
    run(&["req"].into_iter().chain(ca.split(' ')).collect::<Vec<_>>())?;
    let csr = "-newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr";
    run(&["req"].into_iter().chain(csr.split(' ')).collect::<Vec<_>>())?;
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")?;
    let sign = "-req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem";
    run(&["x509"].into_iter().chain(sign.split(' ')).collect::<Vec<_>>())?;
    Ok(())
}
