//! Connecting: implicit TLS (993), STARTTLS (143) or plain (local test servers only).

use std::sync::Arc;

use anyhow::Context;
use async_imap::Client;
use tokio::net::TcpStream;
use tokio_rustls::{
    TlsConnector,
    client::TlsStream,
    rustls::{
        ClientConfig, RootCertStore,
        pki_types::{CertificateDer, ServerName, pem::PemObject},
    },
};

use crate::ImapSettings;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain, then upgraded with STARTTLS (port 143).
    StartTls,
    /// No encryption: a server on the same machine, or tests.
    Plain,
}

impl std::str::FromStr for Security {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tls" => Ok(Self::Tls),
            "starttls" => Ok(Self::StartTls),
            "plain" => Ok(Self::Plain),
            other => Err(format!("IMAP security {other:?} is not one of tls, starttls, plain")),
        }
    }
}

/// An unauthenticated client, over TCP or TLS.
pub(crate) enum Opened {
    Plain(Client<TcpStream>),
    Tls(Box<Client<TlsStream<TcpStream>>>),
}

/// Connects, reads the greeting and, for STARTTLS, upgrades.
pub(crate) async fn open(s: &ImapSettings) -> anyhow::Result<Opened> {
    let opened = tokio::time::timeout(s.timeout, open_inner(s))
        .await
        .with_context(|| format!("connecting to IMAP server {}:{} timed out", s.host, s.port))??;
    Ok(opened)
}

async fn open_inner(s: &ImapSettings) -> anyhow::Result<Opened> {
    let tcp = TcpStream::connect((s.host.as_str(), s.port))
        .await
        .with_context(|| format!("cannot reach IMAP server {}:{}", s.host, s.port))?;
    match s.security {
        Security::Plain => {
            let mut client = Client::new(tcp);
            greeting(&mut client).await?;
            Ok(Opened::Plain(client))
        }
        Security::Tls => {
            let tls = tls(s, tcp).await?;
            let mut client = Client::new(tls);
            greeting(&mut client).await?;
            Ok(Opened::Tls(Box::new(client)))
        }
        Security::StartTls => {
            let mut client = Client::new(tcp);
            greeting(&mut client).await?;
            client.run_command_and_check_ok("STARTTLS", None).await.context("STARTTLS was refused")?;
            let tls = tls(s, client.into_inner()).await?;
            Ok(Opened::Tls(Box::new(Client::new(tls))))
        }
    }
}

async fn greeting<T>(client: &mut Client<T>) -> anyhow::Result<()>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    client.read_response().await?.context("the IMAP server closed the connection before greeting")?;
    Ok(())
}

/// TLS with the system's trusted certificates and `ca_file`'s.
async fn tls(s: &ImapSettings, tcp: TcpStream) -> anyhow::Result<TlsStream<TcpStream>> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = &s.ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .with_context(|| format!("imap.ca_file {} is not a PEM certificate file", path.display()))?;
        for cert in certs {
            roots.add(cert).with_context(|| format!("imap.ca_file {}: unusable certificate", path.display()))?;
        }
    }
    anyhow::ensure!(!roots.is_empty(), "no trusted certificates found on this system for IMAP TLS");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(s.host.clone()).with_context(|| format!("{} is not a server name", s.host))?;
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .with_context(|| format!("TLS with IMAP server {} failed", s.host))
}
