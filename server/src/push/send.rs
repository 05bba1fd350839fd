//! One Web Push message to one subscription: build (web-push), send (reqwest), classify.
//!
//! `web-push` 0.11 is used only to build the request — aes128gcm encryption (RFC 8291) and the
//! VAPID header (RFC 8292) — because its own clients are isahc/hyper 0.14 and its response
//! parsing loses `Retry-After`. Its request is `http` 0.2, so it is copied field by field into
//! a reqwest (`http` 1) request rather than converted.

use std::fmt;
use std::time::{Duration, SystemTime};

use web_push::{
    ContentEncoding, SubscriptionInfo, VapidSignatureBuilder, WebPushError, WebPushMessageBuilder,
};

use super::address::{EndpointPolicy, PublicOnly, private_literal};
use super::payload::{AlertPayload, Topic};
use super::subscription::Subscription;
use super::vapid::VapidKeys;

/// A push service asking for more than this is treated as asking for this: an alert held back
/// an hour is already escalating, and the outbox worker re-checks sooner anyway.
pub const RETRY_AFTER_CEILING: Duration = Duration::from_secs(3600);

/// RFC 8030 §5.3 `Urgency`; `High` may wake a phone in battery saving, which alerts need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Urgency {
    VeryLow,
    Low,
    Normal,
    #[default]
    High,
}

impl Urgency {
    fn to_web_push(self) -> web_push::Urgency {
        match self {
            Urgency::VeryLow => web_push::Urgency::VeryLow,
            Urgency::Low => web_push::Urgency::Low,
            Urgency::Normal => web_push::Urgency::Normal,
            Urgency::High => web_push::Urgency::High,
        }
    }
}

/// Exponential backoff for failures that come without a `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    /// 5 s, 10 s, 20 s … capped at 5 min: a leader coming back into coverage should not wait
    /// long for an alert once the push service recovers.
    fn default() -> Self {
        Self { base: Duration::from_secs(5), max: Duration::from_secs(300) }
    }
}

impl Backoff {
    /// The wait before try `attempt + 1`, after try `attempt` (0-based) failed.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOptions {
    /// How long the push service keeps the message for an offline phone (RFC 8030 §5.2).
    pub ttl: Duration,
    pub urgency: Urgency,
    pub topic: Option<Topic>,
    /// For the whole request, so a hung push service can't stall the outbox worker.
    pub timeout: Duration,
    /// How many tries of this message failed before this one (0 on the first); scales the
    /// backoff returned when the push service gives no `Retry-After`.
    pub attempt: u32,
    pub backoff: Backoff,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            // A day: a phone off the network longer than that gets the escalation's repeat,
            // not a day-old buzz.
            ttl: Duration::from_secs(24 * 3600),
            urgency: Urgency::High,
            topic: None,
            timeout: Duration::from_secs(15),
            attempt: 0,
            backoff: Backoff::default(),
        }
    }
}

impl SendOptions {
    /// Defaults for an alert about `payload`'s case, with the case as topic so repeats
    /// collapse on the push service.
    pub fn for_alert(payload: &AlertPayload) -> Self {
        Self { topic: Some(payload.topic()), ..Self::default() }
    }
}

/// What to do with the subscription and the message after one try.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Delivery {
    /// 2xx: the push service took it (RFC 8030 answers 201).
    Sent,
    /// 404 (expired) or 410 (unsubscribed): delete the subscription; never retry.
    Gone,
    /// 429, 5xx, or the push service unreachable: try again after this long.
    RetryAfter(Duration),
    /// Any other answer (400, 401/403 for VAPID, 413…), or a message that can't be built:
    /// retrying won't help. The reason is for the delivery log.
    Failed(String),
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Delivery::Sent => f.write_str("sent"),
            Delivery::Gone => f.write_str("subscription gone"),
            Delivery::RetryAfter(d) => write!(f, "retry after {} s", d.as_secs_f64()),
            Delivery::Failed(reason) => write!(f, "failed: {reason}"),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    /// A message without a payload is sent without VAPID by web-push 0.11, and push services
    /// that require VAPID refuse it.
    #[error("a push message needs a payload")]
    EmptyPayload,
    #[error("the payload is over web-push's 3052-byte limit")]
    PayloadTooLarge,
    #[error("could not build the push message: {0}")]
    Build(String),
}

/// A ready-to-send request, independent of any HTTP crate's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRequest {
    pub url: String,
    /// Lower-case names: `ttl`, `urgency`, `topic`, `content-encoding`, `content-type`,
    /// `authorization`. `content-length` is left to the HTTP client.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl PushRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Encrypts `payload` for `sub` and signs the request with `vapid`.
