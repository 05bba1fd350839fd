//! A local RFC 8030 push service for tests.
//!
//! It plays the part of Google's, Mozilla's or Apple's push service on `127.0.0.1:0`:
//! [`PushService::subscribe`] makes a subscription as a browser would (a P-256 key pair and a
//! 16-byte auth secret; the private half stays here), and every POST to an endpoint is
//! decrypted with that key ([`rfc8291`]) and its VAPID token verified ([`vapid`]) with crypto
//! crates independent of the `web-push`/`ece` code under test. Each request is recorded for
//! tests to inspect and await. Answers can be scripted per subscription (201, 404, 410, 429 with
//! `Retry-After`, 500…) and the whole service can go down — refusing connections or answering
//! 503 — and come back.

mod endpoint;
pub mod rfc8291;
pub mod vapid;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use endpoint::serve;

pub use vapid::VapidClaims;

/// How a scripted subscription answers a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 201 Created with a `Location` — if the message decrypts and its VAPID verifies;
    /// otherwise 400 or 401/403 as a real service would.
    Created,
    /// 404: the subscription expired.
    NotFound,
    /// 410: the user unsubscribed.
    Gone,
    /// 429 with this `Retry-After` value (seconds or an HTTP-date), if any.
    TooManyRequests(Option<String>),
    /// 500.
    ServerError,
    /// Any other status, no body.
    Status(u16),
    /// A status with a body: what an internal service reached through a push endpoint might
    /// say, which must never reach the delivery log.
    WithBody(u16, String),
}

/// How the whole service is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// The port is closed: connection refused.
    Refused,
    /// Every request is answered 503 without `Retry-After`.
    Unavailable,
}

/// A subscription as `PushSubscription.toJSON()` shows it to the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSubscription {
    pub id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl TestSubscription {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": self.p256dh, "auth": self.auth },
        })
    }
}

/// One request the service received, whatever it answered.
#[derive(Debug, Clone)]
pub struct ReceivedMessage {
    pub subscription: String,
    pub received_at: Instant,
    pub received_at_system: SystemTime,
    /// The status the service answered.
    pub status: u16,
    pub ttl: Option<String>,
    pub urgency: Option<String>,
    pub topic: Option<String>,
    pub content_encoding: Option<String>,
    /// The plaintext, or why it could not be decrypted.
    pub payload: Result<Vec<u8>, String>,
    /// The verified VAPID claims, or why they did not verify.
    pub vapid: Result<VapidClaims, String>,
}

impl ReceivedMessage {
    /// The decrypted payload as JSON; panics with the reason if it did not decrypt.
    pub fn json(&self) -> serde_json::Value {
        let bytes = self.payload.as_ref().expect("the message decrypts");
        serde_json::from_slice(bytes).expect("the payload is JSON")
    }

    /// Accepted by the service: decrypted, verified and answered 201.
    pub fn delivered(&self) -> bool {
        self.status == 201
    }
}

struct Subscriber {
    secret: SecretKey,
    auth: [u8; 16],
    /// Set by [`PushService::subscribe_for`]: like a browser, refuse other VAPID keys (403).
    application_server_key: Option<String>,
    script: VecDeque<Reply>,
    /// Used once the script is exhausted.
    default: Reply,
}

#[derive(Default)]
struct Inner {
    subscribers: HashMap<String, Subscriber>,
    received: Vec<ReceivedMessage>,
    outage: Option<Outage>,
    next_id: u64,
}

struct Shared {
    inner: Mutex<Inner>,
    /// Bumped after every recorded request, for waiters.
    received: watch::Sender<usize>,
    /// `http://127.0.0.1`: VAPID's `aud` is scheme and host only (RFC 8292 §2).
    audience: String,
}

/// Owns the listening server; shutting it down when the last handle goes.
struct Control {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: tokio::sync::Mutex<Option<oneshot::Sender<()>>>,
}

impl Drop for Control {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.get_mut().take() {
            let _ = stop.send(());
        }
    }
}

/// A handle to the running service; clones share it.
#[derive(Clone)]
pub struct PushService {
    control: Arc<Control>,
}

