//! Every delivery channel against a local fake of its provider that checks the provider's own
//! signature scheme and answers success, throttling and permanent errors as the provider does.
//! No database is involved: these are the adapters alone, as the configuration builds them.

use std::collections::HashMap;

use anlan_server::channels::config::Settings;
use anlan_server::channels::robots::RobotChannel;
use anlan_server::channels::{Address, Attempt, Channel, ChannelKind, ChannelMetrics, Phone, setup};
use anlan_server::push::{AlertKind, AlertPayload, Notification, PAYLOAD_VERSION};
use anlan_tests::providers::*;
use sync_protocol::case::{Category, Severity};

const TEXT: &str = "【安澜】${township}${kind}${case_no}(${category})，请尽快登录处置。";

fn urgent() -> Notification {
    Notification::Case(AlertPayload {
        v: PAYLOAD_VERSION,
        kind: AlertKind::Urgent,
        doc_id: "6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b".parse().unwrap(),
        case_no: Some("永安-2026-000123".into()),
        township: "曹远镇".into(),
        category: Category::GroupPetition,
        severity: Severity::Urgent,
        ack_link: None,
    })
}

fn phone() -> Address {
    Address::Phone(Phone::parse("13912345678").unwrap())
}

fn settings(pairs: &[(&str, String)]) -> HashMap<String, String> {
    let mut s: HashMap<String, String> = [
        ("ANLAN_SMS_TEMPLATE_ID", "SMS_4711"),
        ("ANLAN_SMS_TEMPLATE_TEXT", TEXT),
        ("ANLAN_SMS_TEMPLATE_PARAMS", "township,kind,case_no,category"),
        ("ANLAN_SMS_SIGN_NAME", "安澜"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    s.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())));
    s
}

fn sms(s: &HashMap<String, String>) -> Box<dyn Channel> {
    setup::sms(s as &dyn Settings, &reqwest::Client::new()).unwrap().expect("an SMS channel is configured")
}

fn aliyun(p: &Providers, secret: &str) -> Box<dyn Channel> {
    sms(&settings(&[
        ("ANLAN_SMS_PROVIDER", "aliyun".into()),
        ("ANLAN_ALIYUN_SMS_ENDPOINT", format!("{}/aliyun/", p.base)),
        ("ANLAN_ALIYUN_ACCESS_KEY_ID", ALIYUN_KEY_ID.into()),
        ("ANLAN_ALIYUN_ACCESS_KEY_SECRET", secret.into()),
    ]))
}

fn tencent(p: &Providers, secret: &str) -> Box<dyn Channel> {
    sms(&settings(&[
        ("ANLAN_SMS_PROVIDER", "tencent".into()),
        ("ANLAN_TENCENT_SMS_ENDPOINT", format!("{}/tencent/", p.base)),
        ("ANLAN_TENCENT_SECRET_ID", TENCENT_ID.into()),
        ("ANLAN_TENCENT_SECRET_KEY", secret.into()),
        ("ANLAN_TENCENT_SMS_APP_ID", "1400006666".into()),
    ]))
}

/// Ok, then a throttle, then a permanent error: what each answer becomes.
async fn three_answers(p: &Providers, c: &dyn Channel, to: &Address) -> Vec<Attempt> {
    p.script(&[Answer::Ok, Answer::Throttle, Answer::Permanent]);
    let mut out = Vec::new();
    for _ in 0..3 {
        out.push(c.send(to, &urgent()).await);
    }
    out
}

fn assert_ok_retry_failed(got: &[Attempt], cost: u32, failure: &str) {
    assert!(matches!(&got[0], Attempt::Sent { cost_units, .. } if *cost_units == cost), "{got:?}");
    assert!(matches!(&got[1], Attempt::Retry { .. }), "{got:?}");
    assert!(matches!(&got[2], Attempt::Failed { reason } if reason.contains(failure)), "{got:?}");
}

#[tokio::test]
async fn alibaba_sms_is_signed_as_alibaba_checks_and_carries_only_the_template_parameters() {
    let p = Providers::spawn().await;
    let got = three_answers(&p, aliyun(&p, ALIYUN_SECRET).as_ref(), &phone()).await;
    assert_ok_retry_failed(&got, 1, "isv.MOBILE_NUMBER_ILLEGAL");
    // The BizId Alibaba answered: what its delivery receipt will name the message by.
    let ids = p.message_ids("aliyun");
    assert!(
        matches!(&got[0], Attempt::Sent { receipt: Some(id), .. } if [id.clone()] == *ids),
        "{got:?} {ids:?}"
    );
    let seen = p.received();
    assert!(seen.iter().all(|r| r.signature_ok), "{seen:?}");
    let q = &seen[0].query;
    assert_eq!(
        (q["PhoneNumbers"].as_str(), q["SignName"].as_str(), q["TemplateCode"].as_str()),
        ("13912345678", "安澜", "SMS_4711")
    );
    let params: serde_json::Value = serde_json::from_str(&q["TemplateParam"]).unwrap();
    assert_eq!(
        params,
        serde_json::json!({"township": "曹远镇", "kind": "紧急案件", "case_no": "永安-2026-000123", "category": "群体性上访倾向"})
    );
}

#[tokio::test]
async fn alibaba_refuses_a_request_signed_with_the_wrong_secret_and_that_is_a_failure_not_a_retry() {
    let p = Providers::spawn().await;
    let got = aliyun(&p, "not-the-secret").send(&phone(), &urgent()).await;
    assert!(
        matches!(&got, Attempt::Failed { reason } if reason.starts_with("SignatureDoesNotMatch")),
        "{got:?}"
    );
    assert!(!p.received()[0].signature_ok);
}

