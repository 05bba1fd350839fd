//! The delivery plan end to end: Web Push first, the SMS when it does not reach a leader in
//! time, the township's group robot for urgent cases, and acknowledging from the SMS link —
//! against the local push service and the fake SMS gateway and robots on loopback.

use std::time::{Duration, Instant};

use anlan_tests::providers::{Answer, Providers};
use anlan_tests::push_service::{Outage, PushService};
use anlan_tests::*;
use serde_json::json;
use sync_protocol::DocId;
use sync_protocol::case::{Severity, Status};

const WAIT: Duration = Duration::from_secs(10);
const LEADER_PHONE: &str = "13900000002";
const COUNTY_PHONE: &str = "13900000003";
const CAOYUAN: &str = "350481101";

on_both_backends!(
    a_leader_without_push_gets_the_sms_at_once_and_the_township_group_hears_once,
    a_leader_whose_push_service_is_down_gets_the_sms_after_the_wait_and_none_once_acknowledged,
    acknowledging_by_the_sms_link_stops_the_climb_to_the_county_and_the_link_works_once,
    a_link_cannot_be_guessed_used_after_a_day_or_by_someone_who_left,
    the_hourly_cap_and_the_daily_budget_hold_and_show_in_the_log_and_metrics,
    a_server_stopped_mid_send_sends_each_message_once_after_restart,
    a_leader_who_turns_sms_off_gets_none_and_bad_settings_are_refused,
    quiet_hours_hold_back_a_non_urgent_sms_but_not_someone_elses,
);

async fn spawn(
    b: Backend,
    p: &Providers,
    robots: &[&str],
    f: impl FnOnce(&mut anlan_server::Config),
) -> TestApp {
    let settings = p.server_settings(robots);
    TestApp::spawn_with(TestDb::new(b).await, |c| {
        c.channel_settings = Some(settings);
        f(c)
    })
    .await
}

/// A new urgent case from the demo officer, synced: the officer and the case.
async fn urgent_case(app: &TestApp, title: &str) -> (SimDevice, DocId) {
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, title));
    officer.sync().await.unwrap();
    (officer, id)
}

/// The acknowledgement link in an SMS.
fn link_in(text: &str) -> String {
    let at = text.find("http").unwrap_or_else(|| panic!("no link in {text:?}"));
    text[at..].to_owned()
}

/// The log rows of `channel`.
fn rows<'a>(log: &'a serde_json::Value, channel: &str) -> Vec<&'a serde_json::Value> {
    log.as_array().unwrap().iter().filter(|r| r["channel"] == channel).collect()
}

async fn wait_for_state(app: &TestApp, doc: DocId, channel: &str, state: &str) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let log = app.alert_log(COUNTY, doc).await;
        if rows(&log, channel).iter().any(|r| r["state"] == state) || started.elapsed() > WAIT {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_leader_without_push_gets_the_sms_at_once_and_the_township_group_hears_once(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, &[CAOYUAN], |c| c.sms_after = Duration::from_secs(600)).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "有人扬言到镇政府聚集"));
    // The first answer is lost and the sync resent: still one message per channel.
    officer.sync_once(true).await.unwrap();
    officer.sync().await.unwrap();
    let case_no = officer.case(id).case_no.unwrap();

    let sms = p.wait_for_sms(LEADER_PHONE, 1, WAIT).await;
    assert_eq!(sms.len(), 1, "no push subscription: the SMS goes at once, not after 10 minutes");
    assert!(sms[0].starts_with(&format!("【安澜】{case_no}{}/a/", app.url)), "{}", sms[0]);
    assert!(!sms[0].contains("扬言"), "the title never goes by SMS: {}", sms[0]);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let robots = p.robot_messages();
    assert_eq!(robots.len(), 1, "the township's group hears once");
    let said = robots[0].body["text"]["content"].as_str().unwrap();
    assert!(said.contains(&case_no) && said.contains("曹远镇") && said.contains("紧急案件"), "{said}");
    assert_eq!(p.sms().len(), 1, "the county is not told before the case climbs");

    let log = app.alert_log(LEADER, id).await;
    assert_eq!(rows(&log, "web_push")[0]["state"], "unreachable");
    let sms_row = rows(&log, "http_sms")[0];
    assert_eq!(
        (sms_row["state"].as_str(), sms_row["user_id"].as_str()),
        (Some("sent"), Some("u_demo_leader"))
    );
    let robot = rows(&log, "wecom_robot")[0];
    assert_eq!((robot["state"].as_str(), robot["user_name"].as_str()), (Some("sent"), Some("曹远镇")));
    let metrics = app.metrics().await;
    assert!(metrics.contains("anlan_channel_sends_total{channel=\"http_sms\"} 1"), "{metrics}");
    assert!(metrics.contains("anlan_channel_cost_units_total{channel=\"http_sms\"} 1"), "{metrics}");
}

