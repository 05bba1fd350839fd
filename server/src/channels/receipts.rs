//! Delivery receipts: what an SMS provider reports about a message it accepted — that it
//! reached the phone, or that it did not and why.
//!
//! Alibaba Cloud (`SmsReport`, HTTP batch push) and Tencent Cloud (the SMS status callback)
//! POST a JSON array of reports to a URL set in their consoles; a county gateway can post the
//! format of [`GatewayReport`]. None of them signs the request in a way we could check, so the
//! URL itself is the credential: `/receipts/<provider>/<token>`, with the token a long random
//! secret from `ANLAN_SMS_RECEIPT_TOKEN` (or `_FILE`) — see `docs/alerts.md`.
//!
//! Reports are matched to sends by the provider's id for the message, which the sender kept
//! (Alibaba's `BizId` = `biz_id`, Tencent's `SerialNo` = `sid`, the gateway's answer at
//! `ANLAN_HTTP_SMS_RECEIPT_ID`).

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::ChannelKind;
use super::config::Secret;

/// What a provider said about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's id for the message, as its send answer gave it.
    pub message_id: String,
    pub outcome: ReceiptOutcome,
    /// The provider's code and description (`DELIVRD: 用户短信送达成功`).
    pub reason: Option<String>,
    /// The provider's time of the report, as written (Beijing time).
    pub reported_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptOutcome {
    Delivered,
    Undelivered,
}

impl ReceiptOutcome {
    /// The delivery log's state for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
        }
    }
}

/// Which provider a receipt URL is for: the `<provider>` of `/receipts/<provider>/<token>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptSource {
    Aliyun,
    Tencent,
    Gateway,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a receipt source (aliyun, tencent or http)")]
pub struct UnknownSource;

impl FromStr for ReceiptSource {
    type Err = UnknownSource;

    fn from_str(s: &str) -> Result<Self, UnknownSource> {
        match s {
            "aliyun" => Ok(Self::Aliyun),
            "tencent" => Ok(Self::Tencent),
            "http" => Ok(Self::Gateway),
            _ => Err(UnknownSource),
        }
    }
}

impl ReceiptSource {
    /// The channel whose sends its receipts are about.
    pub fn channel(self) -> ChannelKind {
        match self {
            Self::Aliyun => ChannelKind::AliyunSms,
            Self::Tencent => ChannelKind::TencentSms,
            Self::Gateway => ChannelKind::HttpSms,
        }
    }

    /// The reports in a pushed body.
    pub fn parse(self, body: &[u8]) -> Result<Vec<Receipt>, BadReceipts> {
        let bad = |e: serde_json::Error| BadReceipts(e.to_string());
        Ok(match self {
            Self::Aliyun => {
                serde_json::from_slice::<OneOrMany<AliyunReport>>(body).map_err(bad)?.into_receipts()
            }
            Self::Tencent => {
                serde_json::from_slice::<OneOrMany<TencentReport>>(body).map_err(bad)?.into_receipts()
            }
            Self::Gateway => {
                serde_json::from_slice::<OneOrMany<GatewayReport>>(body).map_err(bad)?.into_receipts()
            }
        })
    }

    /// The answer the provider expects once the reports are kept (anything else, or a 5xx,
    /// makes it push them again later).
    pub fn accepted(self) -> serde_json::Value {
        match self {
            Self::Aliyun => serde_json::json!({ "code": 0, "msg": "接收成功" }),
            Self::Tencent => serde_json::json!({ "result": 0, "errmsg": "OK" }),
            Self::Gateway => serde_json::json!({ "ok": true }),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the receipts are not in the provider's format: {0}")]
pub struct BadReceipts(String);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T: Into<Receipt>> OneOrMany<T> {
    fn into_receipts(self) -> Vec<Receipt> {
        match self {
            Self::Many(v) => v.into_iter().map(Into::into).collect(),
            Self::One(r) => vec![r.into()],
        }
    }
}

/// Alibaba Cloud `SmsReport` (HTTP batch push): one element of the pushed array.
#[derive(Deserialize)]
struct AliyunReport {
    biz_id: String,
    success: bool,
    #[serde(default)]
    err_code: Option<String>,
    #[serde(default)]
    err_msg: Option<String>,
    #[serde(default)]
    report_time: Option<String>,
}

impl From<AliyunReport> for Receipt {
    fn from(r: AliyunReport) -> Self {
        Receipt {
            message_id: r.biz_id,
            outcome: if r.success { ReceiptOutcome::Delivered } else { ReceiptOutcome::Undelivered },
            reason: reason(r.err_code, r.err_msg),
            reported_at: r.report_time,
        }
    }
}

/// Tencent Cloud's SMS status callback (短信下发状态通知): one element of the pushed array.
#[derive(Deserialize)]
struct TencentReport {
    sid: String,
    report_status: String,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    user_receive_time: Option<String>,
}

impl From<TencentReport> for Receipt {
    fn from(r: TencentReport) -> Self {
        Receipt {
            message_id: r.sid,
            // Only SUCCESS says the phone has it; FAIL (or anything new) says it does not.
            outcome: if r.report_status == "SUCCESS" {
                ReceiptOutcome::Delivered
            } else {
                ReceiptOutcome::Undelivered
            },
            reason: reason(r.errmsg, r.description),
            reported_at: r.user_receive_time,
        }
    }
}

/// What a county gateway posts: `{"id": "…", "delivered": true|false, "reason": "…",
/// "time": "…"}`, or an array of them; `id` is the one its send answer gave.
#[derive(Deserialize)]
pub struct GatewayReport {
    id: String,
    delivered: bool,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    time: Option<String>,
}

impl From<GatewayReport> for Receipt {
    fn from(r: GatewayReport) -> Self {
        Receipt {
            message_id: r.id,
            outcome: if r.delivered { ReceiptOutcome::Delivered } else { ReceiptOutcome::Undelivered },
            reason: r.reason.filter(|s| !s.is_empty()),
            reported_at: r.time,
        }
    }
}

/// `code: description`, or whichever of them there is.
fn reason(code: Option<String>, text: Option<String>) -> Option<String> {
    match (code.filter(|s| !s.is_empty()), text.filter(|s| !s.is_empty())) {
        (Some(c), Some(t)) => Some(format!("{c}: {t}")),
        (c, t) => c.or(t),
    }
}

/// The secret in receipt URLs. Long and random: it is all that stands between the internet
/// and marking a leader's SMS as delivered.
#[derive(Clone)]
pub struct ReceiptToken(Secret);

impl fmt::Debug for ReceiptToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptToken(…)")
    }
}

/// Shorter than this, a token could be found by trying.
pub const MIN_TOKEN_LEN: usize = 24;

impl ReceiptToken {
    pub fn new(secret: Secret) -> Result<Self, String> {
        let s = secret.expose();
        if s.len() < MIN_TOKEN_LEN || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) {
            return Err(format!(
                "want at least {MIN_TOKEN_LEN} letters, digits, '-' or '_' (it goes in a URL)"
            ));
        }
        Ok(Self(secret))
    }

