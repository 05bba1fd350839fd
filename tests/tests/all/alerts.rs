//! Urgent alerts end to end: a simulated officer's urgent case, the server's outbox worker, and
//! a local RFC 8030 push service that decrypts every message with the subscriber's key and
//! verifies its VAPID signature.

use std::time::{Duration, Instant};

use anlan_tests::push_service::{Outage, PushService, Reply, TestSubscription};
use anlan_tests::*;
use sync_protocol::DocId;
use sync_protocol::case::{Severity, Status};

const WAIT: Duration = Duration::from_secs(10);

async fn urgent_case(app: &TestApp, title: &str) -> (SimDevice, DocId) {
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, title));
    (officer, id)
}

on_both_backends!(
    an_urgent_case_recorded_offline_reaches_the_township_leader_once,
    an_unacknowledged_alert_climbs_to_county_and_city_and_acknowledging_stops_it,
    a_gone_subscription_is_deleted_and_a_busy_service_is_retried_after_it_says,
    alerts_wait_out_a_push_service_outage_and_arrive_once,
    the_commit_that_queues_an_alert_wakes_the_worker_long_before_its_tick,
);

async fn an_urgent_case_recorded_offline_reaches_the_township_leader_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let leader = app.subscribe_push(&push, LEADER).await;
    let (mut officer, id) = urgent_case(&app, "有人扬言到镇政府聚集").await;

    // The first sync's answer is lost; the resend must not alert twice.
    officer.sync_once(true).await.unwrap();
    officer.sync().await.unwrap();
    let got = push.wait_for_delivered(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.messages_for(&leader).len(), 1, "exactly one alert");

    let m = &got[0];
    let p = m.json();
    assert_eq!(p["kind"], "urgent");
    assert_eq!(p["doc_id"], id.to_string());
    assert_eq!(p["case_no"], officer.case(id).case_no.unwrap().as_str());
    assert_eq!(p["township"], "曹远镇");
    assert_eq!(p["severity"], "urgent");
    let text = String::from_utf8(m.payload.clone().unwrap()).unwrap();
    for personal in ["张三", "13800000000", "有人扬言", "u_demo_officer"] {
        assert!(!text.contains(personal), "the payload leaks {personal}: {text}");
    }
    assert_eq!(m.urgency.as_deref(), Some("high"));
    assert!(m.topic.is_some() && m.ttl.is_some());
    assert!(m.vapid.as_ref().unwrap().sub.starts_with("mailto:"));

    // The leader sees who was alerted; the officer may not.
    let log = app.alert_log(LEADER, id).await;
    assert_eq!(log[0]["user_id"], "u_demo_leader");
    assert_eq!(log[0]["state"], "sent");
    assert_eq!(app.api("GET", &format!("/cases/{id}/alerts"), OFFICER, None).await.0, 403);
}

/// The worker's tick is a minute away, so only the urgent commit's own notice (through
/// PostgreSQL's NOTIFY on that backend) can bring the alert in time. The general case's commit
/// before it queues no alert: its notice is not the worker's cue.
async fn the_commit_that_queues_an_alert_wakes_the_worker_long_before_its_tick(b: Backend) {
    let db = TestDb::new(b).await;
    let app = TestApp::spawn_with(db, |c| c.alert_tick = Duration::from_secs(60)).await;
    let push = PushService::spawn().await;
    app.subscribe_push(&push, LEADER).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.create(&officer.new_case(PUTOU, Severity::General, "村道边坡有裂缝"));
    officer.sync().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "有人扬言到镇政府聚集"));
    officer.sync().await.unwrap();
    let got = push.wait_for_delivered(1, WAIT).await;
    assert_eq!(got[0].json()["doc_id"], id.to_string(), "the urgent case's alert, and only it");
    assert_eq!(got.len(), 1);
}

