//! Trusted time (PROTOCOL.md §11): a phone whose clock is wrong has its times corrected by a
//! sealed server change that keeps what it claimed; case numbers, projections and every
//! replica read the corrected time; nothing the officer wrote is lost.

use anlan_tests::device::{Outcome, now_ms};
use anlan_tests::*;
use serde_json::Value;
use sync_protocol::DocId;
use sync_protocol::case::{Severity, TimelineEntry, TimelineKind, write};

const DAY: i64 = 86_400_000;
const YEAR: i64 = 365 * DAY;
const MINUTE: i64 = 60_000;

/// The demo accounts' phones were enrolled when the server started; a real phone has been in
/// use for a while, and the server never puts a corrected time before the enrolment.
async fn enrolled_long_ago(app: &TestApp) {
    app.devices_enrolled_at(now_ms() - 4 * YEAR).await;
}

async fn officer_with_clock(app: &TestApp, skew: Option<i64>) -> SimDevice {
    enrolled_long_ago(app).await;
    let mut d = app.device(OFFICER);
    d.login().await.unwrap();
    d.clock_skew = skew;
    d
}

/// Record a case at `reported_at` by the phone's clock, with a note written `note_at`.
fn record(d: &mut SimDevice, reported_at: i64, note_at: i64) -> DocId {
    let mut c = d.new_case(PUTOU, Severity::Major, "水库移民安置补偿纠纷");
    c.reported_at = reported_at;
    let id = d.create(&c);
    let by = d.user_id.clone();
    d.edit(id, |tx| {
        write::add_timeline(
            tx,
            &TimelineEntry {
                id: format!("note-{note_at}"),
                kind: TimelineKind::Note,
                at: note_at,
                by,
                text: "当事人情绪稳定，约定明天再谈。".into(),
            },
        )
    });
    id
}

fn close_to(actual: i64, expected: i64, what: &str) {
    assert!((actual - expected).abs() < 2 * MINUTE, "{what}: {actual} is not about {expected}");
}

/// Cases found on the Beijing day holding `at`, by the leader's statistics.
async fn found_on(app: &TestApp, at: i64) -> u64 {
    let (y, m, d) = sync_protocol::calendar::civil_from_days(sync_protocol::calendar::beijing_day(at));
    let day = format!("{y:04}-{m:02}-{d:02}");
    let (status, body) = app.api_get(LEADER, &format!("/stats?from={day}&to={day}")).await;
    assert_eq!(status, 200, "{body}");
    body["totals"]["found"].as_u64().unwrap()
}