#[tokio::test]
async fn tencent_sms_is_signed_as_tencent_checks_with_positional_parameters_and_an_e164_number() {
    let p = Providers::spawn().await;
    let got = three_answers(&p, tencent(&p, TENCENT_KEY).as_ref(), &phone()).await;
    assert_ok_retry_failed(&got, 1, "InvalidParameterValue.IncorrectPhoneNumber");
    let seen = p.received();
    assert!(seen.iter().all(|r| r.signature_ok), "{seen:?}");
    let b = &seen[0].body;
    assert_eq!(b["PhoneNumberSet"], serde_json::json!(["+8613912345678"]));
    assert_eq!(
        b["TemplateParamSet"],
        serde_json::json!(["曹远镇", "紧急案件", "永安-2026-000123", "群体性上访倾向"])
    );
    let bad = tencent(&p, "wrong").send(&phone(), &urgent()).await;
    assert!(
        matches!(&bad, Attempt::Failed { reason } if reason.starts_with("AuthFailure.SignatureFailure")),
        "{bad:?}"
    );
}

#[tokio::test]
async fn a_county_gateway_gets_the_rendered_text_with_its_token_and_429_honours_retry_after() {
    let p = Providers::spawn().await;
    let c = sms(&settings(&[
        ("ANLAN_SMS_PROVIDER", "http".into()),
        ("ANLAN_HTTP_SMS_URL", format!("{}/gateway", p.base)),
        ("ANLAN_HTTP_SMS_BODY", r#"{"to":"{phone}","text":"{text}"}"#.into()),
        ("ANLAN_HTTP_SMS_TOKEN", "gateway-token".into()),
    ]));
    let got = three_answers(&p, c.as_ref(), &phone()).await;
    assert_ok_retry_failed(&got, 1, "400");
    assert!(matches!(&got[1], Attempt::Retry { after, .. } if after.as_secs() == 7), "{got:?}");
    let b = &p.received()[0].body;
    assert_eq!(b["to"], "13912345678");
    assert_eq!(b["text"], "【安澜】曹远镇紧急案件永安-2026-000123(群体性上访倾向)，请尽快登录处置。");
}

fn robots(p: &Providers) -> HashMap<String, RobotChannel> {
    let file = std::env::temp_dir().join(format!(
        "anlan-robots-{}-{}",
        std::process::id(),
        p.base.replace([':', '/', '.'], "")
    ));
    std::fs::write(
        &file,
        format!(
            "# township and county groups\n350481101 wecom {0}/wecom?key=wecom-key\n350481 dingtalk {0}/dingtalk?access_token=ding-token {DINGTALK_SECRET}\n",
            p.base
        ),
    )
    .unwrap();
    let s = settings(&[("ANLAN_ROBOTS_FILE", file.display().to_string())]);
    let r = setup::robots(&s as &dyn Settings, &reqwest::Client::new()).unwrap();
    std::fs::remove_file(file).unwrap();
    r
}

#[tokio::test]
async fn group_robots_post_the_case_facts_wecom_by_key_and_dingtalk_with_its_signed_timestamp() {
    let p = Providers::spawn().await;
    let r = robots(&p);
    assert_eq!(r["350481101"].kind(), ChannelKind::WecomRobot);
    assert_eq!(r["350481"].kind(), ChannelKind::DingtalkRobot);
    let wecom = three_answers(&p, &r["350481101"], &Address::Group).await;
    assert_ok_retry_failed(&wecom, 0, "93000");
    let ding = three_answers(&p, &r["350481"], &Address::Group).await;
    assert_ok_retry_failed(&ding, 0, "310000");
    let seen = p.received();
    assert!(seen.iter().all(|r| r.signature_ok), "{seen:?}");
    let text = seen[0].body["text"]["content"].as_str().unwrap();
    assert!(text.contains("曹远镇") && text.contains("永安-2026-000123"), "{text}");
}

#[tokio::test]
async fn a_misconfigured_channel_is_refused_at_start_with_the_setting_named() {
    let p = Providers::spawn().await;
    let mut s = settings(&[("ANLAN_SMS_PROVIDER", "aliyun".into())]);
    let err = setup::sms(&s as &dyn Settings, &reqwest::Client::new()).err().unwrap();
    assert_eq!(err.to_string(), "ANLAN_ALIYUN_ACCESS_KEY_ID is required for the configured channel");
    s.insert("ANLAN_SMS_PROVIDER".into(), "pigeon".into());
    assert!(
        setup::sms(&s as &dyn Settings, &reqwest::Client::new())
            .err()
            .unwrap()
            .to_string()
            .contains("pigeon")
    );
    s.insert("ANLAN_SMS_PROVIDER".into(), "http".into());
    s.insert("ANLAN_HTTP_SMS_URL".into(), format!("{}/gateway", p.base));
    s.insert("ANLAN_SMS_TEMPLATE_TEXT".into(), format!("{TEXT}{}", "很长".repeat(20)));
    let err = setup::sms(&s as &dyn Settings, &reqwest::Client::new()).err().unwrap();
    assert!(err.to_string().contains("over the 70"), "{err}");
}

#[tokio::test]
async fn metrics_count_each_channels_sends_failures_and_sms_cost() {
    let p = Providers::spawn().await;
    let m = ChannelMetrics::default();
    let c = aliyun(&p, ALIYUN_SECRET);
    for a in three_answers(&p, c.as_ref(), &phone()).await {
        m.record(c.kind(), &a);
    }
    assert_eq!(m.get(ChannelKind::AliyunSms), (1, 1, 1, 1));
    assert!(m.render().contains("anlan_channel_sends_total{channel=\"aliyun_sms\"} 1"));
}
