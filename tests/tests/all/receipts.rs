//! Delivery receipts: the SMS providers report that a message reached the phone (or not, and
//! why), and the case's delivery log says so — pushed in each provider's own format to the
//! secret receipt URL, matched by the id the provider gave the message when it accepted it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anlan_tests::providers::*;
use anlan_tests::*;
use serde_json::{Value, json};
use sync_protocol::DocId;
use sync_protocol::case::Severity;

const WAIT: Duration = Duration::from_secs(10);
const LEADER_PHONE: &str = "13900000002";

on_both_backends!(
    a_gateway_receipt_marks_the_sms_delivered_once_however_often_it_comes,
    alibaba_and_tencent_receipts_say_undelivered_with_the_providers_reason,
    a_receipt_that_overtakes_its_send_is_applied_when_the_send_is_recorded,
    receipts_need_the_secret_url_and_the_providers_format,
);

/// The fakes' settings with the SMS going through `provider` (`http`, `aliyun`, `tencent`).
fn settings(p: &Providers, provider: &str) -> HashMap<String, String> {
    let mut s = p.server_settings(&[]);
    let set = |s: &mut HashMap<String, String>, pairs: &[(&str, String)]| {
        s.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())));
    };
    set(&mut s, &[("ANLAN_SMS_PROVIDER", provider.into())]);
    let template = [("ANLAN_SMS_TEMPLATE_ID", "SMS_4711".into()), ("ANLAN_SMS_SIGN_NAME", "安澜".into())];
    match provider {
        "aliyun" => set(
            &mut s,
            &[
                ("ANLAN_ALIYUN_SMS_ENDPOINT", format!("{}/aliyun/", p.base)),
                ("ANLAN_ALIYUN_ACCESS_KEY_ID", ALIYUN_KEY_ID.into()),
                ("ANLAN_ALIYUN_ACCESS_KEY_SECRET", ALIYUN_SECRET.into()),
            ],
        ),
        "tencent" => set(
            &mut s,
            &[
                ("ANLAN_TENCENT_SMS_ENDPOINT", format!("{}/tencent/", p.base)),
                ("ANLAN_TENCENT_SECRET_ID", TENCENT_ID.into()),
                ("ANLAN_TENCENT_SECRET_KEY", TENCENT_KEY.into()),
                ("ANLAN_TENCENT_SMS_APP_ID", "1400006666".into()),
            ],
        ),
        _ => {}
    }
    set(&mut s, &template);
    s
}

async fn spawn(b: Backend, p: &Providers, provider: &str) -> TestApp {
    let s = settings(p, provider);
    TestApp::spawn_with(TestDb::new(b).await, |c| c.channel_settings = Some(s)).await
}

/// An urgent case; the leader has no push subscription, so the SMS goes at once. Returns the
/// case and the provider's id for that SMS, once the log says it was sent.
async fn sms_sent(app: &TestApp, p: &Providers, provider: &str) -> (DocId, String) {
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "回执"));
    officer.sync().await.unwrap();
    let log = wait_for_sms_state(app, id, "sent").await;
    assert_eq!(sms_row(&log)["state"], "sent", "{log}");
    let ids = p.message_ids(provider);
    assert_eq!(ids.len(), 1, "one SMS accepted: {ids:?}");
    (id, ids[0].clone())
}

fn sms_row(log: &Value) -> &Value {
    log.as_array()
        .unwrap()
        .iter()
        .find(|r| r["channel"].as_str().is_some_and(|c| c.ends_with("_sms")))
        .unwrap()
}

async fn wait_for_sms_state(app: &TestApp, doc: DocId, state: &str) -> Value {
    let started = Instant::now();
    loop {
        let log = app.alert_log(LEADER, doc).await;
        let has = log
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["channel"].as_str().is_some_and(|c| c.ends_with("_sms")) && r["state"] == state);
        if has || started.elapsed() > WAIT {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// POST a receipt body to `/receipts/<source>/<token>`: the status and the answer.
async fn post_receipt(app: &TestApp, source: &str, token: &str, body: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/receipts/{source}/{token}", app.url))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in {text}"))
}

