//! Trusted time for petitions, visits and sweep reports (PROTOCOL.md §11): their times are
//! judged like a case's, corrected by a sealed server change that keeps what the phone
//! claimed; a petition's corrected dates wait for a leader to confirm them and its statutory
//! clock counts from the confirmed date; statistics count trusted time.

use anlan_tests::device::{Local, Outcome, now_ms};
use anlan_tests::*;
use automerge::transaction::{Transactable, Transaction};
use automerge::{Automerge, ObjType, ROOT, ReadDoc, ScalarValue};
use serde_json::{Value, json};
use sync_protocol::DocId;
use sync_protocol::calendar::beijing_day;
use sync_protocol::petition::write::{self as pw, NewPetition};
use sync_protocol::petition::{Petitioner, Source, read_petition};
use sync_protocol::sweep::{genesis_doc, read_report, report_id};
use sync_protocol::visit::Visit;
use sync_protocol::wire::RejectCode;

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;
const YEAR: i64 = 365 * DAY;
const TOWNSHIP: &str = "350481101";

on_both_backends!(
    a_petition_from_a_phone_three_years_ahead_waits_for_a_leader_to_confirm_its_dates,
    a_clock_that_jumps_back_during_an_offline_week_keeps_the_petitions_steps_in_order,
    a_visit_from_a_phone_a_day_behind_counts_on_the_day_it_happened,
    a_phone_ten_minutes_fast_records_a_petition_as_typed,
    a_sweep_report_from_a_phone_years_ahead_is_answered_now,
    a_phone_cannot_write_the_servers_corrections,
    a_petition_dated_before_the_phone_was_enrolled_waits_for_a_leader,
    an_answer_written_before_another_phone_pushed_the_report_stands,
);

/// Every phone was enrolled years ago: the server never puts a corrected time before the
/// enrolment, and a phone in use has been in use a while.
async fn enrolled_long_ago(app: &TestApp) {
    app.devices_enrolled_at(now_ms() - 4 * YEAR).await;
}

async fn petition_staff(app: &TestApp, skew: i64) -> SimDevice {
    let mut staff = app.enrol("staff_c", "petition_staff", TOWNSHIP).await;
    staff.login().await.unwrap();
    enrolled_long_ago(app).await;
    staff.clock_skew = Some(skew);
    staff
}