async fn a_leader_whose_push_service_is_down_gets_the_sms_after_the_wait_and_none_once_acknowledged(
    b: Backend,
) {
    let p = Providers::spawn().await;
    let wait = Duration::from_millis(1_500);
    let app = spawn(b, &p, &[], |c| c.sms_after = wait).await;
    let push = PushService::spawn().await;
    let leader_sub = app.subscribe_push(&push, LEADER).await;

    // The push service is down: the alert cannot arrive, so the SMS follows after the wait.
    push.go_down(Outage::Refused).await;
    let started = Instant::now();
    let (_, down) = urgent_case(&app, "推送服务中断").await;
    let sms = p.wait_for_sms(LEADER_PHONE, 1, WAIT).await;
    let took = started.elapsed();
    assert_eq!(sms.len(), 1);
    assert!(took >= wait, "the SMS waited for Web Push: {took:?}");
    assert!(took < wait + Duration::from_secs(3), "and not much longer: {took:?}");
    let log = app.alert_log(LEADER, down).await;
    assert_eq!(rows(&log, "web_push")[0]["state"], "queued", "the push is still being retried");

    // The push arrives and the leader acknowledges in the app before the wait is over.
    push.come_back().await;
    push.wait_for_delivered(1, WAIT).await; // the first case's push, retried
    let before = push.messages_for(&leader_sub).iter().filter(|m| m.delivered()).count();
    let (_, acked) = urgent_case(&app, "及时知悉").await;
    push.wait_for_delivered(before + 1, WAIT).await;
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    leader.set_status(acked, Status::Acknowledged);
    leader.sync().await.unwrap();
    tokio::time::sleep(wait + Duration::from_secs(1)).await;
    assert_eq!(
        p.wait_for_sms(LEADER_PHONE, 2, Duration::ZERO).await.len(),
        1,
        "no SMS after the acknowledgement"
    );
    let log = wait_for_state(&app, acked, "http_sms", "skipped").await;
    let sms_row = rows(&log, "http_sms")[0];
    assert_eq!(sms_row["state"], "skipped", "{log}");
    assert_eq!(sms_row["acknowledged_via"], "app");
}

async fn acknowledging_by_the_sms_link_stops_the_climb_to_the_county_and_the_link_works_once(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, &[], |c| c.escalate_after = Duration::from_millis(2_500)).await;
    let (_, id) = urgent_case(&app, "短信知悉").await;
    let sms = p.wait_for_sms(LEADER_PHONE, 1, WAIT).await;
    let link = link_in(&sms[0]);

    // Opening the link (as a messenger's link preview would) acknowledges nothing.
    let (status, page) = app.open_link(&link, false).await;
    assert_eq!(status, 200);
    assert!(page.contains("已知悉") && page.contains("<form method=\"post\""), "{page}");
    assert!(page.contains("width=device-width") && page.contains("lang=\"zh-CN\""));
    assert!(page.contains("紧急案件") && !page.contains("短信知悉"), "what the SMS said, no title: {page}");
    assert_eq!(app.case_json(COUNTY, id).await["status"], "reported");

    let (status, page) = app.open_link(&link, true).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已记录您知悉此事") && page.contains(&format!("/#/case/{id}")), "{page}");
    let case = app.case_json(COUNTY, id).await;
    assert_eq!(case["status"], "acknowledged");
    let t = case["transitions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (t["by"].as_str(), t["note"].as_str()),
        (Some("u_demo_leader"), Some("经短信链接知悉")),
        "{t}"
    );

    // Phones receive the server's sealed change like any other.
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert_eq!(leader.case(id).status, Status::Acknowledged);

    // Well past the escalation time: the county hears nothing.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(p.wait_for_sms(COUNTY_PHONE, 1, Duration::ZERO).await.is_empty(), "the climb stopped");
    let log = app.alert_log(COUNTY, id).await;
    assert!(log.as_array().unwrap().iter().all(|r| r["level"] == "township"), "{log}");
    let sms_row = rows(&log, "http_sms")[0];
    assert_eq!(
        (sms_row["acknowledged_by"].as_str(), sms_row["acknowledged_via"].as_str()),
        (Some("陈建国"), Some("sms_link"))
    );

    // Used once: both pressing again and opening it again get a clean refusal.
    let (status, page) = app.open_link(&link, true).await;
    assert_eq!(status, 410);
    assert!(page.contains("已使用") && !page.contains("<form"), "{page}");
    assert_eq!(app.open_link(&link, false).await.0, 410);
}

