//! Notifications for the outbox kinds that are not about a case — a petition's statutory
//! deadline, a sweep reminder left behind by a crash — and for a kind nobody knows, through the
//! server's alert worker and the local RFC 8030 push service, on SQLite and PostgreSQL.

use std::time::Duration;

use anlan_tests::device::Local;
use anlan_tests::push_service::PushService;
use anlan_tests::*;
use automerge::Automerge;
use serde_json::{Value, json};
use sqlx::Connection;
use sync_protocol::DocId;
use sync_protocol::calendar::{DAY_MS, beijing_day, date_string, day_start_ms};
use sync_protocol::case::Severity;
use sync_protocol::petition::write::NewPetition;
use sync_protocol::petition::{Petitioner, Source};

const WAIT: Duration = Duration::from_secs(10);
const CAOYUAN: &str = "350481101";

/// Poll the delivery log of `doc` until `done` holds for it.
async fn log_until(
    app: &TestApp,
    doc: DocId,
    done: impl Fn(&[anlan_server::store::DeliveryLogRow]) -> bool,
) -> Vec<anlan_server::store::DeliveryLogRow> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let log = app.store.delivery_log(doc).await.unwrap();
        if done(&log) || std::time::Instant::now() > deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_backends!(
    petition_staff_with_a_subscription_get_the_deadline_reminder_without_personal_data,
    an_outbox_row_of_an_unknown_kind_fails_with_its_reason_and_alerts_go_on,
    a_sweep_reminder_a_crash_left_claimed_is_sent_by_the_alert_worker,
);

async fn petition_staff_with_a_subscription_get_the_deadline_reminder_without_personal_data(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let mut staff = app.enrol("staff_t", "petition_staff", CAOYUAN).await;
    staff.login().await.unwrap();
    let sub = app.subscribe_push(&push, &staff.token).await;
    // Received 13 days ago at noon: the decision is due by the end of the day after tomorrow.
    let received = day_start_ms(beijing_day(anlan_server::store::now_ms())) + 12 * 3_600_000 - 13 * DAY_MS;
    // Entered on a phone in use since before then (PROTOCOL.md §11).
    app.devices_enrolled_at(received - 400 * DAY_MS).await;
    let p = NewPetition {
        village: PUTOU.into(),
        source: Source::Visit,
        petitioner: Petitioner {
            name: "王小明".into(),
            phone: Some("13912345678".into()),
            id_no: Some("350481199001011234".into()),
        },
        request: "反映移民安置房漏水".into(),
        received_at: received,
        recorded_by: staff.user_id.clone(),
    };
    let id = DocId::random();
    staff.docs.insert(id, Local { doc: Automerge::new(), acked: vec![] });
    staff.edit(id, |tx| p.write(tx));
    staff.sync().await.unwrap();
    assert!(staff.rejected.is_empty(), "{:?}", staff.rejected);

    // The server's own clock enqueues the reminder; its worker sends it.
    let got = push.wait_for_delivered(1, WAIT).await;
    assert_eq!(got.len(), 1, "the reminder reached the push service");
    let m = &got[0];
    assert_eq!(m.subscription, sub.id);
    assert_eq!(
        m.json(),
        json!({
            "v": 1, "kind": "petition_due", "doc_id": id.to_string(), "stage": "awaiting_decision",
            "deadline": "decide", "date": date_string(beijing_day(received) + 15), "days_left": 2,
            "township": "曹远镇", "village": "埔头村",
        })
    );
    let text = String::from_utf8(m.payload.clone().unwrap()).unwrap();
    for personal in ["王小明", "13912345678", "350481199001011234", "漏水", "staff_t"] {
        assert!(!text.contains(personal), "the payload leaks {personal}: {text}");
    }
    assert_eq!(m.urgency.as_deref(), Some("normal"));
    assert!(m.topic.is_some() && m.vapid.is_ok());
    let log = log_until(&app, id, |l| l.iter().any(|d| d.state == "sent")).await;
    let states: Vec<(&str, &str, &str)> =
        log.iter().map(|d| (d.kind.as_str(), d.user_id.as_str(), d.state.as_str())).collect();
    assert_eq!(states, vec![("petition_due", "staff_t", "sent")]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.messages_for(&sub).len(), 1, "once, whatever the ticks in between");
}