fn corrections(case: &Value) -> Vec<(String, i64, i64)> {
    case["clock_corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().to_string(),
                c["claimed"].as_i64().unwrap(),
                c["corrected"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn a_phone_three_years_ahead_gets_this_years_times_and_number(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = officer_with_clock(&app, Some(3 * YEAR)).await;
    let now = now_ms();
    let (claimed, note_claimed) = (now + 3 * YEAR - 2 * DAY, now + 3 * YEAR - DAY);
    let id = record(&mut officer, claimed, note_claimed);
    officer.sync().await.unwrap();
    assert_eq!(officer.outcome(id), Outcome::Ok);

    let case = app.case_json(LEADER, id).await;
    close_to(case["reported_at"].as_i64().unwrap(), now - 2 * DAY, "reported_at");
    let year = sync_protocol::calendar::beijing_year(now_ms());
    assert!(case["case_no"].as_str().unwrap().contains(&format!("-{year}-")), "{}", case["case_no"]);
    let fixed = corrections(&case);
    assert_eq!(fixed.len(), 2, "{fixed:?}");
    assert_eq!((fixed[0].0.as_str(), fixed[0].1), ("reported_at", claimed));
    assert_eq!((fixed[1].0.clone(), fixed[1].1), (format!("timeline:note-{note_claimed}"), note_claimed));
    close_to(fixed[1].2, now - DAY, "the note's corrected time");
    // What she typed is all there.
    assert_eq!(case["timeline"][0]["text"], "当事人情绪稳定，约定明天再谈。");
    assert_eq!(case["title"], "水库移民安置补偿纠纷");
    // Counted where it happened, not three years on.
    assert_eq!((found_on(&app, now - 2 * DAY).await, found_on(&app, claimed).await), (1, 0));

    // Her phone and the leader's hold the corrected document.
    officer.sync().await.unwrap();
    close_to(officer.case(id).reported_at, now - 2 * DAY, "the officer's replica");
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    let seen = leader.case(id);
    close_to(seen.reported_at, now - 2 * DAY, "the leader's replica");
    assert_eq!(seen.clock_corrections.len(), 2);
    // The leader edits the case after the correction: judged as usual.
    leader.set_status(id, sync_protocol::case::Status::Acknowledged);
    leader.sync().await.unwrap();
    assert_eq!(leader.outcome(id), Outcome::Ok);
}

async fn a_phone_a_day_behind_is_corrected_by_its_offset(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = officer_with_clock(&app, Some(-DAY)).await;
    let now = now_ms();
    let id = record(&mut officer, now - DAY - 3 * MINUTE, now - DAY - MINUTE);
    officer.sync().await.unwrap();
    let case = app.case_json(LEADER, id).await;
    close_to(case["reported_at"].as_i64().unwrap(), now - 3 * MINUTE, "reported_at");
    assert_eq!(corrections(&case).len(), 2);
}

async fn a_phone_ten_minutes_fast_is_within_the_tolerance(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = officer_with_clock(&app, Some(10 * MINUTE)).await;
    let claimed = now_ms() + 9 * MINUTE;
    let id = record(&mut officer, claimed, claimed);
    officer.sync().await.unwrap();
    let case = app.case_json(LEADER, id).await;
    assert_eq!(case["reported_at"].as_i64().unwrap(), claimed);
    assert!(corrections(&case).is_empty());
}

async fn a_phone_that_sends_no_clock_reading_is_judged_on_plausibility(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = officer_with_clock(&app, None).await;
    let now = now_ms();
    let in_1971 = record(&mut officer, 31_536_000_000, 31_536_000_000);
    let last_week = record(&mut officer, now - 7 * DAY, now - 6 * DAY);
    officer.sync().await.unwrap();
    let case = app.case_json(LEADER, in_1971).await;
    close_to(case["reported_at"].as_i64().unwrap(), now, "a time before any record: the receipt time");
    assert_eq!(corrections(&case)[0].1, 31_536_000_000);
    let case = app.case_json(LEADER, last_week).await;
    assert_eq!(case["reported_at"].as_i64().unwrap(), now - 7 * DAY, "a plausible past time stands");
    assert!(corrections(&case).is_empty());
}

async fn a_clock_that_jumps_back_during_an_offline_week_is_corrected_as_the_rule_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = officer_with_clock(&app, None).await;
    let now = now_ms();
    // Right clock six days ago; then the battery ran flat and the clock restarted a year back.
    let before_jump = record(&mut officer, now - 6 * DAY, now - 6 * DAY);
    let after_jump = record(&mut officer, now - YEAR - 2 * DAY, now - YEAR - 2 * DAY);
    officer.clock_skew = Some(-YEAR);
    officer.sync().await.unwrap();
    // The phone is a year slow at the push: everything it writes is taken to be a year slow.
    let case = app.case_json(LEADER, after_jump).await;
    close_to(case["reported_at"].as_i64().unwrap(), now - 2 * DAY, "written after the jump");
    // What was written before the jump would land in the future: held at the receipt, marked.
    let case = app.case_json(LEADER, before_jump).await;
    close_to(case["reported_at"].as_i64().unwrap(), now, "written before the jump");
    assert_eq!(corrections(&case)[0].1, now - 6 * DAY, "the phone's own time is kept");
}

async fn later_edits_from_a_wrong_clock_are_corrected_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = officer_with_clock(&app, None).await;
    let now = now_ms();
    let id = record(&mut officer, now - MINUTE, now - MINUTE);
    officer.sync().await.unwrap();
    officer.clock_skew = Some(2 * YEAR);
    let by = officer.user_id.clone();
    officer.edit(id, |tx| {
        write::add_timeline(
            tx,
            &TimelineEntry {
                id: "later".into(),
                kind: TimelineKind::Note,
                at: now + 2 * YEAR,
                by,
                text: "回访".into(),
            },
        )
    });
    officer.sync().await.unwrap();
    let case = app.case_json(LEADER, id).await;
    let fixed = corrections(&case);
    assert_eq!(fixed.len(), 1, "only the new entry is judged: {fixed:?}");
    assert_eq!(fixed[0].0, "timeline:later");
    close_to(fixed[0].2, now, "the new entry");
    assert_eq!(case["reported_at"].as_i64().unwrap(), now - MINUTE, "the stored time is untouched");
}

async fn a_time_before_the_phone_was_enrolled_is_corrected_and_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let now = now_ms();
    // Enrolled yesterday. Her clock said last month while she wrote, and is right again at the
    // push, so the offset cannot tell: the enrolment can.
    app.devices_enrolled_at(now - DAY).await;
    officer.clock_skew = Some(0);
    let (claimed, note_claimed) = (now - 30 * DAY, now - 29 * DAY);
    let id = record(&mut officer, claimed, note_claimed);
    // Ten minutes before the enrolment is a slow clock within the tolerance: it stands.
    let just_before = record(&mut officer, now - DAY - 10 * MINUTE, now - DAY - 10 * MINUTE);
    officer.sync().await.unwrap();
    assert_eq!((officer.outcome(id), officer.outcome(just_before)), (Outcome::Ok, Outcome::Ok));

    let case = app.case_json(LEADER, id).await;
    close_to(case["reported_at"].as_i64().unwrap(), now, "reported_at");
    let fixed = corrections(&case);
    assert_eq!(
        fixed.iter().map(|(f, c, _)| (f.clone(), *c)).collect::<Vec<_>>(),
        vec![("reported_at".into(), claimed), (format!("timeline:note-{note_claimed}"), note_claimed)]
    );
    close_to(fixed[1].2, now, "the note's corrected time");
    let year = sync_protocol::calendar::beijing_year(now);
    assert!(case["case_no"].as_str().unwrap().contains(&format!("-{year}-")), "{}", case["case_no"]);
    assert_eq!(case["timeline"][0]["text"], "当事人情绪稳定，约定明天再谈。");
    assert_eq!((found_on(&app, now).await, found_on(&app, claimed).await), (1, 0));
    let stands = app.case_json(LEADER, just_before).await;
    assert_eq!(stands["reported_at"].as_i64().unwrap(), now - DAY - 10 * MINUTE);
    assert!(corrections(&stands).is_empty());
    // The leader's replica carries the correction and the claim.
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert_eq!(leader.case(id).clock_corrections.len(), 2);
}