pub fn build_request(
    vapid: &VapidKeys,
    sub: &Subscription,
    payload: &[u8],
    opts: &SendOptions,
) -> Result<PushRequest, SendError> {
    if payload.is_empty() {
        return Err(SendError::EmptyPayload);
    }
    let info = SubscriptionInfo::new(sub.endpoint(), sub.p256dh(), sub.auth());
    let build_err = |e: WebPushError| match e {
        WebPushError::PayloadTooLarge => SendError::PayloadTooLarge,
        other => SendError::Build(other.to_string()),
    };

    let private = vapid.private_key_base64url();
    let mut signature = VapidSignatureBuilder::from_base64(&private, &info).map_err(build_err)?;
    // Without it web-push signs with its placeholder contact, which Apple refuses.
    signature.add_claim("sub", vapid.contact().as_str());

    let mut message = WebPushMessageBuilder::new(&info);
    message.set_payload(ContentEncoding::Aes128Gcm, payload);
    message.set_vapid_signature(signature.build().map_err(build_err)?);
    message.set_ttl(u32::try_from(opts.ttl.as_secs()).unwrap_or(u32::MAX));
    message.set_urgency(opts.urgency.to_web_push());
    if let Some(topic) = &opts.topic {
        message.set_topic(topic.as_str().to_owned());
    }
    let request = web_push::request_builder::build_request::<Vec<u8>>(message.build().map_err(build_err)?);

    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        if name.as_str() == "content-length" {
            continue;
        }
        let value = value.to_str().map_err(|_| SendError::Build(format!("header {name} is not ASCII")))?;
        headers.push((name.as_str().to_owned(), value.to_owned()));
    }
    Ok(PushRequest { url: request.uri().to_string(), headers, body: request.into_body() })
}

/// The HTTP client for push services, with the operator's endpoint policy: without
/// `allow_private` it connects only to public addresses (see [`super::address`]).
#[derive(Clone)]
pub struct PushClient {
    http: reqwest::Client,
    policy: EndpointPolicy,
}

impl PushClient {
    pub fn new(policy: EndpointPolicy) -> reqwest::Result<Self> {
        let mut builder = client_builder();
        if !policy.allow_private {
            builder = builder.dns_resolver(PublicOnly::shared());
        }
        Ok(Self { http: builder.build()?, policy })
    }

    pub fn policy(&self) -> EndpointPolicy {
        self.policy
    }
}

/// Builds, sends and classifies one alert. Never panics and never returns an error: every
/// outcome is a [`Delivery`] for the outbox worker to record.
pub async fn deliver(
    client: &PushClient,
    vapid: &VapidKeys,
    sub: &Subscription,
    payload: &AlertPayload,
    opts: &SendOptions,
) -> Delivery {
    match build_request(vapid, sub, &payload.to_json(), opts) {
        Ok(request) => send(client, request, opts).await,
        Err(e) => Delivery::Failed(e.to_string()),
    }
}

/// Sends a built request and classifies the answer. The answer's body is never read: the
/// endpoint came from a client, and what it says must not reach the delivery log leaders read.
pub async fn send(client: &PushClient, request: PushRequest, opts: &SendOptions) -> Delivery {
    // The resolver never sees an address literal; a subscription stored before the policy was
    // checked at registration could still name one.
    if !client.policy.allow_private && private_literal(&request.url) {
        return Delivery::Failed("the endpoint is not on a public address".into());
    }
    let mut builder = client.http.post(&request.url).timeout(opts.timeout).body(request.body);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(e) => {
            // Refused, reset, timed out, DNS, no public address: the service (or our network)
            // is down for now.
            tracing::debug!(error = %e, "push service unreachable");
            return Delivery::RetryAfter(opts.backoff.delay(opts.attempt));
        }
    };
    let status = response.status().as_u16();
    let retry_after =
        response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    classify(status, retry_after.as_deref(), opts, SystemTime::now())
}

/// Maps a push service's answer to a [`Delivery`] (RFC 8030 §5, §6, §7.3; RFC 8292 §4).
pub fn classify(status: u16, retry_after: Option<&str>, opts: &SendOptions, now: SystemTime) -> Delivery {
    let backoff = || opts.backoff.delay(opts.attempt);
    match status {
        200..=299 => Delivery::Sent,
        404 | 410 => Delivery::Gone,
        429 | 500..=599 => Delivery::RetryAfter(
            retry_after
                .and_then(|v| parse_retry_after(v, now))
                .unwrap_or_else(backoff)
                .min(RETRY_AFTER_CEILING),
        ),
        _ => Delivery::Failed(format!("HTTP {status}")),
    }
}

/// `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A client suited to push services and the operator's own delivery channels: no redirects (a
/// redirected POST becomes a GET and the alert would be lost while looking delivered; and a
/// redirect could lead anywhere), and bounded connects.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    client_builder().build()
}

fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("anlan-server/", env!("CARGO_PKG_VERSION")))
}

#[cfg(test)]
#[path = "send_tests.rs"]
mod tests;
