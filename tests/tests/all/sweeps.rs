//! Sweep campaigns and reports over the real sync path: deterministic reports merging, nil vs
//! missing vs late, frozen rosters, half-monthly generation, reminders, and completeness that
//! a phone computes from what it caches equal to the server's.

use crate::sweep_support as support;

use std::time::Duration;

use anlan_server::campaigns::{beijing_date, half_month, period};
use anlan_tests::push_service::PushService;
use anlan_tests::*;
use serde_json::json;
use support::*;
use sync_protocol::sweep::{read_report, write};
use sync_protocol::wire::RejectCode;

on_both_backends!(
    two_officers_reporting_offline_for_one_village_merge_into_one_report,
    nil_missing_and_late_are_counted_apart_and_the_phone_counts_the_same,
    a_report_outside_its_campaign_or_unanswered_or_by_the_wrong_role_is_refused,
    a_village_added_after_the_campaign_started_is_not_counted,
    half_monthly_campaigns_are_generated_once_per_township_and_period,
    a_missing_village_is_reminded_at_most_once_a_day,
    only_the_township_and_above_launch_campaigns_within_their_jurisdiction,
);

async fn two_officers_reporting_offline_for_one_village_merge_into_one_report(b: Backend) {
    let app = TestApp::spawn(b).await;
    let campaign = launch(&app, COUNTY, json!({ "townships": [CAOYUAN] })).await;
    let mut first = app.device(OFFICER);
    first.login().await.unwrap();
    let mut second = app.enrol("u_second", "village_officer", PUTOU).await;
    second.login().await.unwrap();

    // Both offline: each builds the same genesis and lists a different case.
    let case_a = first.create(&first.new_case(PUTOU, sync_protocol::case::Severity::Major, "宅基地边界纠纷"));
    let id = report(&mut first, &campaign, PUTOU, |tx, me| write::add_found(tx, &case_a.to_string(), me, 1));
    let case_b = sync_protocol::DocId::random().to_string();
    let same = report(&mut second, &campaign, PUTOU, |tx, me| write::add_found(tx, &case_b, me, 2));
    assert_eq!(id, same);
    first.sync().await.unwrap();
    second.sync().await.unwrap();
    assert!(
        first.rejected.is_empty() && second.rejected.is_empty(),
        "{:?} {:?}",
        first.rejected,
        second.rejected
    );

    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    let merged = read_report(&leader.docs[&id].doc).unwrap();
    assert_eq!(merged.found.len(), 2, "one report with both cases");
    assert!(merged.found.contains_key(&case_a.to_string()) && merged.found.contains_key(&case_b));
    assert_eq!(app.store.doc_ids("sweep_report").await.unwrap(), vec![id]);
    let c = completeness(&app, LEADER, &campaign).await;
    assert_eq!(
        c["completeness"]["total"],
        json!({"code": "", "villages": 2, "reported": 1, "nil": 0, "missing": 1, "late": 0})
    );
}

async fn nil_missing_and_late_are_counted_apart_and_the_phone_counts_the_same(b: Backend) {
    let app = TestApp::spawn(b).await;
    let open = launch(&app, COUNTY, json!({ "townships": [CAOYUAN, GONGCHUAN] })).await;
    let now = anlan_server::store::now_ms();
    let closed = launch(
        &app,
        COUNTY,
        json!({ "townships": [CAOYUAN], "window_start": now - 3 * DAY, "window_end": now - DAY, "deadline": now - DAY }),
    )
    .await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    report(&mut officer, &open, PUTOU, |tx, me| write::add_nil(tx, me, 1));
    let case = sync_protocol::DocId::random().to_string();
    report(&mut officer, &closed, PUTOU, |tx, me| write::add_found(tx, &case, me, 1));
    officer.sync().await.unwrap();
    assert!(officer.rejected.is_empty(), "a late report is accepted: {:?}", officer.rejected);

    let c = completeness(&app, COUNTY, &open).await["completeness"].clone();
    assert_eq!(
        c["total"],
        json!({"code": "", "villages": 4, "reported": 0, "nil": 1, "missing": 3, "late": 0})
    );
    assert_eq!(c["townships"][0]["nil"], 1);
    assert_eq!(c["townships"][1]["missing"], 2);
    let c = completeness(&app, LEADER, &closed).await["completeness"].clone();
    assert_eq!(
        c["total"],
        json!({"code": "", "villages": 2, "reported": 1, "nil": 0, "missing": 1, "late": 1})
    );
    let putou = c["villages"].as_array().unwrap().iter().find(|v| v["code"] == PUTOU).unwrap().clone();
    assert_eq!(putou, json!({"code": PUTOU, "township": CAOYUAN, "answer": "reported", "late": true}));

    // A leader's phone computes completeness from the campaign list it cached: the same numbers.
    for token in [LEADER, COUNTY] {
        for id in [&open, &closed] {
            let server = completeness(&app, token, id).await;
            assert_eq!(phone_completeness(&app, token, id).await, server["completeness"], "{token} {id}");
        }
    }
}

