//! Local fakes of the SMS providers and group robots, on `127.0.0.1:0`.
//!
//! Each checks a request the way its provider does — Alibaba's `ACS3-HMAC-SHA256`, Tencent's
//! `TC3-HMAC-SHA256`, DingTalk's signed timestamp — with its own HMAC (written here on `sha2`,
//! not the server's code), records what arrived, and answers with the provider's own success,
//! throttling or permanent error body, as scripted per test. Each accepted message gets an id
//! of its own, as the providers' do, for the delivery receipts a test then posts back; and a
//! request can be held unanswered, to catch the server mid-send.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The secret of the server's receipt URLs in [`Providers::server_settings`].
pub const RECEIPT_TOKEN: &str = "rcpt_7Hq2LmN9xVb4Kc8TzW3pYr6D";

/// How long a held request waits before it is answered (longer than the server waits).
const HOLD: Duration = Duration::from_secs(30);

/// The credentials the fakes accept.
pub const ALIYUN_KEY_ID: &str = "LTAI-test";
pub const ALIYUN_SECRET: &str = "aliyun-secret";
pub const TENCENT_ID: &str = "AKID-test";
pub const TENCENT_KEY: &str = "tencent-key";
pub const DINGTALK_SECRET: &str = "SECdingtalk";

/// How the next request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Ok,
    Throttle,
    Permanent,
}