async fn a_gateway_receipt_marks_the_sms_delivered_once_however_often_it_comes(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, "http").await;
    let (doc, msg) = sms_sent(&app, &p, "gateway").await;
    assert!(sms_row(&app.alert_log(LEADER, doc).await)["receipt_at"].is_null());

    let body = json!({ "id": msg, "delivered": true, "time": "2026-12-01 10:00:00" }).to_string();
    for _ in 0..3 {
        // The gateway repeats a report whose answer it did not see: nothing changes.
        let (status, answer) = post_receipt(&app, "http", RECEIPT_TOKEN, &body).await;
        assert_eq!((status, answer), (200, json!({ "ok": true })));
    }
    let log = app.alert_log(LEADER, doc).await;
    let row = sms_row(&log);
    assert_eq!((row["state"].as_str(), row["last_error"].as_str()), (Some("delivered"), None), "{log}");
    assert!(row["receipt_at"].as_i64().unwrap() >= row["sent_at"].as_i64().unwrap());
    let m = app.metrics().await;
    assert_eq!(metric(&m, "anlan_channel_delivered_total{channel=\"http_sms\"}"), 1, "counted once");
    assert_eq!(metric(&m, "anlan_channel_undelivered_total{channel=\"http_sms\"}"), 0);

    // A later, contradicting report of the same message does not undo the first.
    let late = json!({ "id": msg, "delivered": false, "reason": "late" }).to_string();
    assert_eq!(post_receipt(&app, "http", RECEIPT_TOKEN, &late).await.0, 200);
    assert_eq!(sms_row(&app.alert_log(LEADER, doc).await)["state"], "delivered");
}

async fn alibaba_and_tencent_receipts_say_undelivered_with_the_providers_reason(b: Backend) {
    // Alibaba: SmsReport, matched by biz_id (the BizId SendSms answered).
    let p = Providers::spawn().await;
    let app = spawn(b, &p, "aliyun").await;
    let (doc, biz_id) = sms_sent(&app, &p, "aliyun").await;
    let report = json!([{
        "phone_number": LEADER_PHONE, "send_time": "2026-12-01 10:00:00", "report_time": "2026-12-01 10:00:09",
        "success": false, "err_code": "MK:0001", "err_msg": "空号", "sms_size": "1", "biz_id": biz_id, "out_id": ""
    }]);
    let (status, answer) = post_receipt(&app, "aliyun", RECEIPT_TOKEN, &report.to_string()).await;
    assert_eq!((status, answer["code"].as_i64()), (200, Some(0)), "Alibaba wants a numeric code");
    let log = app.alert_log(LEADER, doc).await;
    let row = sms_row(&log);
    assert_eq!(
        (row["channel"].as_str(), row["state"].as_str(), row["last_error"].as_str()),
        (Some("aliyun_sms"), Some("undelivered"), Some("MK:0001: 空号")),
        "{log}"
    );
    let m = app.metrics().await;
    assert_eq!(metric(&m, "anlan_channel_undelivered_total{channel=\"aliyun_sms\"}"), 1);
    // An undelivered SMS was still sent and billed: it counts against the caps.
    assert_eq!(app.store.sms_sent_since(Some("u_demo_leader"), 0).await.unwrap(), 1);

    // Tencent: the status callback, matched by sid (the SerialNo SendSms answered).
    let p = Providers::spawn().await;
    let app = spawn(b, &p, "tencent").await;
    let (doc, serial) = sms_sent(&app, &p, "tencent").await;
    let report = |status: &str, code: &str, text: &str| {
        json!([{
            "user_receive_time": "2026-12-01 10:00:05", "nationcode": "86", "mobile": LEADER_PHONE,
            "report_status": status, "errmsg": code, "description": text, "sid": serial
        }])
        .to_string()
    };
    let (status, answer) =
        post_receipt(&app, "tencent", RECEIPT_TOKEN, &report("FAIL", "MN:0001", "空号")).await;
    assert_eq!((status, answer), (200, json!({ "result": 0, "errmsg": "OK" })));
    let row = sms_row(&app.alert_log(LEADER, doc).await).clone();
    assert_eq!(
        (row["channel"].as_str(), row["state"].as_str(), row["last_error"].as_str()),
        (Some("tencent_sms"), Some("undelivered"), Some("MN:0001: 空号"))
    );
    // A receipt for a message nobody here sent is kept, and changes no log.
    let stray = report("SUCCESS", "DELIVRD", "用户短信送达成功").replace(&serial, "5000:unknown");
    assert_eq!(post_receipt(&app, "tencent", RECEIPT_TOKEN, &stray).await.0, 200);
    assert_eq!(sms_row(&app.alert_log(LEADER, doc).await)["state"], "undelivered");
}