fn create(
    dev: &mut SimDevice,
    write: impl FnOnce(&mut Transaction<'_>) -> Result<(), automerge::AutomergeError>,
) -> DocId {
    let id = DocId::random();
    dev.docs.insert(id, Local { doc: Automerge::new(), acked: vec![] });
    dev.edit(id, write);
    id
}

fn petition(by: &SimDevice, received_at: i64) -> NewPetition {
    NewPetition {
        village: PUTOU.into(),
        source: Source::Visit,
        petitioner: Petitioner { name: "王秀英".into(), phone: None, id_no: None },
        request: "反映移民安置房漏水，要求维修".into(),
        received_at,
        recorded_by: by.user_id.clone(),
    }
}

fn close_to(actual: &Value, expected: i64, what: &str) {
    let a = actual.as_i64().unwrap_or_else(|| panic!("{what}: {actual} is not a time"));
    assert!((a - expected).abs() < 2 * MINUTE, "{what}: {a} is not about {expected}");
}

async fn petition_item(app: &TestApp, doc: DocId) -> Value {
    let (status, list) = app.api_get(LEADER, "/petitions").await;
    assert_eq!(status, 200);
    list.as_array().unwrap().iter().find(|p| p["doc"] == doc.to_string()).cloned().expect("listed")
}

async fn confirm(app: &TestApp, token: &str, doc: DocId, field: &str, date: i64) -> (u16, Value) {
    app.api_post(token, &format!("/petitions/{doc}/confirm-date"), &json!({ "field": field, "date": date }))
        .await
}

fn claimed(body: &Value) -> Vec<(String, i64)> {
    body["clock_corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["field"].as_str().unwrap().to_string(), c["claimed"].as_i64().unwrap()))
        .collect()
}

fn days_until(due_ms: i64) -> i64 {
    beijing_day(due_ms - 1) - beijing_day(now_ms())
}

async fn a_petition_from_a_phone_three_years_ahead_waits_for_a_leader_to_confirm_its_dates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut staff = petition_staff(&app, 3 * YEAR).await;
    let now = now_ms();
    let phone_now = now + 3 * YEAR;
    let p = petition(&staff, phone_now - 2 * DAY);
    let id = create(&mut staff, |tx| {
        p.write(tx)?;
        pw::decide(tx, true, phone_now - DAY, Some("受理"))
    });
    staff.sync().await.unwrap();
    assert_eq!(staff.outcome(id), Outcome::Ok, "{:?}", staff.rejected);

    // Dated by the phone's offset, marked, and the clock counts from the estimate meanwhile.
    let item = petition_item(&app, id).await;
    let body = &item["body"];
    close_to(&body["received_at"], now - 2 * DAY, "received_at");
    close_to(&body["decision"]["at"], now - DAY, "decision.at");
    close_to(&item["at"], now - 2 * DAY, "the row's date");
    assert_eq!(body["pending_dates"], json!(["received_at", "decision.at"]));
    assert_eq!(body["deadline"]["provisional"], true);
    assert_eq!(body["deadline"]["kind"], "reply");
    assert_eq!(item["days_left"], 59, "60 days from the estimated acceptance");
    assert_eq!(
        claimed(body),
        vec![("received_at".into(), phone_now - 2 * DAY), ("decision.at".into(), phone_now - DAY)]
    );
    assert_eq!(body["request"], "反映移民安置房漏水，要求维修", "what she typed is all there");
    assert_eq!(body["decision"]["note"], "受理");

    // Who may confirm what.
    let (status, _) = confirm(&app, OFFICER, id, "received_at", now - 3 * DAY).await;
    assert_eq!(status, 403, "a village officer does not confirm dates");
    let (status, err) = confirm(&app, LEADER, id, "reply.at", now - DAY).await;
    assert_eq!(status, 400, "nothing waits at reply.at: {err}");
    let (status, _) = confirm(&app, LEADER, id, "received_at", now + 3 * DAY).await;
    assert_eq!(status, 400, "a date in the future");

    // The paper register says the petition came three days ago and was accepted two days ago.
    let (status, err) = confirm(&app, LEADER, id, "received_at", now - 3 * DAY).await;
    assert_eq!(status, 204, "{err}");
    let (status, err) = confirm(&app, LEADER, id, "decision.at", now - 4 * DAY).await;
    assert_eq!(status, 400, "an acceptance before the receipt breaks the clock: {err}");
    let (status, err) = confirm(&app, LEADER, id, "decision.at", now - 2 * DAY).await;
    assert_eq!(status, 204, "{err}");
    let (status, _) = confirm(&app, LEADER, id, "decision.at", now - 2 * DAY).await;
    assert_eq!(status, 400, "confirmed once");

    let item = petition_item(&app, id).await;
    assert_eq!(item["body"]["pending_dates"], json!([]));
    assert_eq!(item["body"]["deadline"]["provisional"], false);
    assert_eq!(item["body"]["received_at"], now - 3 * DAY);
    assert_eq!(item["days_left"], 58, "60 days from the confirmed acceptance");
    assert_eq!(item["days_left"], days_until(item["due_at"].as_i64().unwrap()));
    // The staff's phone gets the confirmed dates, and the claims stay on record.
    staff.sync().await.unwrap();
    let on_phone = read_petition(&staff.docs[&id].doc).unwrap();
    assert_eq!(on_phone.decision.unwrap().at, now - 2 * DAY);
    let leader_id = app.api_get(LEADER, "/session").await.1["user"]["id"].as_str().map(str::to_string);
    assert!(leader_id.is_some());
    assert!(on_phone.clock_corrections.iter().all(|c| c.confirmed_by == leader_id));
    assert_eq!(on_phone.clock_corrections[0].claimed, phone_now - 2 * DAY);
    // Edited after the confirmations: judged as usual.
    staff.edit(id, |tx| pw::reply(tx, now - MINUTE + 3 * YEAR, "已维修"));
    staff.sync().await.unwrap();
    assert_eq!(staff.outcome(id), Outcome::Ok, "{:?}", staff.rejected);
    let item = petition_item(&app, id).await;
    assert_eq!(item["body"]["pending_dates"], json!(["reply.at"]), "the reply's date waits in turn");
    // The projection is rebuilt from the log alone, confirmations and all.
    anlan_server::reproject::reproject(&app.store).await.unwrap();
    assert_eq!(petition_item(&app, id).await, item);
}

async fn a_clock_that_jumps_back_during_an_offline_week_keeps_the_petitions_steps_in_order(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut staff = petition_staff(&app, 0).await;
    let now = now_ms();
    // Six days ago, clock right: a petition. Then the battery ran flat and the clock restarted
    // a year back: yesterday's acceptance and a new petition carry last year's dates.
    let first = petition(&staff, now - 6 * DAY);
    let a = create(&mut staff, |tx| first.write(tx));
    staff.edit(a, |tx| pw::decide(tx, true, now - YEAR - DAY, None));
    let second = petition(&staff, now - YEAR - 2 * DAY);
    let b_id = create(&mut staff, |tx| second.write(tx));
    staff.clock_skew = Some(-YEAR);
    staff.sync().await.unwrap();
    assert!(staff.rejected.is_empty(), "{:?}", staff.rejected);

    // The phone is a year slow at the push: the first receipt would land in the future and is
    // held at the push; the acceptance is not put before it.
    let item = petition_item(&app, a).await;
    close_to(&item["body"]["received_at"], now, "the receipt written before the jump");
    close_to(&item["body"]["decision"]["at"], now, "the acceptance, kept after the receipt");
    assert_eq!(
        claimed(&item["body"]),
        vec![("received_at".into(), now - 6 * DAY), ("decision.at".into(), now - YEAR - DAY)]
    );
    let second_item = petition_item(&app, b_id).await;
    close_to(&second_item["body"]["received_at"], now - 2 * DAY, "written after the jump");
    assert_eq!(second_item["body"]["deadline"]["kind"], "decide");
    assert_eq!(second_item["days_left"], 13, "15 days from the estimated receipt, provisionally");

    // The leader confirms what the register says; the clock counts from there.
    assert_eq!(confirm(&app, LEADER, a, "received_at", now - 6 * DAY).await.0, 204);
    assert_eq!(confirm(&app, LEADER, a, "decision.at", now - DAY).await.0, 204);
    let item = petition_item(&app, a).await;
    assert_eq!(item["days_left"], 59);
    assert_eq!(item["body"]["deadline"]["provisional"], false);
}

async fn a_visit_from_a_phone_a_day_behind_counts_on_the_day_it_happened(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    enrolled_long_ago(&app).await;
    leader.clock_skew = Some(-DAY);
    let now = now_ms();
    let v = Visit {
        schema_version: 1,
        village: PUTOU.into(),
        leader: "陈建国".into(),
        recorded_by: leader.user_id.clone(),
        date: now - DAY,
        people_met: vec!["王大伯".into()],
        cases: vec![],
        resolved: 1,
        notes: "走访移民户".into(),
    };
    create(&mut leader, |tx| v.write(tx));
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.clock_skew = Some(-DAY);
    let mut c = officer.new_case(PUTOU, sync_protocol::case::Severity::General, "邻里宅基地纠纷");
    c.reported_at = now - DAY;
    officer.create(&c);
    leader.sync().await.unwrap();
    officer.sync().await.unwrap();
    assert!(leader.rejected.is_empty() && officer.rejected.is_empty());

    let (_, visits) = app.api_get(LEADER, "/visits").await;
    close_to(&visits[0]["at"], now, "the visit's date");
    assert_eq!(claimed(&visits[0]["body"]), vec![("date".into(), now - DAY)]);
    let day = |ms: i64| {
        let (y, m, d) = sync_protocol::calendar::civil_from_days(beijing_day(ms));
        format!("{y:04}-{m:02}-{d:02}")
    };
    let stats = |d: String| {
        let app = &app;
        async move { app.api_get(LEADER, &format!("/stats?from={d}&to={d}")).await.1["totals"].clone() }
    };
    let today = stats(day(now)).await;
    assert_eq!((today["visits"].as_u64(), today["found"].as_u64()), (Some(1), Some(1)), "{today}");
    let yesterday = stats(day(now - DAY)).await;
    assert_eq!(
        (yesterday["visits"].as_u64(), yesterday["found"].as_u64()),
        (Some(0), Some(0)),
        "{yesterday}"
    );
}

async fn a_phone_ten_minutes_fast_records_a_petition_as_typed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut staff = petition_staff(&app, 10 * MINUTE).await;
    let typed = now_ms() + 9 * MINUTE;
    let p = petition(&staff, typed);
    let id = create(&mut staff, |tx| p.write(tx));
    staff.sync().await.unwrap();
    assert_eq!(staff.outcome(id), Outcome::Ok);
    let item = petition_item(&app, id).await;
    assert_eq!(item["body"]["received_at"], typed);
    assert_eq!(item["body"]["clock_corrections"], json!([]));
    assert_eq!(item["body"]["pending_dates"], json!([]));
    assert_eq!(item["body"]["deadline"]["provisional"], false);
    // A date typed days ahead on a phone whose clock is right is a slip, refused as before.
    let p = petition(&staff, now_ms() + 3 * DAY);
    let ahead = create(&mut staff, |tx| p.write(tx));
    staff.sync().await.unwrap();
    assert_eq!(staff.outcome(ahead), Outcome::Refused(RejectCode::Schema));
}

