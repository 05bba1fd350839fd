//! The shared vectors (`sync-protocol/vectors/petition.json`), which the PWA's port also runs,
//! and the calendar arithmetic they rest on.

use serde_json::Value;

use super::*;
use crate::calendar::{civil_from_days, date_string, days_from_civil};

const VECTORS: &str = include_str!("../../vectors/petition.json");

/// `YYYY-MM-DDTHH:MM` Beijing local time → Unix ms.
fn beijing(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let day = days_from_civil(n(0..4), n(5..7) as u32, n(8..10) as u32);
    day_start_ms(day) + (n(11..13) * 60 + n(14..16)) * 60_000
}

fn event(e: &Value) -> Event {
    let at = beijing(e["at"].as_str().unwrap());
    match e["event"].as_str().unwrap() {
        "accept" => Event::Accept(at),
        "decline" => Event::Decline(at),
        "extend" => Event::Extend { at, days: e["days"].as_i64().unwrap() },
        "reply" => Event::Reply(at),
        "request_review" => Event::RequestReview(at),
        "answer_review" => Event::AnswerReview(at),
        "request_rereview" => Event::RequestRereview(at),
        "answer_rereview" => Event::AnswerRereview(at),
        other => panic!("unknown event {other}"),
    }
}

fn check_vector(v: &Value) {
    let name = v["name"].as_str().unwrap();
    let received = beijing(v["received"].as_str().unwrap());
    let events: Vec<Event> = v["events"].as_array().unwrap().iter().map(event).collect();
    let result = if v["replay"].as_bool() == Some(true) {
        Clock::replay(received, &events).map_err(|e| (0, e))
    } else {
        events
            .iter()
            .enumerate()
            .try_fold(Clock::new(received), |c, (i, e)| c.apply(*e).map_err(|err| (i, err)))
    };
    if let Some(want) = v.get("error") {
        let (index, err) = result.expect_err(name);
        assert_eq!(
            index as u64,
            want["index"].as_u64().unwrap(),
            "{name}: refused at the wrong step ({err})"
        );
        assert_eq!(err.code(), want["code"].as_str().unwrap(), "{name}: {err}");
        return;
    }
    let clock = result.unwrap_or_else(|(i, e)| panic!("{name}: step {i} refused: {e}"));
    let want = &v["expect"];
    assert_eq!(clock.stage().as_str(), want["stage"].as_str().unwrap(), "{name}");
    let deadline = clock.deadline();
    match (&want["deadline"], deadline) {
        (Value::Null, None) => {}
        (w, Some(d)) if !w.is_null() => {
            assert_eq!(d.kind.as_str(), w["kind"].as_str().unwrap(), "{name}");
            assert_eq!(d.owner.as_str(), w["owner"].as_str().unwrap(), "{name}");
            assert_eq!(date_string(d.day), w["date"].as_str().unwrap(), "{name}");
            assert_eq!(d.due_ms(), w["due_ms"].as_i64().unwrap(), "{name}");
        }
        (w, d) => panic!("{name}: deadline {d:?}, expected {w}"),
    }
    for c in want["countdown"].as_array().unwrap() {
        let now = beijing(c["now"].as_str().unwrap());
        assert_eq!(deadline.map(|d| d.days_left(now)), c["days_left"].as_i64(), "{name} at {}", c["now"]);
        assert_eq!(deadline.map(|d| days_left_to(d.due_ms(), now)), c["days_left"].as_i64(), "{name}");
        assert_eq!(clock.finished(now), c["finished"].as_bool().unwrap(), "{name} at {}", c["now"]);
    }
}

#[test]
fn every_shared_vector_holds() {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 30, "the vector file lost entries");
    for v in vectors {
        check_vector(v);
    }
}

#[test]
fn day_numbers_round_trip_through_dates_for_four_centuries() {
    let start = days_from_civil(1900, 1, 1);
    for day in start..start + 146_097 {
        let (y, m, d) = civil_from_days(day);
        assert_eq!(days_from_civil(y, m, d), day);
    }
    assert_eq!(date_string(days_from_civil(2028, 2, 29) + 1), "2028-03-01");
    assert_eq!(date_string(days_from_civil(2100, 2, 28) + 1), "2100-03-01");
}

#[test]
fn beijing_midnight_is_sixteen_hundred_utc_the_day_before() {
    // 2026-01-01T00:00+08:00 = 2025-12-31T16:00Z = 1767196800000.
    assert_eq!(day_start_ms(days_from_civil(2026, 1, 1)), 1_767_196_800_000);
    assert_eq!(beijing_day(1_767_196_800_000 - 1), days_from_civil(2025, 12, 31));
    assert_eq!(beijing_day(1_767_196_800_000), days_from_civil(2026, 1, 1));
}