/// One request as a provider saw it, after its signature checked out (or not).
#[derive(Debug, Clone)]
pub struct Received {
    pub provider: &'static str,
    pub signature_ok: bool,
    pub query: BTreeMap<String, String>,
    pub body: serde_json::Value,
    /// When it arrived, for the latency figures in BENCHMARKS.md.
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
    /// This many of the next requests are recorded and then held unanswered.
    hold: usize,
    /// (provider, id) of every message accepted, in order.
    ids: Vec<(&'static str, String)>,
}

#[derive(Clone, Default)]
pub struct Providers {
    inner: Arc<Mutex<Inner>>,
    /// Wakes the held requests early.
    release: Arc<tokio::sync::Notify>,
    pub base: String,
}

pub fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > 64 { Sha256::digest(key).to_vec() } else { key.to_vec() };
    k.resize(64, 0);
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn decode_query(q: &str) -> BTreeMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{q}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

fn header(h: &HeaderMap, name: &str) -> String {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

impl Providers {
    pub async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let me = Self { base: format!("http://{}", listener.local_addr().unwrap()), ..Self::default() };
        let app = Router::new()
            .route("/aliyun/", post(aliyun))
            .route("/tencent/", post(tencent))
            .route("/wecom", post(wecom))
            .route("/dingtalk", post(dingtalk))
            .route("/gateway", post(gateway))
            .with_state(me.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        me
    }

    /// Answer the next requests so, in order; then `Ok` again.
    pub fn script(&self, answers: &[Answer]) {
        self.inner.lock().unwrap().script.extend(answers);
    }

    /// Hold the next `n` requests (after recording them) without an answer for a while, as
    /// a provider that hangs does: the server is then mid-send.
    pub fn hold_next(&self, n: usize) {
        self.inner.lock().unwrap().hold += n;
    }

    /// Answer the requests held now.
    pub fn release(&self) {
        self.release.notify_waiters();
    }

    /// The ids `provider` gave the messages it accepted, in order.
    pub fn message_ids(&self, provider: &str) -> Vec<String> {
        self.inner
            .lock()
            .unwrap()
            .ids
            .iter()
            .filter(|(p, _)| *p == provider)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// A fresh id for a message `provider` accepts, in its own style.
    fn issue_id(i: &mut Inner, provider: &'static str) -> String {
        let n = i.ids.len() + 1;
        let id = match provider {
            "aliyun" => format!("90061974693649{n:04}^0"),
            "tencent" => format!("5000:10457106691570536578{n:05}"),
            _ => format!("gw-{n}"),
        };
        i.ids.push((provider, id.clone()));
        id
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// The server's channel settings for these fakes: the county gateway sends SMS on a
    /// template that carries the acknowledgement link, and `robots` names the units whose
    /// group has a WeCom robot here.
    pub fn server_settings(&self, robots: &[&str]) -> HashMap<String, String> {
        let mut s: HashMap<String, String> = [
            ("ANLAN_SMS_PROVIDER", "http".to_owned()),
            ("ANLAN_SMS_TEMPLATE_TEXT", "【安澜】${case_no}${link}".to_owned()),
            ("ANLAN_SMS_TEMPLATE_PARAMS", "case_no,link".to_owned()),
            ("ANLAN_HTTP_SMS_URL", format!("{}/gateway", self.base)),
            ("ANLAN_HTTP_SMS_BODY", r#"{"to":"{phone}","text":"{text}"}"#.to_owned()),
            ("ANLAN_HTTP_SMS_TOKEN", "gateway-token".to_owned()),
            ("ANLAN_HTTP_SMS_RECEIPT_ID", "/id".to_owned()),
            ("ANLAN_SMS_RECEIPT_TOKEN", RECEIPT_TOKEN.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if !robots.is_empty() {
            let file = std::env::temp_dir().join(format!(
                "anlan-robots-{}-{}",
                std::process::id(),
                self.base.replace([':', '/', '.'], "")
            ));
            let lines: String =
                robots.iter().map(|u| format!("{u} wecom {}/wecom?key=wecom-key\n", self.base)).collect();
            std::fs::write(&file, lines).unwrap();
            s.insert("ANLAN_ROBOTS_FILE".into(), file.display().to_string());
        }
        s
    }

    /// The SMS the gateway accepted, as (phone, text).
    pub fn sms(&self) -> Vec<(String, String)> {
        self.received()
            .iter()
            .filter(|r| r.provider == "gateway" && r.signature_ok)
            .map(|r| {
                (
                    r.body["to"].as_str().unwrap_or_default().into(),
                    r.body["text"].as_str().unwrap_or_default().into(),
                )
            })
            .collect()
    }

    /// The SMS to `phone`, waiting up to `timeout` for at least `n`.
    pub async fn wait_for_sms(&self, phone: &str, n: usize, timeout: Duration) -> Vec<String> {
        let started = std::time::Instant::now();
        loop {
            let got: Vec<String> =
                self.sms().into_iter().filter(|(p, _)| p == phone).map(|(_, t)| t).collect();
            if got.len() >= n || started.elapsed() > timeout {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// How many messages each robot's group received.
    pub fn robot_messages(&self) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.provider == "wecom" || r.provider == "dingtalk").collect()
    }

    /// Keep `r`; how to answer it and, if accepted, the message's id (issued before a hold, so
    /// a test can post its receipt while the send is still in flight).
    async fn record(&self, r: Received) -> (Answer, String) {
        let released = self.release.notified();
        let (answer, id, hold) = {
            let mut i = self.inner.lock().unwrap();
            let (ok, provider) = (r.signature_ok, r.provider);
            i.received.push(r);
            let hold = i.hold > 0;
            i.hold = i.hold.saturating_sub(1);
            let answer = if ok { i.script.pop_front().unwrap_or(Answer::Ok) } else { Answer::Permanent };
            let id = match (answer, provider) {
                (Answer::Ok, "aliyun" | "tencent" | "gateway") => Self::issue_id(&mut i, provider),
                _ => String::new(),
            };
            (answer, id, hold)
        };
        if hold {
            tokio::select! {
                _ = tokio::time::sleep(HOLD) => {}
                _ = released => {}
            }
        }
        (answer, id)
    }
}

async fn aliyun(
    State(p): State<Providers>,
    h: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> (StatusCode, String) {
    let query = decode_query(&q.unwrap_or_default());
    let auth = header(&h, "authorization");
    let signed = auth.split("SignedHeaders=").nth(1).and_then(|s| s.split(',').next()).unwrap_or_default();
    let canonical_headers: String =
        signed.split(';').map(|k| format!("{k}:{}\n", header(&h, k).trim())).collect();
    let cq = query.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
    let creq = format!("POST\n/\n{cq}\n{canonical_headers}\n{signed}\n{}", sha_hex(&body));
    let sts = format!("ACS3-HMAC-SHA256\n{}", sha_hex(creq.as_bytes()));
    let want = format!(
        "ACS3-HMAC-SHA256 Credential={ALIYUN_KEY_ID},SignedHeaders={signed},Signature={}",
        hex::encode(hmac(ALIYUN_SECRET.as_bytes(), sts.as_bytes()))
    );
    let signature_ok = auth == want
        && header(&h, "x-acs-action") == "SendSms"
        && header(&h, "x-acs-content-sha256") == sha_hex(&body)
        && signed.contains("x-acs-signature-nonce");
    let (answer, biz_id) = p
        .record(Received {
            at: Instant::now(),
            provider: "aliyun",
            signature_ok,
            query,
            body: serde_json::Value::Null,
        })
        .await;
    let (code, msg) = match answer {
        Answer::Ok => ("OK", "OK"),
        Answer::Throttle => ("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5"),
        Answer::Permanent if !signature_ok => ("SignatureDoesNotMatch", "Specified signature is not matched"),
        Answer::Permanent => ("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
    };
    let status = if signature_ok { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    (
        status,
        serde_json::json!({"Code": code, "Message": msg, "BizId": biz_id, "RequestId": "F655A8D5"})
            .to_string(),
    )
}

async fn tencent(State(p): State<Providers>, h: HeaderMap, body: Bytes) -> String {
    let ts = header(&h, "x-tc-timestamp");
    let ts_n: i64 = ts.parse().unwrap_or_default();
    let date = sync_protocol::calendar::date_string(ts_n.div_euclid(86_400));
    let creq = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        header(&h, "content-type"),
        header(&h, "host"),
        sha_hex(&body)
    );
    let scope = format!("{date}/sms/tc3_request");
    let sts = format!("TC3-HMAC-SHA256\n{ts}\n{scope}\n{}", sha_hex(creq.as_bytes()));
    let k =
        hmac(&hmac(&hmac(format!("TC3{TENCENT_KEY}").as_bytes(), date.as_bytes()), b"sms"), b"tc3_request");
    let want = format!(
        "TC3-HMAC-SHA256 Credential={TENCENT_ID}/{scope}, SignedHeaders=content-type;host, Signature={}",
        hex::encode(hmac(&k, sts.as_bytes()))
    );
    let signature_ok = header(&h, "authorization") == want && header(&h, "x-tc-action") == "SendSms";
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let (answer, serial) = p
        .record(Received {
            at: Instant::now(),
            provider: "tencent",
            signature_ok,
            query: BTreeMap::new(),
            body,
        })
        .await;
    let status = |code: &str, msg: &str| serde_json::json!({"Response": {"SendStatusSet": [{"SerialNo": serial, "PhoneNumber": "+8613912345678", "Fee": 1, "Code": code, "Message": msg}], "RequestId": "a0aabda6"}});
    match answer {
        Answer::Ok => status("Ok", "send success"),
        Answer::Throttle => status("LimitExceeded.PhoneNumberThirtySecondLimit", "30秒内发送短信条数超过上限"),
        Answer::Permanent if !signature_ok => serde_json::json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."}, "RequestId": "b1"}}),
        Answer::Permanent => status("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"),
    }
    .to_string()
}

async fn wecom(State(p): State<Providers>, RawQuery(q): RawQuery, body: Bytes) -> String {
    let query = decode_query(&q.unwrap_or_default());
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let signature_ok = query.get("key").is_some_and(|k| k == "wecom-key") && body["msgtype"] == "text";
    match p.record(Received { at: Instant::now(), provider: "wecom", signature_ok, query, body }).await.0 {
        Answer::Ok => r#"{"errcode":0,"errmsg":"ok"}"#,
        Answer::Throttle => r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        Answer::Permanent => r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
    }
    .to_owned()
}

async fn dingtalk(State(p): State<Providers>, RawQuery(q): RawQuery, body: Bytes) -> String {
    let query = decode_query(&q.unwrap_or_default());
    let ts = query.get("timestamp").cloned().unwrap_or_default();
    let want = base64::engine::general_purpose::STANDARD
        .encode(hmac(DINGTALK_SECRET.as_bytes(), format!("{ts}\n{DINGTALK_SECRET}").as_bytes()));
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    // The query is decoded here, so the sign compares as plain base64.
    let signature_ok =
        query.get("sign") == Some(&want) && query.get("access_token").is_some_and(|t| t == "ding-token");
    match p.record(Received { at: Instant::now(), provider: "dingtalk", signature_ok, query, body }).await.0 {
        Answer::Ok => r#"{"errcode":0,"errmsg":"ok"}"#,
        Answer::Throttle => r#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#,
        Answer::Permanent => r#"{"errcode":310000,"errmsg":"sign not match"}"#,
    }
    .to_owned()
}

/// A county gateway that wants a bearer token and a JSON body, and answers with its id for
/// the message.
async fn gateway(
    State(p): State<Providers>,
    h: HeaderMap,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let signature_ok = header(&h, "authorization") == "Bearer gateway-token";
    let (answer, id) = p
        .record(Received {
            at: Instant::now(),
            provider: "gateway",
            signature_ok,
            query: BTreeMap::new(),
            body,
        })
        .await;
    let status = match answer {
        Answer::Ok => StatusCode::OK,
        Answer::Throttle => StatusCode::TOO_MANY_REQUESTS,
        Answer::Permanent => StatusCode::BAD_REQUEST,
    };
    (status, [("retry-after", "7")], serde_json::json!({ "id": id }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2, so the fakes' HMAC is right independently of the server's.
    #[test]
    fn the_fakes_hmac_matches_rfc_4231() {
        assert_eq!(
            hex::encode(hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