async fn an_unacknowledged_alert_climbs_to_county_and_city_and_acknowledging_stops_it(b: Backend) {
    let db = TestDb::new(b).await;
    let app = TestApp::spawn_with(db, |c| c.escalate_after = Duration::from_millis(700)).await;
    let city_token = app.enrol("city_chief", "city_admin", "350400").await.token;
    let push = PushService::spawn().await;
    let leader = app.subscribe_push(&push, LEADER).await;
    let county = app.subscribe_push(&push, COUNTY).await;
    let city = app.subscribe_push(&push, &city_token).await;

    // Ignored: township, then county, then city.
    let (mut officer, ignored) = urgent_case(&app, "无人应答的紧急事件").await;
    officer.sync().await.unwrap();
    push.wait_for_delivered(3, WAIT).await;
    let kinds = |s: &TestSubscription| {
        push.messages_for(s).iter().map(|m| m.json()["kind"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(kinds(&leader), vec!["urgent"]);
    assert_eq!(kinds(&county), vec!["escalation"]);
    assert_eq!(kinds(&city), vec!["escalation"]);

    // Acknowledged in time: the leader taps 已知悉 (a change in the case) and nothing climbs.
    let (mut officer, acked) = urgent_case(&app, "及时知悉的紧急事件").await;
    officer.sync().await.unwrap();
    // The leader taps 已知悉 on the alert, so after it arrived: an acknowledgement that beats
    // the worker to the outbox stops escalation just the same, but has no delivery to mark.
    push.wait_for_delivered(4, WAIT).await;
    let mut leader_dev = app.device(LEADER);
    leader_dev.login().await.unwrap();
    leader_dev.sync().await.unwrap();
    leader_dev.set_status(acked, Status::Acknowledged);
    leader_dev.sync().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    let about = |s: &TestSubscription, doc: DocId| {
        push.messages_for(s).iter().filter(|m| m.json()["doc_id"] == doc.to_string()).count()
    };
    assert_eq!(about(&leader, acked), 1);
    assert_eq!(about(&county, acked), 0, "acknowledged in time: no escalation");
    assert_eq!(about(&city, acked), 0);
    assert_eq!(about(&county, ignored), 1, "and the ignored one climbed only once");
    let log = app.alert_log(COUNTY, acked).await;
    assert_eq!(log[0]["acknowledged_by"], "陈建国", "who acknowledged, by name");
}

async fn a_gone_subscription_is_deleted_and_a_busy_service_is_retried_after_it_says(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    // The leader has two phones: one unsubscribed (410), one whose push service is busy.
    let leader = app.subscribe_push(&push, LEADER).await;
    push.always(&leader, Reply::Gone);
    let busy = app.subscribe_push(&push, LEADER).await;
    push.script(&busy, [Reply::TooManyRequests(Some("1".into()))]);

    let (mut officer, id) = urgent_case(&app, "推送服务繁忙").await;
    officer.sync().await.unwrap();
    let started = Instant::now();
    let busy_got = tokio::time::timeout(WAIT, async {
        loop {
            let msgs = push.messages_for(&busy);
            if msgs.iter().any(|m| m.delivered()) {
                return msgs;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the 429'd message is retried and delivered");
    assert_eq!(busy_got[0].status, 429);
    let gap = busy_got[1].received_at - busy_got[0].received_at;
    assert!(gap >= Duration::from_millis(950), "retried after Retry-After: 1, not {gap:?}");
    assert!(started.elapsed() < WAIT);

    // 410: tried once, never again, and the subscription is gone.
    assert_eq!(push.messages_for(&leader).len(), 1);
    assert_eq!(push.messages_for(&leader)[0].status, 410);
    assert_eq!(
        app.store.subscription_count().await.unwrap(),
        1,
        "the gone subscription is deleted, the busy one kept"
    );
    // The push service has the message before the worker has recorded that it was sent.
    let deadline = Instant::now() + WAIT;
    loop {
        let log = app.alert_log(LEADER, id).await;
        let states: Vec<String> =
            log.as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap().to_string()).collect();
        if states.iter().any(|s| s == "gone") && states.iter().any(|s| s == "sent") {
            break;
        }
        assert!(Instant::now() < deadline, "the log shows the gone and the sent delivery: {states:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn alerts_wait_out_a_push_service_outage_and_arrive_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let leader = app.subscribe_push(&push, LEADER).await;
    push.go_down(Outage::Refused).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    for i in 0..3 {
        officer.create(&officer.new_case(PUTOU, Severity::Urgent, &format!("断网期间的紧急事件{i}")));
    }
    officer.sync().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await; // several failed tries
    push.come_back().await;
    push.wait_for_delivered(3, WAIT).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let delivered: Vec<_> = push.messages_for(&leader).into_iter().filter(|m| m.delivered()).collect();
    assert_eq!(delivered.len(), 3, "each alert exactly once");
    let mut docs: Vec<String> =
        delivered.iter().map(|m| m.json()["doc_id"].as_str().unwrap().to_string()).collect();
    docs.dedup();
    assert_eq!(docs.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_racing_over_one_outbox_send_one_alert() {
    let a = TestApp::spawn(Backend::Postgres).await;
    let b = TestApp::spawn_on_url(&a.db.url).await;
    let push = PushService::spawn().await;
    let leader = a.subscribe_push(&push, LEADER).await;
    let mut officer = a.device(OFFICER);
    officer.login().await.unwrap();
    for i in 0..5 {
        officer.create(&officer.new_case(PUTOU, Severity::Urgent, &format!("双副本{i}")));
        officer.sync().await.unwrap();
    }
    push.wait_for_delivered(5, WAIT).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(push.messages_for(&leader).len(), 5, "five cases, five alerts, whichever replica sent them");
    drop(b);
}

on_both_backends!(a_case_past_its_deadline_reminds_its_handler_and_leader_once);

async fn a_case_past_its_deadline_reminds_its_handler_and_leader_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let officer_sub = app.subscribe_push(&push, OFFICER).await;
    let leader_sub = app.subscribe_push(&push, LEADER).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Major, "限期化解的纠纷"));
    officer.sync().await.unwrap();
    // The leader takes ownership, names the officer as handler, and sets a deadline already past.
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    leader.edit(id, |tx| {
        use automerge::transaction::Transactable;
        tx.put(automerge::ROOT, "responsible_leader", "u_demo_leader")?;
        tx.put(automerge::ROOT, "handler", "u_demo_officer")?;
        tx.put(
            automerge::ROOT,
            "deadline",
            automerge::ScalarValue::Timestamp(anlan_server::store::now_ms() - 2 * 86_400_000),
        )
    });
    leader.sync().await.unwrap();
    push.wait_for_delivered(2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(800)).await; // several more overdue checks
    for sub in [&officer_sub, &leader_sub] {
        let got = push.messages_for(sub);
        assert_eq!(got.len(), 1, "one reminder per person per deadline");
        assert_eq!(got[0].json()["kind"], "reminder");
        assert_eq!(got[0].json()["doc_id"], id.to_string());
    }
    // Resolved cases are not chased.
    leader.set_status(id, Status::Resolved);
    leader.sync().await.unwrap();
    leader.edit(id, |tx| {
        use automerge::transaction::Transactable;
        tx.put(
            automerge::ROOT,
            "deadline",
            automerge::ScalarValue::Timestamp(anlan_server::store::now_ms() - 3 * 86_400_000),
        )
    });
    leader.sync().await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(push.messages_for(&leader_sub).len(), 1);
}

on_both_backends!(leaders_get_one_daily_digest_of_the_cases_that_did_not_buzz);

async fn leaders_get_one_daily_digest_of_the_cases_that_did_not_buzz(b: Backend) {
    let db = TestDb::new(b).await;
    // Digest hour 0: due from midnight, so due now whatever the time of the test.
    let app = TestApp::spawn_with(db, |c| c.digest_hour = 0).await;
    let push = PushService::spawn().await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.create(&officer.new_case(PUTOU, Severity::General, "一般纠纷"));
    officer.create(&officer.new_case(PUTOU, Severity::Major, "较大纠纷"));
    officer.create(&officer.new_case(PUTOU, Severity::Urgent, "紧急事件"));
    officer.sync().await.unwrap();
    // The leader turns alerts on afterwards: the urgent alert found nobody subscribed, the digest
    // waits for a subscriber and then counts only the two that did not buzz.
    let leader = app.subscribe_push(&push, LEADER).await;
    let got = push.wait_for_delivered(1, WAIT).await;
    let digest = got[0].json();
    assert_eq!(digest["kind"], "digest");
    assert_eq!(digest["cases"], 2);
    assert_eq!(digest["area"], "曹远镇");
    assert_eq!(got[0].urgency.as_deref(), Some("low"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    officer.create(&officer.new_case(PUTOU, Severity::General, "当天又一件"));
    officer.sync().await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(push.messages_for(&leader).len(), 1, "one digest a day, however much comes in");
}
