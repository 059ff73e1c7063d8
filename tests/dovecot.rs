//! A throwaway Dovecot IMAP server for the IMAP tests (recipe: shared/recipes.md §1): one user
//! `alice` / `secret`, Maildir in a temporary directory, plain IMAP on a free local port.
//! `scripts/test-services.sh` (`install_dovecot`) installs it; the tests fail, never skip,
//! without it.

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::Context;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "secret";

/// A running Dovecot, stopped when dropped.
pub struct Dovecot {
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Dovecot {
    /// Starts a fresh server, plain IMAP.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(false)
    }

    /// Starts a fresh server speaking IMAP over TLS (imaps) only, with a certificate for
    /// `localhost` signed by its own CA ([`Self::ca_file`]).
    pub fn start_tls() -> anyhow::Result<Self> {
        Self::start_with(true)
    }

    /// The CA certificate (PEM) a TLS server's certificate is signed by.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn start_with(tls: bool) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("postroom-dovecot-").tempdir()?;
        let d = dir.path();
        std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(d.join(sub))?;
        }
        let status = Command::new("chown").args(["nobody:nogroup"]).arg(d.join("mail")).status()?;
        anyhow::ensure!(status.success(), "chown of the mail directory failed (the IMAP tests run as root)");
        std::fs::write(d.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n"))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let (ssl, imap_port, imaps_port) = if tls {
            certificates(d)?;
            let d = d.display();
            (format!("ssl = required\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n"), 0, port)
        } else {
            ("ssl = no\n".to_owned(), port, 0)
        };
        let d = d.display();
        let conf = format!(
            "instance_name = postroom-test-{port}\nbase_dir = {d}/run\nstate_dir = {d}/state\n\
             log_path = {d}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\n{ssl}\
             disable_plaintext_auth = no\nauth_mechanisms = plain login\nmail_uid = nobody\n\
             mail_gid = nogroup\nmail_location = maildir:~/Maildir\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = home={d}/mail/%u\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n\
             inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n  }}\n}}\n\
             protocol imap {{\n  mail_max_userip_connections = 100\n}}\n"
        );
        let server = Self { dir, port };
        std::fs::write(server.conf(), conf)?;
        // dovecot daemonises: its output goes to a file, since a pipe would stay open with it.
        let errors = server.dir.path().join("start.err");
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(server.conf())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&errors)?)
            .status()
            .context("running dovecot: is it installed? (source scripts/test-services.sh && install_dovecot)")?;
        anyhow::ensure!(status.success(), "dovecot did not start: {}", std::fs::read_to_string(&errors)?);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!("dovecot is not listening on {port}; see {}", server.dir.path().join("dovecot.log").display())
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("dovecot.conf")
    }

    fn doveadm(&self, args: &[&str], stdin: Option<&[u8]>) -> anyhow::Result<String> {
        let mut child = Command::new("doveadm")
            .arg("-c")
            .arg(self.conf())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("running doveadm")?;
        if let Some(input) = stdin
            && let Some(mut pipe) = child.stdin.take()
        {
            pipe.write_all(input)?;
        }
        drop(child.stdin.take());
        let out = child.wait_with_output()?;
        anyhow::ensure!(out.status.success(), "doveadm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Delivers a raw message into `folder`.
    pub fn deliver(&self, folder: &str, raw: &[u8]) -> anyhow::Result<()> {
        self.doveadm(&["save", "-u", USER, "-m", folder], Some(raw)).map(|_| ())
    }

    /// Creates a folder.
    pub fn create_folder(&self, folder: &str) -> anyhow::Result<()> {
        self.doveadm(&["mailbox", "create", "-u", USER, folder], None).map(|_| ())
    }

    /// How many messages `folder` holds (0 if it does not exist).
    pub fn count(&self, folder: &str) -> anyhow::Result<u32> {
        let out = match self.doveadm(&["mailbox", "status", "-u", USER, "messages", folder], None) {
            Ok(out) => out,
            Err(e) if e.to_string().contains("doesn't exist") => return Ok(0),
            Err(e) => return Err(e),
        };
        // "INBOX messages=3"
        let n = out
            .split_whitespace()
            .find_map(|w| w.strip_prefix("messages="))
            .and_then(|n| n.parse::<u32>().ok())
            .with_context(|| format!("doveadm mailbox status said {out:?}"))?;
        Ok(n)
    }

    /// Gives `folder` a new UIDVALIDITY and drops every flag and keyword, as a rebuilt mailbox.
    pub fn rebuild(&self, folder: &str, uid_validity: u32) -> anyhow::Result<()> {
        self.doveadm(&["flags", "replace", "-u", USER, "\\Recent", "mailbox", folder, "all"], None)?;
        self.doveadm(&["mailbox", "update", "-u", USER, "--uid-validity", &uid_validity.to_string(), folder], None)
            .map(|_| ())
    }

    /// Every message in `folder`, in UID order, as the server serves it over IMAP (`BODY.PEEK[]`):
    /// what an IMAP client receives, which may differ from what was delivered (line endings,
    /// NUL bytes).
    pub async fn served(&self, folder: &str) -> anyhow::Result<Vec<Vec<u8>>> {
        use futures::TryStreamExt;
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await?.context("no IMAP greeting")?;
        let mut session = client.login(USER, PASSWORD).await.map_err(|(e, _)| e)?;
        session.select(folder).await?;
        let mut fetched: Vec<(u32, Vec<u8>)> = session
            .uid_fetch("1:*", "(UID BODY.PEEK[])")
            .await?
            .map_ok(|f| (f.uid.unwrap_or_default(), f.body().unwrap_or_default().to_vec()))
            .try_collect()
            .await?;
        session.logout().await?;
        fetched.sort_by_key(|(uid, _)| *uid);
        Ok(fetched.into_iter().map(|(_, body)| body).collect())
    }

    /// Waits until `folder` holds `n` messages.
    pub async fn wait_count(&self, folder: &str, n: u32, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let count = self.count(folder)?;
            if count == n {
                return Ok(());
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "{folder} holds {count}, not {n}, after {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A CA and a `localhost` server certificate it signs, made with openssl in `dir`.
fn certificates(dir: &std::path::Path) -> anyhow::Result<()> {
    let run = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new("openssl").args(args).current_dir(dir).output().context("running openssl")?;
        anyhow::ensure!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        Ok(())
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Postroom Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ])?;
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ])?;
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ])?;
    Ok(())
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("run/master.pid")) {
            let _ = Command::new("kill").arg("-KILL").arg(pid.trim()).status();
            let _ = Command::new("pkill").args(["-KILL", "-f"]).arg(self.conf()).status();
        }
    }
}