async fn a_sweep_report_from_a_phone_years_ahead_is_answered_now(b: Backend) {
    let app = TestApp::spawn(b).await;
    let now = now_ms();
    let (status, launched) = app
        .api_post(
            LEADER,
            "/campaigns",
            &json!({ "name": "春节前矛盾纠纷集中排查", "kind": "concentrated",
                "window_start": now - MINUTE, "window_end": now + 2 * DAY, "deadline": now + 2 * DAY }),
        )
        .await;
    assert_eq!(status, 201, "{launched}");
    let campaign = launched["campaign"]["id"].as_str().unwrap().to_string();
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    enrolled_long_ago(&app).await;
    officer.clock_skew = Some(2 * YEAR);
    let id = answer_nil(&mut officer, &campaign, now + 2 * YEAR);
    let me = officer.user_id.clone();
    officer.sync().await.unwrap();
    assert_eq!(officer.outcome(id), Outcome::Ok, "{:?}", officer.rejected);
    officer.sync().await.unwrap();
    let r = read_report(&officer.docs[&id].doc).unwrap();
    assert!((r.nil[&me] - now).abs() < 2 * MINUTE, "the nil report is dated now");
    assert_eq!(r.clock_corrections.len(), 2);
    assert!(r.clock_corrections.iter().all(|c| c.claimed == now + 2 * YEAR));
    // Completeness counts the server's receipt, as it always did: answered, on time.
    let (_, c) = app.api_get(LEADER, &format!("/campaigns/{campaign}/completeness")).await;
    assert_eq!(
        (c["completeness"]["total"]["nil"].as_u64(), c["completeness"]["total"]["late"].as_u64()),
        (Some(1), Some(0)),
        "{c}"
    );
    // The leader's campaign list says the village's report was written with a wrong clock.
    let (_, list) = app.api_get(LEADER, "/campaigns").await;
    let entry =
        list["campaigns"].as_array().unwrap().iter().find(|e| e["campaign"]["id"] == campaign.as_str());
    let report = &entry.expect("the campaign is listed")["reports"][0];
    assert_eq!(
        (report["village"].as_str(), report["clock_corrections"].as_u64()),
        (Some(PUTOU), Some(2)),
        "{list}"
    );
}