async fn an_outbox_row_of_an_unknown_kind_fails_with_its_reason_and_alerts_go_on(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let leader = app.subscribe_push(&push, LEADER).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let ordinary = officer.create(&officer.new_case(PUTOU, Severity::General, "邻里宅基地边界争议"));
    officer.sync().await.unwrap();
    // A row a newer replica (or a bad migration) wrote, for the township's leaders.
    let mut db = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO outbox (kind, doc_id, cause, payload, created_at, level)
         VALUES ('mystery', $1, 'mystery:1', '{}', $2, 'township')",
    )
    .bind(ordinary.0.to_vec())
    .bind(anlan_server::store::now_ms())
    .execute(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();

    let log = log_until(&app, ordinary, |l| l.iter().any(|d| d.state != "queued")).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!((log[0].kind.as_str(), log[0].state.as_str()), ("mystery", "failed"));
    assert_eq!(
        log[0].last_error.as_deref(),
        Some("bad outbox payload: unknown outbox kind \"mystery\": no notification is defined for it")
    );
    assert!(push.messages_for(&leader).is_empty(), "nothing sent for it");
    // The worker is still alive: the next urgent case reaches the leader.
    let urgent = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "有人扬言到镇政府聚集"));
    officer.sync().await.unwrap();
    let got = push.wait_for_delivered(1, WAIT).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].json()["kind"].clone(), got[0].json()["doc_id"].clone()),
        ("urgent".into(), urgent.to_string().into())
    );
}

async fn a_sweep_reminder_a_crash_left_claimed_is_sent_by_the_alert_worker(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let officer = app.subscribe_push(&push, OFFICER).await;
    let now = anlan_server::store::now_ms();
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/campaigns", app.url))
        .bearer_auth(COUNTY)
        .json(&json!({
            "name": "汛前矛盾纠纷排查", "kind": "concentrated", "townships": [CAOYUAN],
            "window_start": now - 60_000, "window_end": now + DAY_MS, "deadline": now + DAY_MS,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let campaign = res.json::<Value>().await.unwrap()["campaign"]["id"].as_str().unwrap().to_string();
    // The sweep clock claims today's reminders and dies before sending: its lease has run out.
    let today = anlan_server::campaigns::beijing_date(now);
    let claimed = app.store.claim_sweep_reminders(now, &today, 3 * DAY_MS, -1).await.unwrap();
    let mine: Vec<_> = claimed.iter().filter(|d| d.endpoint == officer.endpoint).collect();
    assert_eq!(mine.len(), 1, "{claimed:?}");

    let got = push.wait_for_delivered(1, WAIT).await;
    assert_eq!(got.len(), 1, "the alert worker picked the delivery up");
    let p = got[0].json();
    assert_eq!(got[0].subscription, officer.id);
    assert_eq!(p["kind"], "sweep_reminder");
    assert_eq!(p["campaign"], campaign.as_str());
    assert_eq!(p["doc_id"], sync_protocol::sweep::report_id(&campaign, PUTOU).to_string());
    assert_eq!((p["village"].clone(), p["village_name"].clone()), (PUTOU.into(), "埔头村".into()));
    assert_eq!(p["name"], "汛前矛盾纠纷排查");
    assert_eq!(p["days_left"], beijing_day(now + DAY_MS - 1) - beijing_day(now));
    let report = sync_protocol::sweep::report_id(&campaign, PUTOU);
    let log = log_until(&app, report, |l| l.iter().any(|d| d.state == "sent")).await;
    let states: Vec<(&str, &str, &str)> =
        log.iter().map(|d| (d.kind.as_str(), d.user_id.as_str(), d.state.as_str())).collect();
    assert_eq!(states, vec![("sweep_reminder", "u_demo_officer", "sent")], "the log shows it sent");
}
