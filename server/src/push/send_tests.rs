//! Unit tests of building and classifying; sending over the wire is covered by
//! `tests/tests/all/push_delivery.rs` against the local push service.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::push::payload::PAYLOAD_VERSION;
use crate::push::{AlertKind, VapidContact};

// The user agent's key and secret from RFC 8291 §5: any valid subscriber will do here.
const UA_PUBLIC: &str =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

fn vapid() -> VapidKeys {
    VapidKeys::generate("mailto:ops@anlan.example".parse::<VapidContact>().unwrap())
}

fn subscription() -> Subscription {
    Subscription::new("https://push.example.net:8443/wpush/abc", UA_PUBLIC, AUTH).unwrap()
}

fn payload() -> AlertPayload {
    AlertPayload {
        v: PAYLOAD_VERSION,
        kind: AlertKind::Urgent,
        doc_id: sync_protocol::DocId::random(),
        case_no: Some("永安-2026-000123".into()),
        township: "永安镇".into(),
        category: sync_protocol::case::Category::Land,
        severity: sync_protocol::case::Severity::Urgent,
        ack_link: None,
    }
}

fn jwt_claims(authorization: &str) -> serde_json::Value {
    let token = authorization.strip_prefix("vapid t=").and_then(|rest| rest.split(',').next()).unwrap();
    let claims = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap()
}

#[test]
fn a_built_alert_carries_ttl_urgency_topic_encoding_and_vapid() {
    let vapid = vapid();
    let payload = payload();
    let opts = SendOptions { ttl: Duration::from_secs(600), ..SendOptions::for_alert(&payload) };
    let request = build_request(&vapid, &subscription(), &payload.to_json(), &opts).unwrap();

    assert_eq!(request.url, "https://push.example.net:8443/wpush/abc");
    assert_eq!(request.header("ttl"), Some("600"));
    assert_eq!(request.header("urgency"), Some("high"));
    assert_eq!(request.header("topic"), Some(payload.topic().as_str()));
    assert_eq!(request.header("content-encoding"), Some("aes128gcm"));
    assert_eq!(request.header("content-length"), None);
    let authorization = request.header("authorization").unwrap();
    assert!(authorization.ends_with(&format!(", k={}", vapid.public_key_base64url())));
    // aes128gcm: 86-byte header, the record with its delimiter, and a 16-byte tag.
    assert!(request.body.len() >= 86 + payload.to_json().len() + 1 + 16);
}

#[test]
fn the_vapid_jwt_names_our_contact_and_the_push_service_origin_without_port() {
    let request = build_request(&vapid(), &subscription(), b"{}", &SendOptions::default()).unwrap();
    let claims = jwt_claims(request.header("authorization").unwrap());
    assert_eq!(claims["sub"], "mailto:ops@anlan.example");
    assert_eq!(claims["aud"], "https://push.example.net");
    let exp = claims["exp"].as_u64().unwrap();
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    assert!(exp > now && exp <= now + 24 * 3600, "RFC 8292 §2: exp within 24 h");
}

#[test]
fn an_empty_payload_is_refused_because_it_would_lose_vapid() {
    let err = build_request(&vapid(), &subscription(), b"", &SendOptions::default()).unwrap_err();
    assert_eq!(err, SendError::EmptyPayload);
}

#[test]
fn an_oversized_payload_is_refused_before_sending() {
    let big = vec![b'x'; 3053];
    let err = build_request(&vapid(), &subscription(), &big, &SendOptions::default()).unwrap_err();
    assert_eq!(err, SendError::PayloadTooLarge);
}

#[test]
fn no_topic_header_is_sent_without_a_topic() {
    let request = build_request(&vapid(), &subscription(), b"{}", &SendOptions::default()).unwrap();
    assert_eq!(request.header("topic"), None);
}

#[test]
fn success_codes_mean_sent_and_404_or_410_mean_the_subscription_is_gone() {
    let opts = SendOptions::default();
    let now = SystemTime::now();
    assert_eq!(classify(201, None, &opts, now), Delivery::Sent);
    assert_eq!(classify(202, None, &opts, now), Delivery::Sent);
    assert_eq!(classify(404, None, &opts, now), Delivery::Gone);
    assert_eq!(classify(410, None, &opts, now), Delivery::Gone);
}

#[test]
fn rate_limits_and_server_errors_retry_after_the_header_or_the_backoff() {
    let opts = SendOptions { attempt: 2, ..SendOptions::default() };
    let now = SystemTime::now();
    let in_90s = httpdate::fmt_http_date(now + Duration::from_secs(90));
    assert_eq!(classify(429, Some("3"), &opts, now), Delivery::RetryAfter(Duration::from_secs(3)));
    // HTTP-dates have one-second resolution.
    match classify(503, Some(&in_90s), &opts, now) {
        Delivery::RetryAfter(d) => assert!((89..=90).contains(&d.as_secs()), "{d:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(classify(500, None, &opts, now), Delivery::RetryAfter(Duration::from_secs(20)));
    assert_eq!(classify(429, Some("soon"), &opts, now), Delivery::RetryAfter(Duration::from_secs(20)));
    assert_eq!(classify(429, Some("86400"), &opts, now), Delivery::RetryAfter(RETRY_AFTER_CEILING));
}

#[test]
fn other_client_errors_fail_with_their_status_alone() {
    let opts = SendOptions::default();
    let now = SystemTime::now();
    assert_eq!(
        classify(403, None, &opts, now),
        Delivery::Failed("HTTP 403".into()),
        "a reply body is never read, so never shown to leaders"
    );
    assert_eq!(classify(413, None, &opts, now), Delivery::Failed("HTTP 413".into()));
    assert!(matches!(classify(301, None, &opts, now), Delivery::Failed(_)));
}

#[test]
fn a_retry_after_date_in_the_past_means_retry_now() {
    let now = SystemTime::now();
    let past = httpdate::fmt_http_date(now - Duration::from_secs(60));
    assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
    assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
    assert_eq!(parse_retry_after("", now), None);
    assert_eq!(parse_retry_after("-1", now), None);
}

#[test]
fn the_backoff_doubles_per_attempt_up_to_its_cap() {
    let b = Backoff::default();
    let delays: Vec<u64> = (0..8).map(|a| b.delay(a).as_secs()).collect();
    assert_eq!(delays, [5, 10, 20, 40, 80, 160, 300, 300]);
    assert_eq!(b.delay(u32::MAX), b.max);
}