async fn a_report_outside_its_campaign_or_unanswered_or_by_the_wrong_role_is_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let gongchuan_only = launch(&app, COUNTY, json!({ "townships": [GONGCHUAN] })).await;
    let mine = launch(&app, LEADER, json!({})).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let nowhere = report(&mut officer, "no-such-campaign", PUTOU, |tx, me| write::add_nil(tx, me, 1));
    let not_listed = report(&mut officer, &gongchuan_only, PUTOU, |tx, me| write::add_nil(tx, me, 1));
    let unanswered = report(&mut officer, &mine, PUTOU, |tx, _| write::append_notes(tx, "还没走完"));
    officer.sync().await.unwrap();
    let reason = |id| officer.rejected.get(&id).cloned().expect("refused");
    assert_eq!(reason(nowhere).code, RejectCode::Schema);
    assert!(reason(nowhere).message.contains("no sweep campaign no-such-campaign"), "{:?}", reason(nowhere));
    assert!(
        reason(not_listed).message.contains("does not include village 350481101201"),
        "{:?}",
        reason(not_listed)
    );
    assert!(reason(unanswered).message.contains("无新增矛盾纠纷"), "{:?}", reason(unanswered));

    let mut guide = app.enrol("u_guide", "opinion_guide", PUTOU).await;
    guide.login().await.unwrap();
    let id = report(&mut guide, &mine, PUTOU, |tx, me| write::add_nil(tx, me, 1));
    guide.sync().await.unwrap();
    assert_eq!(guide.rejected[&id].code, RejectCode::Forbidden);

    // Once stored, an answer stays: taking the nil back is refused.
    let id = report(&mut officer, &mine, PUTOU, |tx, me| write::add_nil(tx, me, 1));
    officer.rejected.clear();
    officer.sync().await.unwrap();
    assert!(!officer.rejected.contains_key(&id), "{:?}", officer.rejected);
    officer.edit(id, |tx| {
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        let (_, nil) = tx.get(automerge::ROOT, "nil")?.unwrap();
        tx.delete(&nil, "u_demo_officer")
    });
    officer.sync().await.unwrap();
    assert_eq!(officer.rejected[&id].code, RejectCode::Schema, "{:?}", officer.rejected[&id]);
}

async fn a_village_added_after_the_campaign_started_is_not_counted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let campaign = launch(&app, LEADER, json!({})).await;
    app.store.create_unit("350481101209", "新建村", "village", Some(CAOYUAN)).await.unwrap();
    let mut newcomer = app.enrol("u_new", "village_officer", "350481101209").await;
    newcomer.login().await.unwrap();
    let id = report(&mut newcomer, &campaign, "350481101209", |tx, me| write::add_nil(tx, me, 1));
    newcomer.sync().await.unwrap();
    assert!(newcomer.rejected[&id].message.contains("does not include"), "{:?}", newcomer.rejected);
    let c = completeness(&app, LEADER, &campaign).await;
    assert_eq!(c["completeness"]["total"]["villages"], 2, "the roster frozen at the start counts");
    // A campaign launched now includes it.
    let later = launch(&app, LEADER, json!({})).await;
    assert_eq!(completeness(&app, LEADER, &later).await["completeness"]["total"]["villages"], 3);
}

async fn half_monthly_campaigns_are_generated_once_per_township_and_period(b: Backend) {
    let db = TestDb::new(b).await;
    let app = TestApp::spawn_with(db, |c| c.campaign_tick = Duration::from_millis(100)).await;
    let key = half_month(anlan_server::store::now_ms()).key;
    let id = format!("hm-{CAOYUAN}-{key}");
    let c = wait_for(|| async { completeness_status(&app, LEADER, &id).await == 200 }).await;
    assert!(c, "the tick generated this half-month's campaign");
    let body = completeness(&app, LEADER, &id).await;
    assert_eq!(body["campaign"]["kind"], "half_monthly");
    assert_eq!(body["completeness"]["total"]["villages"], 2);
    // Running the generator again, here or on another replica, makes nothing new.
    let now = anlan_server::store::now_ms();
    assert_eq!(anlan_server::campaigns::generate_half_monthly(&app.store, now).await.unwrap(), 0);
    // The next half-month is another campaign for every township.
    let next = half_month(now).end;
    let made = anlan_server::campaigns::generate_half_monthly(&app.store, next).await.unwrap();
    let townships = app.store.units().await.unwrap().iter().filter(|u| u.kind == "township").count();
    assert_eq!(made, townships);
    assert_eq!(anlan_server::campaigns::generate_half_monthly(&app.store, next + 1000).await.unwrap(), 0);
    let id = format!("hm-{CAOYUAN}-{}", half_month(next).key);
    assert_eq!(completeness(&app, LEADER, &id).await["campaign"]["window_start"], next);
}

