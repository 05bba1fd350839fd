//! Fresh databases per test. PostgreSQL tests make their own database on the local server and
//! drop it afterwards; if PostgreSQL is unreachable they fail rather than skip.

use std::path::PathBuf;

use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BOTH: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// Where PostgreSQL is: ANLAN_TEST_PG, or this machine's local server.
pub fn pg_admin_url() -> String {
    std::env::var("ANLAN_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    /// SQLite: the data folder (removed on drop). PostgreSQL: the database name (dropped).
    dir: Option<PathBuf>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let tag = format!("{:016x}", rand::random::<u64>());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("anlan-test-{tag}"));
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.join("anlan.db").display());
                TestDb { url, backend, dir: Some(dir), pg_name: None }
            }
            Backend::Postgres => {
                let name = format!("anlan_test_{tag}");
                let admin = pg_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required for these tests: {e}"));
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
                TestDb { url: format!("{base}/{name}"), backend, dir: None, pg_name: Some(name) }
            }
        }
    }

    /// The SQLite data folder (for backups and restores).
    pub fn dir(&self) -> Option<&PathBuf> {
        self.dir.as_ref()
    }

    /// A handle on a database someone else created and will drop.
    pub fn borrowed(url: &str) -> TestDb {
        let backend = if url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
        TestDb { url: url.to_string(), backend, dir: None, pg_name: None }
    }

    pub(crate) fn placeholder() -> TestDb {
        TestDb { url: String::new(), backend: Backend::Sqlite, dir: None, pg_name: None }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside any runtime guarantee, so use a thread with its own.
            let admin = pg_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}