async fn an_edit_dated_before_the_case_reached_the_server_is_corrected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = officer_with_clock(&app, None).await;
    let now = now_ms();
    let id = record(&mut officer, now - MINUTE, now - MINUTE);
    officer.sync().await.unwrap();
    // The leader's phone, in use for years and sending no clock reading, dates a note ten days
    // before the case existed: it cannot have been written then.
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    let by = leader.user_id.clone();
    leader.edit(id, |tx| {
        write::add_timeline(
            tx,
            &TimelineEntry {
                id: "early".into(),
                kind: TimelineKind::Note,
                at: now - 10 * DAY,
                by,
                text: "已电话联系".into(),
            },
        )
    });
    leader.sync().await.unwrap();
    assert_eq!(leader.outcome(id), Outcome::Ok);
    let case = app.case_json(LEADER, id).await;
    let fixed = corrections(&case);
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!((fixed[0].0.as_str(), fixed[0].1), ("timeline:early", now - 10 * DAY));
    close_to(fixed[0].2, now, "the note's corrected time");
    assert_eq!(case["reported_at"].as_i64().unwrap(), now - MINUTE, "the case's own time stands");
    assert!(case["timeline"].as_array().unwrap().iter().any(|e| e["text"] == "已电话联系"));
}

on_both_backends!(
    a_time_before_the_phone_was_enrolled_is_corrected_and_kept,
    an_edit_dated_before_the_case_reached_the_server_is_corrected,
    a_phone_three_years_ahead_gets_this_years_times_and_number,
    a_phone_a_day_behind_is_corrected_by_its_offset,
    a_phone_ten_minutes_fast_is_within_the_tolerance,
    a_phone_that_sends_no_clock_reading_is_judged_on_plausibility,
    a_clock_that_jumps_back_during_an_offline_week_is_corrected_as_the_rule_says,
    later_edits_from_a_wrong_clock_are_corrected_too,
);
