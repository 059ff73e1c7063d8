//! Each test's own share of the real backends: an exchange and queues on the broker, a fresh
//! PostgreSQL database; both removed when the test ends.

use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database};

use crate::POSTGRES_ENV;

/// A test's own exchange and queues on a shared broker, deleted when this goes out of scope.
pub struct BrokerNamespace {
    url: String,
    pub topology: postroom_queue::amqp::Topology,
}

impl BrokerNamespace {
    pub(crate) fn new(url: &str) -> Self {
        let prefix = format!("postroom-test-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        Self {
            url: url.to_owned(),
            topology: postroom_queue::amqp::Topology {
                exchange: format!("{prefix}.events"),
                prefix,
                retry_delays: vec![Duration::from_millis(200), Duration::from_millis(400)],
                backoffice_ttl: Duration::from_secs(600),
            },
        }
    }

    /// Every queue name this namespace declares.
    pub fn queues(&self) -> Vec<String> {
        let t = &self.topology;
        let mut queues = vec![t.dead_letter_queue(), t.backoffice_queue()];
        for (name, _) in postroom_queue::amqp::WORK_QUEUES {
            let q = t.queue(name);
            queues.extend(t.retry_delays.iter().map(|d| t.retry_queue(&q, *d)));
            queues.push(q);
        }
        queues
    }
}

impl Drop for BrokerNamespace {
    fn drop(&mut self) {
        let (url, queues) = (self.url.clone(), self.queues());
        let exchanges = [self.topology.exchange.clone(), self.topology.dead_letter_exchange()];
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                let Ok(conn) = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await else {
                    return;
                };
                if let Ok(ch) = conn.create_channel().await {
                    for q in &queues {
                        let _ = ch.queue_delete(q.as_str().into(), lapin::options::QueueDeleteOptions::default()).await;
                    }
                    for x in &exchanges {
                        let _ = ch
                            .exchange_delete(x.as_str().into(), lapin::options::ExchangeDeleteOptions::default())
                            .await;
                    }
                }
                let _ = conn.close(200, "test done".into()).await;
            });
        });
        let _ = cleanup.join();
    }
}

/// A fresh PostgreSQL database, dropped when this goes out of scope.
pub(crate) struct PgDatabase {
    admin_url: String,
    name: String,
    pub(crate) url: String,
}

impl PgDatabase {
    pub(crate) async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("postroom_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url)
            .await
            .with_context(|| format!("{POSTGRES_ENV} is set but PostgreSQL at {admin_url} is unreachable"))?;
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
        admin.close().await?;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        Ok(Self { admin_url: admin_url.to_owned(), name, url: url.to_string() })
    }
}

impl PgDatabase {
    /// Runs `statements` as the admin, `{database}` standing for this database's name.
    pub(crate) async fn run(&self, statements: &[&str]) -> anyhow::Result<()> {
        if statements.is_empty() {
            return Ok(());
        }
        let admin = Database::connect(&self.admin_url).await?;
        for s in statements {
            admin.execute_unprepared(&s.replace("{database}", &self.name)).await?;
        }
        admin.close().await?;
        Ok(())
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; use a thread with its own runtime to clean up.
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}
