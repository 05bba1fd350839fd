//! Delivery channels: the ways an alert can reach a person, behind one interface.
//!
//! Web Push is the fastest where it works, but on phones in mainland China it often cannot
//! (Android's push service is Google's, unreachable there, and many browsers and in-app web
//! views have none). SMS always arrives; township and county offices also live in WeCom and
//! DingTalk groups. Each channel is a small adapter:
//! - [`webpush`]: today's sender (`crate::push`) behind the interface;
//! - [`aliyun`] and [`tencent`]: `SendSms` on an approved template, signed with
//!   `ACS3-HMAC-SHA256` and `TC3-HMAC-SHA256` ([`sign`]); [`http_sms`]: a county's own gateway;
//! - [`robots`]: WeCom group robots and DingTalk custom robots (signed timestamp).
//!
//! [`sms_text`] decides what an SMS may say (case number, township, category, severity — no
//! names, phones or titles) and that it fits one 70-character segment. [`config`] reads
//! endpoints, templates and secrets (from the environment or a file, never a command-line
//! value or the database). Every attempt is counted per channel in [`ChannelMetrics`], and so
//! is every delivery receipt a provider reports ([`receipts`]).

pub mod aliyun;
pub mod config;
pub mod http_sms;
pub mod receipts;
pub mod robots;
pub mod setup;
pub mod sign;
pub mod sms_text;
pub mod tencent;
pub mod webpush;

use std::fmt::{self, Write};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::metrics::Counter;
use crate::push::{Notification, Subscription};

/// Which kind of channel an attempt went through (the delivery log's and `/metrics`' word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    WebPush,
    AliyunSms,
    TencentSms,
    HttpSms,
    WecomRobot,
    DingtalkRobot,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 6] = [
        Self::WebPush,
        Self::AliyunSms,
        Self::TencentSms,
        Self::HttpSms,
        Self::WecomRobot,
        Self::DingtalkRobot,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WebPush => "web_push",
            Self::AliyunSms => "aliyun_sms",
            Self::TencentSms => "tencent_sms",
            Self::HttpSms => "http_sms",
            Self::WecomRobot => "wecom_robot",
            Self::DingtalkRobot => "dingtalk_robot",
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mainland mobile number as the roster holds it: 11 digits starting with 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a mobile number is 11 digits starting with 1 (optionally +86 before it)")]
pub struct PhoneError;

impl Phone {
    pub fn parse(s: &str) -> Result<Self, PhoneError> {
        let digits = s.trim().trim_start_matches("+86");
        if digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits.to_owned()))
        } else {
            Err(PhoneError)
        }
    }

    /// `13912345678`.
    pub fn national(&self) -> &str {
        &self.0
    }

    /// `+8613912345678` (E.164), as Tencent Cloud wants it.
    pub fn e164(&self) -> String {
        format!("+86{}", self.0)
    }
}

/// Where one attempt goes. A robot posts to the group its adapter was configured for.
#[derive(Debug, Clone)]
pub enum Address {
    Push(Subscription),
    Phone(Phone),
    Group,
}

/// What came of one attempt, in the terms the outbox worker acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    /// The provider accepted it. `receipt` is its id for the message (to match a delivery
    /// receipt later); `cost_units` what it bills (SMS segments; 0 for push and robots).
    Sent { receipt: Option<String>, cost_units: u32 },
    /// The address is dead (a push subscription expired or was withdrawn).
    Gone,
    /// The provider asked us to slow down, or was briefly unavailable: try again after this.
    Retry { after: Duration, reason: String },
    /// Never going to work as it is (an invalid number, an unapproved template, bad keys).
    Failed { reason: String },
}

impl Attempt {
    pub fn retry(after: Duration, reason: impl Into<String>) -> Self {
        Self::Retry { after, reason: reason.into() }
    }

    pub fn failed(reason: impl Into<String>) -> Self {
        Self::Failed { reason: reason.into() }
    }

    /// A transport error (refused, reset, timed out) passes: retry after a short wait.
    pub fn unreachable(e: &reqwest::Error) -> Self {
        Self::retry(Duration::from_secs(30), format!("provider unreachable: {e}"))
    }
}

/// Now, to the second, as the providers' signatures date it.
pub fn utc_now() -> chrono::DateTime<chrono::Utc> {
    let secs = crate::store::now_ms().div_euclid(1000);
    chrono::DateTime::from_timestamp(secs, 0).expect("the clock reads a representable time")
}

/// Send a built request; a transport error (refused, reset, timed out) becomes a retry.
/// A hung provider can't stall the sender: every request has a deadline.
pub async fn execute(
    client: &reqwest::Client,
    mut req: reqwest::Request,
) -> Result<reqwest::Response, Attempt> {
    req.timeout_mut().get_or_insert(Duration::from_secs(15));
    client.execute(req).await.map_err(|e| Attempt::unreachable(&e))
}