async fn a_missing_village_is_reminded_at_most_once_a_day(b: Backend) {
    let db = TestDb::new(b).await;
    let app = TestApp::spawn_with(db, |c| c.campaign_tick = Duration::from_millis(100)).await;
    let push = PushService::spawn().await;
    let officer_sub = app.subscribe_push(&push, OFFICER).await;
    let now = anlan_server::store::now_ms();
    let campaign = launch(
        &app,
        COUNTY,
        json!({ "townships": [CAOYUAN], "deadline": now + DAY, "window_end": now + DAY }),
    )
    .await;
    // Open in a second, so the officer answers it before any tick can see it open.
    let answered = launch(
        &app,
        COUNTY,
        json!({ "townships": [CAOYUAN], "window_start": now + 1000, "deadline": now + DAY, "window_end": now + DAY }),
    )
    .await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    report(&mut officer, &answered, PUTOU, |tx, me| write::add_nil(tx, me, 1));
    officer.sync().await.unwrap();

    let mine = |push: &PushService| {
        push.messages_for(&officer_sub)
            .into_iter()
            .filter(|m| m.json()["campaign"] == campaign.as_str())
            .count()
    };
    assert!(wait_for(|| async { mine(&push) == 1 }).await, "the missing village's officer is reminded");
    // Several more ticks, with the answered campaign open for some of them.
    let opened = now + 1600 - anlan_server::store::now_ms();
    tokio::time::sleep(Duration::from_millis(opened.max(600) as u64)).await;
    assert_eq!(mine(&push), 1, "once a day");
    let msg = push
        .messages_for(&officer_sub)
        .into_iter()
        .find(|m| m.json()["campaign"] == campaign.as_str())
        .unwrap();
    assert_eq!(msg.json()["kind"], "sweep_reminder");
    assert_eq!(msg.json()["village"], PUTOU);
    let any_for_answered =
        push.messages_for(&officer_sub).iter().any(|m| m.json()["campaign"] == answered.as_str());
    assert!(!any_for_answered, "a village that answered is not reminded");

    let log = get(&app, LEADER, &format!("/api/v1/campaigns/{campaign}/reminders")).await;
    // 曹远村 has no officer: its reminder is logged as reaching nobody.
    let rows: Vec<_> =
        log["reminders"].as_array().unwrap().iter().filter(|r| r["village"] == PUTOU).collect();
    assert_eq!(rows.len(), 1, "{log}");
    assert_eq!(rows[0]["user_id"], "u_demo_officer");
    assert_eq!(rows[0]["state"], "sent");
    assert_eq!(rows[0]["day"], beijing_date(now));
    // Tomorrow (Beijing date) it may be reminded again; today never twice.
    let tomorrow = beijing_date(now + DAY);
    let again = app.store.claim_sweep_reminders(now, &tomorrow, 3 * DAY, 1000).await.unwrap();
    assert_eq!(again.iter().filter(|d| reminds_campaign(d, &campaign)).count(), 1);
    let today = app.store.claim_sweep_reminders(now, &beijing_date(now), 3 * DAY, 1000).await.unwrap();
    assert!(today.iter().all(|d| !reminds_campaign(d, &campaign)));
    assert_eq!(get_status(&app, OFFICER, &format!("/api/v1/campaigns/{campaign}/reminders")).await, 403);
}