async fn a_receipt_that_overtakes_its_send_is_applied_when_the_send_is_recorded(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, "http").await;
    p.hold_next(1);
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let doc = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "回执抢先"));
    officer.sync().await.unwrap();
    // The gateway has the SMS and has given it an id, but its answer is still on the way.
    let started = Instant::now();
    while p.message_ids("gateway").is_empty() {
        assert!(started.elapsed() < WAIT, "the SMS never reached the gateway");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let msg = p.message_ids("gateway")[0].clone();
    let body = json!([{ "id": msg, "delivered": true }]).to_string();
    assert_eq!(post_receipt(&app, "http", RECEIPT_TOKEN, &body).await.0, 200);
    assert_eq!(sms_row(&app.alert_log(LEADER, doc).await)["state"], "queued", "still in flight");

    p.release();
    let log = wait_for_sms_state(&app, doc, "delivered").await;
    assert_eq!(sms_row(&log)["state"], "delivered", "{log}");
    assert_eq!(p.sms().len(), 1);
}

async fn receipts_need_the_secret_url_and_the_providers_format(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, "http").await;
    let (doc, msg) = sms_sent(&app, &p, "gateway").await;
    let good = json!({ "id": msg, "delivered": true }).to_string();
    let wrong = format!("{}x", &RECEIPT_TOKEN[..RECEIPT_TOKEN.len() - 1]);
    for (source, token) in [("http", wrong.as_str()), ("http", ""), ("sms", RECEIPT_TOKEN), ("aliyun", "x")] {
        let (status, _) = post_receipt(&app, source, token, &good).await;
        assert_eq!(status, 404, "/receipts/{source}/{token}");
    }
    for bad in ["", "{}", r#"{"id": 1}"#, r#"[{"biz_id": "x", "success": true}]"#, "not json"] {
        let (status, err) = post_receipt(&app, "http", RECEIPT_TOKEN, bad).await;
        assert_eq!(status, 400, "{bad}: {err}");
        assert!(err["message"].as_str().is_some_and(|m| m.contains("format")), "{err}");
    }
    assert_eq!(sms_row(&app.alert_log(LEADER, doc).await)["state"], "sent", "nothing refused took effect");

    // Without a configured token, no receipt is taken at all.
    let mut s = settings(&p, "http");
    s.remove("ANLAN_SMS_RECEIPT_TOKEN");
    let bare = TestApp::spawn_with(TestDb::new(b).await, |c| c.channel_settings = Some(s)).await;
    assert_eq!(post_receipt(&bare, "http", RECEIPT_TOKEN, &good).await.0, 404);

    // A short token is refused at start, not discovered by the first provider to guess it.
    let mut s = settings(&p, "http");
    s.insert("ANLAN_SMS_RECEIPT_TOKEN".into(), "short".into());
    let db = TestDb::new(b).await;
    let mut c = anlan_server::Config::new(db.url.clone());
    c.channel_settings = Some(s);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = anlan_server::run(c, listener, std::future::pending()).await.unwrap_err();
    assert!(err.to_string().contains("ANLAN_SMS_RECEIPT_TOKEN"), "{err}");
}