async fn a_phone_cannot_write_the_servers_corrections(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut staff = petition_staff(&app, 0).await;
    let p = petition(&staff, now_ms() - DAY);
    let id = create(&mut staff, |tx| {
        p.write(tx)?;
        let log = tx.put_object(ROOT, "clock_corrections", ObjType::List)?;
        let e = tx.insert_object(&log, 0, ObjType::Map)?;
        tx.put(&e, "field", "received_at")?;
        tx.put(&e, "claimed", ScalarValue::Timestamp(1))?;
        tx.put(&e, "corrected", ScalarValue::Timestamp(2))
    });
    staff.sync().await.unwrap();
    assert_eq!(staff.outcome(id), Outcome::Refused(RejectCode::Forbidden));
}

async fn a_petition_dated_before_the_phone_was_enrolled_waits_for_a_leader(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Enrolled just now, clock right: a receipt dated ten days ago cannot have been written on
    // this phone then (a clock since put right, or an old petition entered after the fact).
    let mut staff = app.enrol("staff_n", "petition_staff", TOWNSHIP).await;
    staff.login().await.unwrap();
    staff.clock_skew = Some(0);
    let now = now_ms();
    let p = petition(&staff, now - 10 * DAY);
    let id = create(&mut staff, |tx| p.write(tx));
    staff.sync().await.unwrap();
    assert_eq!(staff.outcome(id), Outcome::Ok, "{:?}", staff.rejected);

    let item = petition_item(&app, id).await;
    close_to(&item["body"]["received_at"], now, "the receipt, held at the push");
    assert_eq!(claimed(&item["body"]), vec![("received_at".into(), now - 10 * DAY)]);
    assert_eq!(item["body"]["pending_dates"], json!(["received_at"]));
    assert_eq!(item["body"]["deadline"]["provisional"], true);
    assert_eq!(item["days_left"], 15, "15 days from the estimate meanwhile");
    assert_eq!(item["body"]["request"], "反映移民安置房漏水，要求维修");

    // The register says ten days ago: the leader confirms it and the clock counts from there.
    let (status, err) = confirm(&app, LEADER, id, "received_at", now - 10 * DAY).await;
    assert_eq!(status, 204, "{err}");
    let item = petition_item(&app, id).await;
    assert_eq!(item["body"]["received_at"], now - 10 * DAY);
    assert_eq!(item["body"]["deadline"]["provisional"], false);
    assert_eq!(item["days_left"], 5);
}