impl PushService {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn spawn() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            received: watch::channel(0).0,
            audience: format!("http://{}", addr.ip()),
        });
        let stop = serve(listener, shared.clone());
        Self { control: Arc::new(Control { shared, addr, stop: tokio::sync::Mutex::new(Some(stop)) }) }
    }

    pub fn addr(&self) -> SocketAddr {
        self.control.addr
    }

    /// A new subscription that accepts any VAPID key.
    pub fn subscribe(&self) -> TestSubscription {
        self.add_subscriber(None)
    }

    /// A new subscription bound to `application_server_key` (base64url), as
    /// `pushManager.subscribe({applicationServerKey})` binds it: pushes signed with another key
    /// get 403.
    pub fn subscribe_for(&self, application_server_key: &str) -> TestSubscription {
        self.add_subscriber(Some(application_server_key.trim_end_matches('=').to_owned()))
    }

    fn add_subscriber(&self, application_server_key: Option<String>) -> TestSubscription {
        let secret = random_secret_key();
        let auth: [u8; 16] = rand::random();
        let p256dh = URL_SAFE_NO_PAD.encode(secret.public_key().to_sec1_bytes());
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = format!("sub{}", inner.next_id);
        inner.subscribers.insert(
            id.clone(),
            Subscriber {
                secret,
                auth,
                application_server_key,
                script: VecDeque::new(),
                default: Reply::Created,
            },
        );
        TestSubscription {
            endpoint: format!("http://{}/push/{id}", self.control.addr),
            id,
            p256dh,
            auth: URL_SAFE_NO_PAD.encode(auth),
        }
    }

    /// The next pushes to `sub` get these answers, in order; then its default again.
    pub fn script(&self, sub: &TestSubscription, replies: impl IntoIterator<Item = Reply>) {
        let mut inner = self.lock();
        let subscriber = inner.subscribers.get_mut(&sub.id).expect("known subscription");
        subscriber.script.extend(replies);
    }

    /// Every push to `sub` gets `reply` once its script is used up (e.g. `Gone` for good).
    pub fn always(&self, sub: &TestSubscription, reply: Reply) {
        let mut inner = self.lock();
        inner.subscribers.get_mut(&sub.id).expect("known subscription").default = reply;
    }

    /// Takes the whole service down until [`come_back`](Self::come_back).
    pub async fn go_down(&self, outage: Outage) {
        self.lock().outage = Some(outage);
        if outage == Outage::Refused {
            if let Some(stop) = self.control.stop.lock().await.take() {
                let _ = stop.send(());
            }
            self.wait_until_refused().await;
        }
    }

    /// Serves again, on the same port so existing endpoints work.
    pub async fn come_back(&self) {
        let mut stop = self.control.stop.lock().await;
        if stop.is_none() {
            let listener =
                TcpListener::bind(self.control.addr).await.expect("rebind the push service's port");
            *stop = Some(serve(listener, self.control.shared.clone()));
        }
        self.lock().outage = None;
    }

    /// Down now, back by itself after `duration`.
    pub async fn down_for(&self, outage: Outage, duration: Duration) {
        self.go_down(outage).await;
        let service = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            service.come_back().await;
        });
    }

    /// Every request received so far, in arrival order.
    pub fn messages(&self) -> Vec<ReceivedMessage> {
        self.lock().received.clone()
    }

    /// The requests accepted (decrypted, verified, 201).
    pub fn delivered(&self) -> Vec<ReceivedMessage> {
        self.filtered(ReceivedMessage::delivered)
    }

    pub fn messages_for(&self, sub: &TestSubscription) -> Vec<ReceivedMessage> {
        self.filtered(|m| m.subscription == sub.id)
    }

    fn filtered(&self, keep: impl Fn(&ReceivedMessage) -> bool) -> Vec<ReceivedMessage> {
        self.lock().received.iter().filter(|m| keep(m)).cloned().collect()
    }

    /// Waits until at least `n` requests arrived; panics after `timeout` with what did.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<ReceivedMessage> {
        self.wait_until(|all| all.len() >= n, timeout, &format!("{n} requests")).await
    }

    /// Waits until at least `n` messages were delivered; panics after `timeout`.
    pub async fn wait_for_delivered(&self, n: usize, timeout: Duration) -> Vec<ReceivedMessage> {
        self.wait_until(
            |all| all.iter().filter(|m| m.delivered()).count() >= n,
            timeout,
            &format!("{n} delivered messages"),
        )
        .await;
        self.delivered()
    }

    async fn wait_until(
        &self,
        done: impl Fn(&[ReceivedMessage]) -> bool,
        timeout: Duration,
        what: &str,
    ) -> Vec<ReceivedMessage> {
        let mut changes = self.control.shared.received.subscribe();
        let waited = tokio::time::timeout(timeout, async {
            loop {
                // Check after subscribing, so a request recorded in between is not missed.
                if done(&self.lock().received) {
                    return;
                }
                changes.changed().await.expect("the service outlives its handles");
            }
        })
        .await;
        let received = self.messages();
        if waited.is_err() {
            panic!("waited {timeout:?} for {what}; received: {received:#?}");
        }
        received
    }

    /// The listener is dropped by the server task shortly after the stop signal; callers of
    /// `go_down` expect refusal from the moment it returns.
    async fn wait_until_refused(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while tokio::net::TcpStream::connect(self.control.addr).await.is_ok() {
            assert!(Instant::now() < deadline, "the push service kept listening");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.control.shared.inner.lock().expect("push service state")
    }
}

fn random_secret_key() -> SecretKey {
    // Zero or ≥ n (probability < 2^-32) is not a key; draw again.
    loop {
        if let Ok(key) = SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
            return key;
        }
    }
}
