//! Test harness: a real server on port 0 with a fresh database, and simulated devices that
//! speak `sync-protocol/PROTOCOL.md` over HTTP exactly as the PWA does.

pub mod api;
pub mod bench;
pub mod blobs;
pub mod county;
pub mod db;
pub mod device;
pub mod fuzz;
pub mod history;
pub mod partial;
pub mod pebble;
pub mod process;
pub mod providers;
pub mod push_service;
pub mod replicas;
pub mod tls;

use std::time::Duration;

pub use db::{Backend, TestDb};
pub use device::SimDevice;
pub use process::ServerProcess;

use anlan_server::store::SqlStore;
use tokio::sync::oneshot;

/// A running server. Dropping it stops the server; [`TestApp::stop`] waits for it to finish.
pub struct TestApp {
    pub url: String,
    /// Where `/metrics` is served when the server was given a listener of its own for it.
    pub metrics_url: Option<String>,
    pub store: SqlStore,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    task: Option<ServerTask>,
}

impl TestApp {
    /// A server with the demo hierarchy and accounts, on a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> TestApp {
        let db = TestDb::new(backend).await;
        Self::spawn_on(db).await
    }

    /// A second replica on a database another `TestApp` owns (and will drop).
    pub async fn spawn_on_url(url: &str) -> TestApp {
        Self::spawn_with(TestDb::borrowed(url), |_| {}).await
    }

    /// A server on an existing database (a second replica, or a restart).
    pub async fn spawn_on(db: TestDb) -> TestApp {
        Self::spawn_with(db, |_| {}).await
    }

    /// A server on `db` with settings changed by `configure` (short escalation times, say).
    pub async fn spawn_with(db: TestDb, configure: impl FnOnce(&mut anlan_server::Config)) -> TestApp {
        Self::spawn_listening(db, false, configure).await
    }

    /// [`TestApp::spawn_with`], and `/metrics` on a listener of its own when `metrics_apart`.
    pub async fn spawn_listening(
        db: TestDb,
        metrics_apart: bool,
        configure: impl FnOnce(&mut anlan_server::Config),
    ) -> TestApp {
        init_logs();
        let store = SqlStore::connect(&db.url).await.expect("connect");
        anlan_server::demo::seed(&store).await.expect("seed");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut listeners = anlan_server::serving::Listeners::main(listener);
        if metrics_apart {
            listeners.metrics = Some(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
        }
        let metrics_url = listeners.metrics.as_ref().map(|l| format!("http://{}", l.local_addr().unwrap()));
        let (tx, rx) = oneshot::channel();
        let config = anlan_server::Config {
            cache_docs: 1_000,
            alert_tick: Duration::from_millis(100),
            alert_retry_base: Duration::from_millis(200),
            overdue_every: Duration::from_millis(200),
            // The fake push services run on loopback: the harness allows what production
            // must ask for explicitly (`--allow-http-push --push-allow-private`).
            allow_http_push: true,
            allow_private_push: true,
            // Never: the daily digest goes out from a Beijing hour, so left on it would join the
            // messages a test counts whenever the suite runs after that hour. Tests of the
            // digest set the hour themselves.
            digest_hour: 24,
            // Shared test machines run with little disk to spare; the floor's own tests set one.
            free_space_floor: anlan_server::store::FreeSpaceFloor { min_bytes: 0, min_percent: 0.0 },
            // SMS acknowledgement links point at this server.
            public_url: url.clone(),
            ..anlan_server::Config::new(db.url.clone())
        };
        let mut config = config;
        configure(&mut config);
        let task = tokio::spawn(anlan_server::run_on(config, listeners, async {
            let _ = rx.await;
        }));
        let task = answering(&url, task).await;
        TestApp { url, metrics_url, store, db, stop: Some(tx), task: Some(task) }
    }

    pub fn device(&self, token: &str) -> SimDevice {
        SimDevice::new(&self.url, token)
    }

    /// The demo village officer and township leader, logged in.
    pub async fn officer_and_leader(&self) -> (SimDevice, SimDevice) {
        let (mut officer, mut leader) = (self.device(OFFICER), self.device(LEADER));
        officer.login().await.unwrap();
        leader.login().await.unwrap();
        (officer, leader)
    }

    /// A new user with one device in `unit`, for tests that need more people than the demo.
    pub async fn enrol(&self, user_id: &str, role: &str, unit: &str) -> SimDevice {
        let user = anlan_server::store::NewUser {
            id: user_id.into(),
            name: format!("测试{user_id}"),
            phone: None,
            role: role.into(),
            unit_code: unit.into(),
        };
        self.store.create_user(&user).await.unwrap();
        let d = self.store.issue_device(user_id, "test", None).await.unwrap();
        SimDevice::new(&self.url, &d.token)
    }

    /// Every device enrolled at `at` (Unix ms). The server judges a time a phone writes before
    /// its enrolment implausible (PROTOCOL.md §11): tests of records of earlier events, and of
    /// phones that have been in use a while, date the enrolment back first.
    pub async fn devices_enrolled_at(&self, at: i64) {
        self.exec_at("UPDATE devices SET created_at = $1", at).await;
    }

    /// Every stored document received at `at` (Unix ms): a fixture of history, whose later
    /// edits carry times after the documents' creation.
    pub async fn documents_received_at(&self, at: i64) {
        self.exec_at("UPDATE documents SET created_at = $1", at).await;
    }

    async fn exec_at(&self, sql: &'static str, at: i64) {
        use sqlx::Connection;
        let mut db = sqlx::AnyConnection::connect(&self.db.url).await.unwrap();
        sqlx::query(sql).bind(at).execute(&mut db).await.unwrap();
        db.close().await.unwrap();
    }

    /// Subscribe the device behind `token` to `push`, bound to the server's VAPID key, as the
    /// PWA does when someone turns alerts on.
    pub async fn subscribe_push(
        &self,
        push: &push_service::PushService,
        token: &str,
    ) -> push_service::TestSubscription {
        let key: serde_json::Value =
            reqwest::get(format!("{}/api/v1/push/key", self.url)).await.unwrap().json().await.unwrap();
        let sub = push.subscribe_for(key["application_server_key"].as_str().unwrap());
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/push/subscriptions", self.url))
            .bearer_auth(token)
            .json(&sub.to_json())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204, "subscribing failed: {}", res.text().await.unwrap());
        sub
    }

    /// `method url` (a path on this server, or a full URL) as `token` with `body` sent as
    /// JSON: the status and the answer's JSON (`Null` when the answer is not JSON).
    pub async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let url = if url.starts_with("http") { url.to_string() } else { format!("{}{url}", self.url) };
        let mut req = reqwest::Client::new().request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Open the live stream as `token`: the response, whose body is the stream.
    pub async fn live(&self, token: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}/api/v1/live", self.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `GET /api/v1/cases/{doc}` as `token` sees it: the projection's JSON (or the error body).
    pub async fn case_json(&self, token: &str, doc: sync_protocol::DocId) -> serde_json::Value {
        reqwest::Client::new()
            .get(format!("{}/api/v1/cases/{doc}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `GET /api/v1{path}` as `token`: the status and the JSON body (`Null` when there is none).
    pub async fn api_get(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        let res = reqwest::Client::new()
            .get(format!("{}/api/v1{path}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// `POST /api/v1{path}` with a JSON body as `token`: the status and the JSON answer.
    pub async fn api_post(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1{path}", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// `GET /api/v1/cases/{doc}/alerts`: the delivery log as `token` sees it.
    pub async fn alert_log(&self, token: &str, doc: sync_protocol::DocId) -> serde_json::Value {
        let res = reqwest::Client::new()
            .get(format!("{}/api/v1/cases/{doc}/alerts", self.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// Open an SMS acknowledgement link (`post`: press 已知悉), as a phone browser does: the
    /// status and the page.
    pub async fn open_link(&self, link: &str, post: bool) -> (u16, String) {
        let client = reqwest::Client::new();
        let req = if post { client.post(link) } else { client.get(link) };
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// `PUT` `path` under `/api/v1` with a JSON body as `token`: the status and the answer.
    pub async fn put_json(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = reqwest::Client::new()
            .put(format!("{}/api/v1{path}", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap_or_default())
    }

    /// The `/metrics` text.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.url)).await.unwrap().text().await.unwrap()
    }

    /// Upload `bytes` as one whole blob (a photo) as `token`; returns its SHA-256 in hex.
    pub async fn upload_blob(&self, token: &str, mime: &str, bytes: &[u8]) -> String {
        use sha2::Digest;
        let hash = hex::encode(sha2::Sha256::digest(bytes));
        let res = reqwest::Client::new()
            .put(format!("{}/api/v1/blobs/{hash}?offset=0", self.url))
            .bearer_auth(token)
            .header("content-type", mime)
            .header("anlan-blob-size", bytes.len().to_string())
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "upload failed: {}", res.text().await.unwrap());
        hash
    }

    pub async fn stop(mut self) -> TestDb {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("graceful shutdown")
                .unwrap()
                .unwrap();
        }
        self.store.close().await;
        std::mem::replace(&mut self.db, TestDb::placeholder())
    }
}

/// `task`, once its server answers at `url`. The listener is bound before the server starts, so
/// a server that fails while starting drops it with the test's first request in its queue, and
/// the test would see only "connection reset by peer": this fails with the server's own error.
async fn answering(url: &str, mut task: ServerTask) -> ServerTask {
    // No idle connection kept: a test counting the server's open connections finds none of ours.
    let probe = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if task.is_finished() {
            panic!("the server ended while starting: {:?}", (&mut task).await);
        }
        let res = probe.get(format!("{url}/healthz")).send().await;
        if res.is_ok_and(|r| r.status().is_success()) {
            return task;
        }
        assert!(tokio::time::Instant::now() < deadline, "the server did not answer within 30 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

type ServerTask = tokio::task::JoinHandle<anyhow::Result<()>>;

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub const OFFICER: &str = "anlan-demo-officer";
pub const LEADER: &str = "anlan-demo-leader";
pub const COUNTY: &str = "anlan-demo-county";
pub const PUTOU: &str = "350481101201";
pub const CAOYUAN_VILLAGE: &str = "350481101202";
pub const XIMEN: &str = "350481102201";
pub const SHUIJI: &str = "350429201201";

/// Warnings and errors always, more with TEST_LOG set. The test writer keeps them with the test
/// that logged them, shown only when it fails: a server's 500 in a failed test says why.
pub fn init_logs() {
    let filter = if std::env::var_os("TEST_LOG").is_some() { "info,sqlx=warn" } else { "warn,sqlx=error" };
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
}

/// Run each named `async fn(Backend)` as two tests, `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await
            }
        }
    )*};
}

/// Whether a claimed delivery is a sweep reminder for `campaign`.
pub fn reminds_campaign(d: &anlan_server::store::DueDelivery, campaign: &str) -> bool {
    matches!(&d.event, Ok(sync_protocol::outbox::OutboxEvent::SweepReminder(s)) if s.campaign == campaign)
}