/// A provider's JSON answer; `Null` when it is not JSON (a proxy's error page, say).
pub async fn json_body(resp: reqwest::Response) -> serde_json::Value {
    let bytes = resp.bytes().await.unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or_default()
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Attempt> + Send + 'a>>;

/// One way of reaching people.
pub trait Channel: Send + Sync {
    fn kind(&self) -> ChannelKind;

    /// Send `note` to `to`, once: retrying is the caller's decision (it knows the outbox).
    fn send<'a>(&'a self, to: &'a Address, note: &'a Notification) -> SendFuture<'a>;
}

/// Sends, failures and cost per channel, for `/metrics`.
#[derive(Default)]
pub struct ChannelMetrics {
    counts: [[Counter; 6]; 6],
}

const SENT: usize = 0;
const FAILED: usize = 1;
const RETRIED: usize = 2;
const COST: usize = 3;
const DELIVERED: usize = 4;
const UNDELIVERED: usize = 5;

impl ChannelMetrics {
    pub fn record(&self, kind: ChannelKind, attempt: &Attempt) {
        let row = self.row(kind);
        match attempt {
            Attempt::Sent { cost_units, .. } => {
                row[SENT].inc();
                row[COST].add(u64::from(*cost_units));
            }
            Attempt::Gone | Attempt::Failed { .. } => row[FAILED].inc(),
            Attempt::Retry { .. } => row[RETRIED].inc(),
        }
    }

    /// A receipt seen for the first time (a provider's repeat of one is not counted again).
    pub fn record_receipt(&self, kind: ChannelKind, outcome: receipts::ReceiptOutcome) {
        let column = match outcome {
            receipts::ReceiptOutcome::Delivered => DELIVERED,
            receipts::ReceiptOutcome::Undelivered => UNDELIVERED,
        };
        self.row(kind)[column].inc();
    }

    fn row(&self, kind: ChannelKind) -> &[Counter; 6] {
        &self.counts[ChannelKind::ALL.iter().position(|k| *k == kind).unwrap_or_default()]
    }

    pub fn get(&self, kind: ChannelKind) -> (u64, u64, u64, u64) {
        let row = self.row(kind);
        (row[SENT].get(), row[FAILED].get(), row[RETRIED].get(), row[COST].get())
    }

    /// Prometheus text, one labelled series per channel.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let series = [
            ("anlan_channel_sends_total", "Messages a provider accepted", SENT),
            ("anlan_channel_failures_total", "Attempts that failed for good", FAILED),
            ("anlan_channel_retries_total", "Attempts throttled or refused for now", RETRIED),
            ("anlan_channel_cost_units_total", "Billed units (SMS segments)", COST),
            ("anlan_channel_delivered_total", "Receipts: the provider reached the phone", DELIVERED),
            (
                "anlan_channel_undelivered_total",
                "Receipts: the provider could not reach the phone",
                UNDELIVERED,
            ),
        ];
        for (name, help, i) in series {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter");
            for (k, row) in ChannelKind::ALL.iter().zip(&self.counts) {
                let _ = writeln!(s, "{name}{{channel=\"{k}\"}} {}", row[i].get());
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_number_is_eleven_digits_from_the_roster_with_or_without_the_country_code() {
        assert_eq!(Phone::parse("13912345678").unwrap().e164(), "+8613912345678");
        assert_eq!(Phone::parse("+8613912345678").unwrap().national(), "13912345678");
        for bad in ["", "1391234567", "23912345678", "139-1234-5678", "139123456789"] {
            assert_eq!(Phone::parse(bad), Err(PhoneError), "{bad}");
        }
    }

    #[test]
    fn metrics_count_sends_failures_retries_and_cost_per_channel() {
        let m = ChannelMetrics::default();
        m.record(ChannelKind::AliyunSms, &Attempt::Sent { receipt: None, cost_units: 1 });
        m.record(ChannelKind::AliyunSms, &Attempt::failed("isv.MOBILE_NUMBER_ILLEGAL"));
        m.record(ChannelKind::WecomRobot, &Attempt::retry(Duration::from_secs(60), "45009"));
        assert_eq!(m.get(ChannelKind::AliyunSms), (1, 1, 0, 1));
        assert_eq!(m.get(ChannelKind::WecomRobot), (0, 0, 1, 0));
        let text = m.render();
        assert!(text.contains("anlan_channel_cost_units_total{channel=\"aliyun_sms\"} 1"), "{text}");
        assert!(text.contains("anlan_channel_retries_total{channel=\"wecom_robot\"} 1"), "{text}");
        m.record_receipt(ChannelKind::AliyunSms, receipts::ReceiptOutcome::Undelivered);
        let text = m.render();
        assert!(text.contains("anlan_channel_undelivered_total{channel=\"aliyun_sms\"} 1"), "{text}");
        assert!(text.contains("anlan_channel_delivered_total{channel=\"aliyun_sms\"} 0"), "{text}");
    }
}