async fn only_the_township_and_above_launch_campaigns_within_their_jurisdiction(b: Backend) {
    let app = TestApp::spawn(b).await;
    let post = |token: &'static str, body: serde_json::Value| {
        let url = format!("{}/api/v1/campaigns", app.url);
        async move { reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap() }
    };
    let res = post(OFFICER, campaign_body(json!({}))).await;
    assert_eq!(res.status(), 403);
    let res = post(LEADER, campaign_body(json!({ "townships": [GONGCHUAN] }))).await;
    assert_eq!(res.status(), 403, "a township sweeps itself only");
    let res = post(COUNTY, campaign_body(json!({ "townships": ["350427101"] }))).await;
    assert_eq!(res.status(), 400, "沙县's township is not 永安市's");
    let res = post(COUNTY, campaign_body(json!({ "kind": "half_monthly" }))).await;
    assert_eq!(res.status(), 400);
    let res = post(COUNTY, campaign_body(json!({ "focus": ["no_such_category"] }))).await;
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = post(COUNTY, campaign_body(json!({}))).await.json().await.unwrap();
    assert_eq!(body["villages"].as_array().unwrap().len(), 4, "all of the county's villages");
    // Each device lists the campaigns covering its scope, with its part of the roster.
    let id = body["campaign"]["id"].as_str().unwrap();
    let listed = get(&app, OFFICER, "/api/v1/campaigns").await;
    let c =
        listed["campaigns"].as_array().unwrap().iter().find(|c| c["campaign"]["id"] == id).unwrap().clone();
    assert_eq!(
        c["villages"],
        json!([{"code": PUTOU, "name": "埔头村", "township": CAOYUAN, "township_name": "曹远镇", "county": "350481"}])
    );
    let mut outsider = app.enrol("u_taining", "county_admin", "350429").await;
    outsider.login().await.unwrap();
    assert_eq!(completeness_status(&app, &outsider.token, id).await, 404);
}

/// Unix ms of a Beijing wall-clock time.
fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    let utc = chrono_free_days(y, m, d) * DAY + i64::from(h) * 3_600_000 + i64::from(min) * 60_000;
    utc - 8 * 3_600_000
}

/// Days since 1970-01-01 by counting, independent of the generator's own arithmetic.
fn chrono_free_days(y: i32, m: u32, d: u32) -> i64 {
    let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = |y: i32, m: u32| match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let mut days: i64 = (1970..y).map(|y| if leap(y) { 366 } else { 365 }).sum();
    days += (1..m).map(|m| month_days(y, m)).sum::<i64>();
    days + i64::from(d) - 1
}

#[test]
fn the_second_half_of_february_in_a_leap_year_ends_on_the_29th() {
    let p = half_month(beijing(2028, 2, 20, 9, 0));
    assert_eq!(p.key, "2028-02-2");
    assert_eq!(p.start, beijing(2028, 2, 16, 0, 0));
    assert_eq!(p.end, beijing(2028, 3, 1, 0, 0));
    assert_eq!(beijing_date(p.deadline), "2028-02-29");
    assert_eq!(p.deadline, beijing(2028, 3, 1, 0, 0) - 1);
    assert_eq!(beijing_date(half_month(beijing(2026, 2, 20, 9, 0)).deadline), "2026-02-28");
    assert_eq!(beijing_date(half_month(beijing(2100, 2, 20, 9, 0)).deadline), "2100-02-28");
    assert_eq!(beijing_date(half_month(beijing(2000, 2, 20, 9, 0)).deadline), "2000-02-29");
}

#[test]
fn thirty_one_day_months_and_the_year_end_close_on_their_last_day() {
    for (y, m, last) in
        [(2026, 1, 31), (2026, 3, 31), (2026, 7, 31), (2026, 8, 31), (2026, 12, 31), (2026, 4, 30)]
    {
        let p = half_month(beijing(y, m, last, 23, 59));
        assert_eq!(p.key, format!("{y}-{m:02}-2"));
        assert_eq!(beijing_date(p.deadline), format!("{y}-{m:02}-{last}"));
        let next = half_month(p.end);
        assert_eq!(next.half, 1);
        assert_eq!(next.start, p.end, "the halves tile the calendar");
    }
    assert_eq!(half_month(beijing(2026, 12, 31, 23, 59)).end, beijing(2027, 1, 1, 0, 0));
    assert_eq!(half_month(beijing(2027, 1, 1, 0, 0)).key, "2027-01-1");
}

#[test]
fn the_halves_turn_at_midnight_beijing_time_not_utc() {
    // 2026-11-16 00:00 in Beijing is still the 15th in UTC.
    let turn = beijing(2026, 11, 16, 0, 0);
    assert_eq!(half_month(turn - 1).key, "2026-11-1");
    assert_eq!(half_month(turn - 1).deadline, turn - 1);
    assert_eq!(half_month(turn).key, "2026-11-2");
    assert_eq!(period::label(&half_month(turn)), "2026年11月下半月定期排查");
    assert_eq!(half_month(beijing(2026, 11, 1, 0, 0)).start, beijing(2026, 11, 1, 0, 0));
}
