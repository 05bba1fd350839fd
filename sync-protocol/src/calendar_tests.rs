use serde_json::Value;

use super::*;

const VECTORS: &str = include_str!("../vectors/calendar.json");

#[test]
fn every_shared_vector_holds() {
    let all: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = all["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 15);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let at = v["at"].as_i64().unwrap();
        assert_eq!(beijing_date(at), v["date"].as_str().unwrap(), "{name}: date");
        assert_eq!(i64::from(beijing_year(at)), v["year"].as_i64().unwrap(), "{name}: year");
        assert_eq!(i64::from(beijing_hour(at)), v["hour"].as_i64().unwrap(), "{name}: hour");
        assert_eq!(day_start_ms(beijing_day(at)), v["day_start"].as_i64().unwrap(), "{name}: day start");
        assert_eq!(beijing_minute(at), v["minute"].as_str().unwrap(), "{name}: minute");
        assert_eq!(beijing_rfc3339(at), v["rfc3339"].as_str().unwrap(), "{name}: rfc3339");
        let h = half_month(at);
        let want = &v["half_month"];
        assert_eq!(h.key, want["key"].as_str().unwrap(), "{name}: half-month key");
        assert_eq!(
            (h.start, h.end),
            (want["start"].as_i64().unwrap(), want["end"].as_i64().unwrap()),
            "{name}"
        );
        assert_eq!(h.deadline, h.end - 1);
        let month = |off| {
            let (a, b) = month_dates(at, off);
            serde_json::json!([a, b])
        };
        assert_eq!(month(0), v["month"], "{name}: month");
        assert_eq!(month(-1), v["previous_month"], "{name}: previous month");
    }
}

#[test]
fn days_and_dates_round_trip_across_four_centuries() {
    for day in (-146_097..146_097).step_by(7) {
        let (y, m, d) = civil_from_days(day);
        assert_eq!(days_from_civil(y, m, d), day);
    }
}