/// Answer "no new disputes" for 埔头村 at `at` on `dev`, starting from the shared genesis.
fn answer_nil(dev: &mut SimDevice, campaign: &str, at: i64) -> DocId {
    let id = report_id(campaign, PUTOU);
    dev.docs.insert(id, Local { doc: genesis_doc(campaign, PUTOU), acked: vec![] });
    let me = dev.user_id.clone();
    dev.edit(id, |tx| {
        let nil = match tx.get(ROOT, "nil")? {
            Some((_, obj)) => obj,
            None => tx.put_object(ROOT, "nil", ObjType::Map)?,
        };
        tx.put(&nil, me.as_str(), ScalarValue::Timestamp(at))?;
        let reporters = tx.get(ROOT, "reporters")?.unwrap().1;
        tx.put(&reporters, me.as_str(), ScalarValue::Timestamp(at))
    });
    id
}

async fn an_answer_written_before_another_phone_pushed_the_report_stands(b: Backend) {
    let app = TestApp::spawn(b).await;
    let now = now_ms();
    let (status, launched) = app
        .api_post(
            LEADER,
            "/campaigns",
            &json!({ "name": "汛期矛盾纠纷排查", "kind": "concentrated",
                "window_start": now - 3 * 3_600_000, "window_end": now + 2 * DAY, "deadline": now + 2 * DAY }),
        )
        .await;
    assert_eq!(status, 201, "{launched}");
    let campaign = launched["campaign"]["id"].as_str().unwrap().to_string();
    let mut team = app.enrol("team_s", "work_team", PUTOU).await;
    team.login().await.unwrap();
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    enrolled_long_ago(&app).await;
    // The work team answered two hours ago, offline; the officer answers now and pushes first.
    let id = answer_nil(&mut team, &campaign, now - 2 * 3_600_000);
    answer_nil(&mut officer, &campaign, now);
    officer.sync().await.unwrap();
    team.sync().await.unwrap();
    assert_eq!((officer.outcome(id), team.outcome(id)), (Outcome::Ok, Outcome::Ok), "{:?}", team.rejected);
    // The report's genesis is every phone's: the team's answer is no edit of a report it had
    // seen, so the officer's push does not bound it. Its time stands.
    team.sync().await.unwrap();
    let r = read_report(&team.docs[&id].doc).unwrap();
    assert_eq!(r.nil[&team.user_id], now - 2 * 3_600_000);
    assert!(r.clock_corrections.is_empty(), "{:?}", r.clock_corrections);
}