async fn a_link_cannot_be_guessed_used_after_a_day_or_by_someone_who_left(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, &[], |_| {}).await;
    let (_, first) = urgent_case(&app, "过期").await;
    let link = link_in(&p.wait_for_sms(LEADER_PHONE, 1, WAIT).await[0]);

    // Guessed: another code of the right shape, a mangled one, the bare path.
    let guessed = format!("{}/a/{}", app.url, "A".repeat(22));
    for wrong in [guessed.as_str(), &link[..link.len() - 1], &format!("{}/a/", app.url)] {
        let (status, page) = app.open_link(wrong, true).await;
        assert!(status == 404 || status == 405, "{wrong}: {status}");
        assert!(!page.contains("已记录"), "{page}");
    }

    // A day later the link has expired.
    app.store.expire_ack_links(first, anlan_server::store::now_ms() - 1).await.unwrap();
    let (status, page) = app.open_link(&link, true).await;
    assert_eq!(status, 410);
    assert!(page.contains("已过期"), "{page}");
    assert_eq!(app.case_json(COUNTY, first).await["status"], "reported");

    // Bound to its person: once they have left, nobody acknowledges in their name.
    let (_, second) = urgent_case(&app, "离任").await;
    let link = link_in(&p.wait_for_sms(LEADER_PHONE, 2, WAIT).await[1]);
    app.store.deactivate_user("u_demo_leader").await.unwrap();
    let (status, page) = app.open_link(&link, true).await;
    assert_eq!(status, 404, "{page}");
    assert_eq!(app.case_json(COUNTY, second).await["status"], "reported");
}

async fn the_hourly_cap_and_the_daily_budget_hold_and_show_in_the_log_and_metrics(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, &[], |c| {
        c.sms_per_person_hour = 2;
        c.sms_daily_budget = 3;
    })
    .await;
    app.enrol("u_deputy", "township_leader", CAOYUAN).await;
    app.store.set_phone_if_missing("u_deputy", "13900000009").await.unwrap();
    let mut cases = Vec::new();
    for n in 0..3 {
        cases.push(urgent_case(&app, &format!("第{n}件")).await.1);
    }
    // Three cases × two leaders = six SMS due; the budget allows three, two per person.
    let started = Instant::now();
    while p.sms().len() < 3 && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let sent = p.sms();
    assert_eq!(sent.len(), 3, "the daily budget: {sent:?}");
    for phone in [LEADER_PHONE, "13900000009"] {
        assert!(sent.iter().filter(|(to, _)| to == phone).count() <= 2, "the hourly cap for {phone}");
    }
    let mut held = Vec::new();
    for id in &cases {
        let log = app.alert_log(COUNTY, *id).await;
        held.extend(rows(&log, "http_sms").iter().map(|r| r["state"].as_str().unwrap().to_owned()));
    }
    held.sort();
    let withheld = held.iter().filter(|s| *s == "capped" || *s == "over_budget").count();
    assert_eq!((held.len(), withheld), (6, 3), "{held:?}");
    let metrics = app.metrics().await;
    let count = |name: &str| -> u64 {
        metrics.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).unwrap().parse().unwrap()
    };
    assert_eq!(count("anlan_sms_capped_total") + count("anlan_sms_over_budget_total"), 3, "{metrics}");
}

async fn a_server_stopped_mid_send_sends_each_message_once_after_restart(b: Backend) {
    let p = Providers::spawn().await;
    let settings = p.server_settings(&[CAOYUAN]);
    let configure = |s: std::collections::HashMap<String, String>| {
        move |c: &mut anlan_server::Config| {
            c.channel_settings = Some(s);
            c.sms_after = Duration::from_millis(1_500);
        }
    };
    let app = TestApp::spawn_with(TestDb::new(b).await, configure(settings.clone())).await;
    let push = PushService::spawn().await;
    app.subscribe_push(&push, LEADER).await;
    push.go_down(Outage::Refused).await;
    let (_, id) = urgent_case(&app, "重启").await;
    wait_for_state(&app, id, "wecom_robot", "sent").await;
    let db = app.stop().await;

    // The SMS came due while the server was away; a worker claimed it and died mid-send.
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    let store = anlan_server::store::SqlStore::connect(&db.url).await.unwrap();
    let claimed = store.claim_deliveries(32, 400).await.unwrap();
    assert!(claimed.iter().any(|d| d.channel == "http_sms"), "{claimed:?}");
    store.close().await;

    let app = TestApp::spawn_with(db, configure(settings)).await;
    let sms = p.wait_for_sms(LEADER_PHONE, 1, WAIT).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(p.sms().len(), 1, "the SMS went once, after the dead claim lapsed: {sms:?}");
    assert_eq!(p.robot_messages().len(), 1, "the robot's message was not repeated");
    let log = app.alert_log(COUNTY, id).await;
    assert_eq!(rows(&log, "http_sms")[0]["state"], "sent");
}

