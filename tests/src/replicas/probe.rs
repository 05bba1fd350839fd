//! Live notices crossing replicas: an officer's phone on replica A pushes one case at a time, a
//! township leader listens on replica B's `/api/v1/live`, and each push is timed from its
//! acknowledgement on A to the `feed` event on B. The probe township has no other phones, so
//! every event the leader hears after a push is that push's notice, even during the burst.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anlan_server::store::{NewUser, SqlStore};
use anyhow::{Context, bail};
use futures::StreamExt;
use sync_protocol::Role;
use sync_protocol::case::Severity;
use tokio::sync::mpsc;

use crate::{SimDevice, TestDb};

const TOWNSHIP: &str = "350481199";
const VILLAGE: &str = "350481199001";
/// Longer than this without the notice, and the notice is lost: the benchmark fails.
const NOTICE_TIMEOUT: Duration = Duration::from_secs(10);

/// The device tokens of the probe's officer and of the township leader who listens.
pub struct Accounts {
    pub officer: String,
    pub leader: String,
}

/// The probe township and village with their officer and leader, beside the load's villages.
pub async fn enrol(db: &TestDb) -> anyhow::Result<Accounts> {
    let store = SqlStore::connect(&db.url).await?;
    store.create_unit(TOWNSHIP, "探针镇", "township", Some("350481")).await?;
    store.create_unit(VILLAGE, "探针村", "village", Some(TOWNSHIP)).await?;
    let officer = person(&store, "probe_officer", Role::VillageOfficer, VILLAGE).await?;
    let leader = person(&store, "probe_leader", Role::TownshipLeader, TOWNSHIP).await?;
    store.close().await;
    Ok(Accounts { officer, leader })
}

/// A user of `role` at `unit` with a phone: its device token.
async fn person(store: &SqlStore, id: &str, role: Role, unit: &str) -> anyhow::Result<String> {
    let name = format!("探针{}", role.as_str());
    let user =
        NewUser { id: id.into(), name, phone: None, role: role.as_str().into(), unit_code: unit.into() };
    store.create_user(&user).await?;
    Ok(store.issue_device(id, "phone", None).await?.token)
}

/// The arrival times of the `feed` events of one live stream.
pub struct Listener {
    events: mpsc::UnboundedReceiver<Instant>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    /// Open `/api/v1/live` at `url` and wait for its greeting (the current cursor).
    pub async fn open(url: &str, token: &str) -> anyhow::Result<Listener> {
        let res = reqwest::Client::new()
            .get(format!("{url}/api/v1/live"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?;
        let mut body = res.bytes_stream();
        let (tx, mut events) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut text = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                let at = Instant::now();
                text.push_str(&String::from_utf8_lossy(&chunk));
                // Events end with a blank line; keep-alive comments (": ping") are not events.
                while let Some(end) = text.find("\n\n") {
                    let event: String = text.drain(..end + 2).collect();
                    if event.lines().any(|l| l == "event: feed") && tx.send(at).is_err() {
                        return;
                    }
                }
            }
        });
        tokio::time::timeout(NOTICE_TIMEOUT, events.recv()).await?.context("the live stream's greeting")?;
        Ok(Listener { events, task })
    }

    /// The next event after now (events already heard are late notices of earlier probes).
    async fn next_after(&mut self, after: Instant) -> anyhow::Result<Instant> {
        loop {
            match tokio::time::timeout(NOTICE_TIMEOUT, self.events.recv()).await {
                Ok(Some(at)) if at >= after => return Ok(at),
                Ok(Some(_)) => continue,
                Ok(None) => bail!("the live stream closed"),
                Err(_) => bail!("no live notice within {NOTICE_TIMEOUT:?} of a push on another replica"),
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One probe's timings, in milliseconds: from the push's acknowledgement on A to the notice
/// on B (negative when the notice overtook the acknowledgement), and from sending the push.
#[derive(Clone, Copy)]
pub struct Delay {
    pub from_ack_ms: f64,
    pub from_send_ms: f64,
}

/// The probing phone and the listener, ready to time pushes.
pub struct Probe {
    pub officer: SimDevice,
    listener: Listener,
}

impl Probe {
    pub async fn new(a_url: &str, b_url: &str, accounts: &Accounts) -> anyhow::Result<Probe> {
        let mut officer = SimDevice::new(a_url, &accounts.officer);
        officer.login().await?;
        let listener = Listener::open(b_url, &accounts.leader).await?;
        Ok(Probe { officer, listener })
    }

    /// Push one new case through A and wait for B's notice of it.
    pub async fn once(&mut self) -> anyhow::Result<Delay> {
        let n = self.officer.docs.len();
        let c = self.officer.new_case(VILLAGE, Severity::General, &format!("探针{n}"));
        self.officer.create(&c);
        let sent = Instant::now();
        self.officer.sync_once(false).await?;
        let acked = Instant::now();
        anyhow::ensure!(self.officer.rejected.is_empty(), "probe refused: {:?}", self.officer.rejected);
        let heard = self.listener.next_after(sent).await?;
        let ms = |from: Instant| {
            if heard >= from {
                heard.duration_since(from).as_secs_f64() * 1e3
            } else {
                -(from.duration_since(heard).as_secs_f64() * 1e3)
            }
        };
        Ok(Delay { from_ack_ms: ms(acked), from_send_ms: ms(sent) })
    }

    /// Probe every `gap` until `stop` is set (while the burst runs).
    pub async fn until(
        mut self,
        stop: Arc<AtomicBool>,
        gap: Duration,
    ) -> anyhow::Result<(Probe, Vec<Delay>)> {
        let mut delays = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            delays.push(self.once().await?);
            tokio::time::sleep(gap).await;
        }
        Ok((self, delays))
    }
}

/// p50 and p99 of `values` (ms), as "a / b".
pub fn p50_p99(values: impl Iterator<Item = f64>) -> String {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return "–".into();
    }
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    format!("{:.1} / {:.1} ms", at(0.5), at(0.99))
}