    /// Whether `given` is the token. Compares digests, so the time taken says nothing about
    /// how much of a guess was right.
    pub fn matches(&self, given: &str) -> bool {
        let (a, b) = (Sha256::digest(self.0.expose()), Sha256::digest(given));
        a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alibabas_sms_report_example_reads_as_delivered_with_its_biz_id() {
        // The example of Alibaba Cloud's SmsReport (HTTP batch push) documentation.
        let body = r#"[{"phone_number":"13811111111","send_time":"2017-01-01 00:00:00","report_time":"2017-01-01 00:00:00","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"12345","out_id":"67890"}]"#;
        let got = ReceiptSource::Aliyun.parse(body.as_bytes()).unwrap();
        assert_eq!(
            got,
            vec![Receipt {
                message_id: "12345".into(),
                outcome: ReceiptOutcome::Delivered,
                reason: Some("DELIVERED: 用户接收成功".into()),
                reported_at: Some("2017-01-01 00:00:00".into()),
            }]
        );
        let failed = r#"[{"biz_id":"9^0","success":false,"err_code":"MK:0001","err_msg":"空号"}]"#;
        let got = ReceiptSource::Aliyun.parse(failed.as_bytes()).unwrap();
        assert_eq!(
            (got[0].outcome, got[0].reason.as_deref()),
            (ReceiptOutcome::Undelivered, Some("MK:0001: 空号"))
        );
    }

    #[test]
    fn tencents_status_callback_example_reads_by_sid_and_fail_is_undelivered() {
        // The example of Tencent Cloud's SMS status callback documentation.
        let body = r#"[{"user_receive_time":"2015-10-17 08:03:04","nationcode":"86","mobile":"13900000000","report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":"xxxxxxx"}]"#;
        let got = ReceiptSource::Tencent.parse(body.as_bytes()).unwrap();
        assert_eq!(got[0].message_id, "xxxxxxx");
        assert_eq!(got[0].outcome, ReceiptOutcome::Delivered);
        assert_eq!(got[0].reason.as_deref(), Some("DELIVRD: 用户短信送达成功"));
        let body = body.replace("SUCCESS", "FAIL").replace("DELIVRD", "MN:0001");
        assert_eq!(
            ReceiptSource::Tencent.parse(body.as_bytes()).unwrap()[0].outcome,
            ReceiptOutcome::Undelivered
        );
    }

    #[test]
    fn a_gateway_posts_one_report_or_many_and_anything_else_is_refused() {
        let one = ReceiptSource::Gateway.parse(br#"{"id":"g1","delivered":false,"reason":"off"}"#).unwrap();
        assert_eq!((one.len(), one[0].reason.as_deref()), (1, Some("off")));
        let many =
            ReceiptSource::Gateway.parse(br#"[{"id":"g1","delivered":true},{"id":"g2","delivered":true}]"#);
        assert_eq!(many.unwrap().len(), 2);
        for bad in [&b"[{\"id\":\"g1\"}]"[..], b"{}", b"not json", b"[{\"biz_id\":1,\"success\":true}]"] {
            assert!(ReceiptSource::Gateway.parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(ReceiptSource::Aliyun.parse(br#"[{"sid":"x","report_status":"SUCCESS"}]"#).is_err());
    }

    #[test]
    fn the_token_is_long_url_safe_and_only_the_exact_one_matches() {
        assert!(ReceiptToken::new(Secret::new("short")).is_err());
        assert!(ReceiptToken::new(Secret::new("a/b".repeat(10))).is_err());
        let t = ReceiptToken::new(Secret::new("k3Jq9_xT-2mVbN8pLw4RzY6c")).unwrap();
        assert!(t.matches("k3Jq9_xT-2mVbN8pLw4RzY6c"));
        assert!(!t.matches("k3Jq9_xT-2mVbN8pLw4RzY6"));
        assert!(!t.matches(""));
        assert_eq!(format!("{t:?}"), "ReceiptToken(…)");
    }
}