async fn a_leader_who_turns_sms_off_gets_none_and_bad_settings_are_refused(b: Backend) {
    let p = Providers::spawn().await;
    let app = spawn(b, &p, &[], |_| {}).await;
    let (status, mine) = app.put_json(LEADER, "/me/alert-channels", json!({ "sms": false })).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["effective"]["sms"], false);
    assert_eq!(mine["sms_configured"], true);
    assert_eq!(mine["phone_on_roster"], true);

    // The county sets quiet hours for its units; the leader's own choice stands beside it.
    let (status, unit) = app
        .put_json(
            COUNTY,
            &format!("/admin/units/{CAOYUAN}/alert-defaults"),
            json!({ "quiet_from": 22, "quiet_to": 7 }),
        )
        .await;
    assert_eq!(status, 200, "{unit}");
    let (status, refused) =
        app.put_json(LEADER, &format!("/admin/units/{CAOYUAN}/alert-defaults"), json!({ "sms": true })).await;
    assert_eq!(status, 403, "{refused}");
    for bad in [
        json!({ "quiet_from": 22 }),
        json!({ "quiet_from": 25, "quiet_to": 7 }),
        json!({ "sms": "yes" }),
        json!({ "colour": 1 }),
    ] {
        let (status, err) = app.put_json(LEADER, "/me/alert-channels", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {err}");
        assert!(err["error"].is_string() || err["message"].is_string(), "a JSON error: {err}");
    }
    let (_, mine) = app.put_json(LEADER, "/me/alert-channels", json!({ "sms": false })).await;
    assert_eq!(mine["effective"]["quiet"], json!({ "from": 22, "to": 7 }), "{mine}");

    let (_, id) = urgent_case(&app, "不要短信").await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(p.sms().is_empty(), "SMS turned off: {:?}", p.sms());
    let log = app.alert_log(COUNTY, id).await;
    assert!(rows(&log, "http_sms").is_empty(), "{log}");

    // A permanent provider error is logged with its reason, not retried.
    app.put_json(LEADER, "/me/alert-channels", json!({ "sms": true })).await;
    p.script(&[Answer::Permanent]);
    let (_, failed) = urgent_case(&app, "号码无效").await;
    let log = wait_for_state(&app, failed, "http_sms", "failed").await;
    let row = rows(&log, "http_sms")[0];
    assert_eq!(row["state"], "failed", "{log}");
    assert!(row["last_error"].as_str().unwrap().contains("400"), "{row}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(p.received().iter().filter(|r| r.provider == "gateway").count(), 1);
}

async fn quiet_hours_hold_back_a_non_urgent_sms_but_not_someone_elses(b: Backend) {
    use automerge::transaction::Transactable;
    use sync_protocol::calendar::beijing_day;
    use sync_protocol::rules::overdue::deadline_of_day;

    let p = Providers::spawn().await;
    let app = spawn(b, &p, &[], |_| {}).await;
    // The leader's quiet hours cover now (Beijing time); the officer has none.
    let hour = (anlan_server::store::now_ms() / 3_600_000 + 8).rem_euclid(24);
    let quiet = json!({ "quiet_from": hour, "quiet_to": (hour + 2) % 24 });
    assert_eq!(app.put_json(LEADER, "/me/alert-channels", quiet).await.0, 200);

    // A major case, assigned, two days past its deadline: an overdue reminder (not urgent) to
    // the responsible leader and the handler, neither of whom has a phone with push.
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Major, "逾期未化解"));
    officer.sync().await.unwrap();
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    let deadline = deadline_of_day(beijing_day(anlan_server::store::now_ms()) - 2);
    leader.edit(id, |tx| {
        tx.put(automerge::ROOT, "responsible_leader", "u_demo_leader")?;
        tx.put(automerge::ROOT, "handler", "u_demo_officer")?;
        tx.put(automerge::ROOT, "deadline", automerge::ScalarValue::Timestamp(deadline))
    });
    leader.sync().await.unwrap();

    let officer_sms = p.wait_for_sms("13900000001", 1, WAIT).await;
    assert_eq!(officer_sms.len(), 1, "no quiet hours: the reminder goes by SMS at once");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        p.wait_for_sms(LEADER_PHONE, 1, Duration::ZERO).await.is_empty(),
        "held until the quiet hours end"
    );
    let log = app.alert_log(COUNTY, id).await;
    let held = rows(&log, "http_sms").into_iter().find(|r| r["user_id"] == "u_demo_leader").unwrap().clone();
    assert_eq!(
        (held["state"].as_str(), held["last_error"].as_str()),
        (Some("queued"), Some("quiet hours")),
        "{log}"
    );
    assert_eq!(held["kind"], "overdue");
}
