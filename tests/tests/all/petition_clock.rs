//! The petition clock on the server: the list with days left, visits, and the reminders before
//! each deadline, enqueued once — on SQLite and PostgreSQL.

use anlan_tests::device::Local;
use anlan_tests::*;
use automerge::Automerge;
use automerge::transaction::Transaction;
use serde_json::Value;
use sync_protocol::DocId;
use sync_protocol::calendar::{DAY_MS, beijing_day, day_start_ms};
use sync_protocol::petition::write::{self as pw, NewPetition};
use sync_protocol::petition::{Petitioner, Source};
use sync_protocol::visit::Visit;

fn create(
    dev: &mut SimDevice,
    write: impl FnOnce(&mut Transaction<'_>) -> Result<(), automerge::AutomergeError>,
) -> DocId {
    let id = DocId::random();
    dev.docs.insert(id, Local { doc: Automerge::new(), acked: vec![] });
    dev.edit(id, write);
    id
}

fn petition(by: &SimDevice, village: &str, name: &str, received_at: i64) -> NewPetition {
    NewPetition {
        village: village.into(),
        source: Source::Phone,
        petitioner: Petitioner { name: name.into(), phone: None, id_no: None },
        request: "反映移民安置房漏水".into(),
        received_at,
        recorded_by: by.user_id.clone(),
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap()
}

/// Noon Beijing time today, so "days ago" never straddles midnight during the test.
fn today_noon() -> i64 {
    day_start_ms(beijing_day(anlan_server::store::now_ms())) + 12 * 3_600_000
}

on_both_backends!(
    petitions_are_listed_by_deadline_with_days_left_in_scope_only,
    visits_are_listed_newest_first_with_leader_and_date,
    a_reminder_goes_to_petition_staff_three_days_before_and_on_the_day_once_each
);

async fn petitions_are_listed_by_deadline_with_days_left_in_scope_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut staff = app.enrol("staff_c", "petition_staff", "350481101").await;
    staff.login().await.unwrap();
    let noon = today_noon();
    // Petitions received weeks ago, entered on a phone in use since before then.
    app.devices_enrolled_at(noon - 400 * DAY_MS).await;
    // Decide-by in 5 days; reply-by overdue by 2 days (accepted 62 days ago); decide-by today;
    // not accepted (no deadline).
    let [a, b, c, d] = [(PUTOU, "甲", 10), (PUTOU, "乙", 70), (CAOYUAN_VILLAGE, "丙", 15), (PUTOU, "丁", 20)]
        .map(|(village, name, days_ago)| petition(&staff, village, name, noon - days_ago * DAY_MS));
    let five = create(&mut staff, |tx| a.write(tx));
    let late = create(&mut staff, |tx| {
        b.write(tx)?;
        pw::decide(tx, true, noon - 62 * DAY_MS, None)
    });
    let today = create(&mut staff, |tx| c.write(tx));
    let done = create(&mut staff, |tx| {
        d.write(tx)?;
        pw::decide(tx, false, noon - 19 * DAY_MS, Some("不予受理"))
    });
    staff.sync().await.unwrap();
    assert!(staff.rejected.is_empty(), "{:?}", staff.rejected);

    let list = get(&app, LEADER, "petitions").await;
    let order: Vec<(String, Value, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["doc"].as_str().unwrap().to_string(), p["days_left"].clone(), p["finished"].as_bool().unwrap())
        })
        .collect();
    assert_eq!(
        order,
        vec![
            (late.to_string(), Value::from(-2), false),
            (today.to_string(), Value::from(0), false),
            (five.to_string(), Value::from(5), false),
            (done.to_string(), Value::Null, true),
        ]
    );
    let first = &list[0];
    assert_eq!(first["status"], "handling");
    assert_eq!(first["person"], "乙");
    assert_eq!(first["body"]["deadline"]["kind"], "reply");
    // The projection is rebuilt from the log alone, deadlines and all.
    anlan_server::reproject::reproject(&app.store).await.unwrap();
    assert_eq!(get(&app, LEADER, "petitions").await, list, "the same after `anlan reproject`");
    // The village officer of 埔头村 sees 埔头村's three, read only; 西门村's officer none.
    let officer = get(&app, OFFICER, "petitions").await;
    assert_eq!(officer.as_array().unwrap().len(), 3);
    let mut ximen = app.enrol("ximen_o", "village_officer", XIMEN).await;
    ximen.login().await.unwrap();
    assert_eq!(get(&app, &ximen.token, "petitions").await, Value::Array(vec![]));
}

async fn visits_are_listed_newest_first_with_leader_and_date(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    let noon = today_noon();
    app.devices_enrolled_at(noon - 400 * DAY_MS).await;
    for (days_ago, village) in [(3, PUTOU), (1, CAOYUAN_VILLAGE)] {
        let v = Visit {
            schema_version: 1,
            village: village.into(),
            leader: "陈建国".into(),
            recorded_by: leader.user_id.clone(),
            date: noon - days_ago * DAY_MS,
            people_met: vec!["王大伯".into(), "李婶".into()],
            cases: vec![],
            resolved: 1,
            notes: "走访".into(),
        };
        create(&mut leader, |tx| v.write(tx));
    }
    leader.sync().await.unwrap();
    assert!(leader.rejected.is_empty());
    let list = get(&app, COUNTY, "visits").await;
    let rows: Vec<(Value, Value, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["unit_code"].clone(), v["at"].clone(), v["person"].clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (CAOYUAN_VILLAGE.into(), (noon - DAY_MS).into(), "陈建国".into()),
            (PUTOU.into(), (noon - 3 * DAY_MS).into(), "陈建国".into()),
        ]
    );
    assert_eq!(list[0]["body"]["people_met"].as_array().unwrap().len(), 2);
    assert_eq!(get(&app, OFFICER, "visits").await.as_array().unwrap().len(), 1, "the officer sees 埔头村's");
    let villages = get(&app, LEADER, "villages").await;
    let named: Vec<(Value, Value)> =
        villages.as_array().unwrap().iter().map(|v| (v["code"].clone(), v["name"].clone())).collect();
    assert_eq!(named, vec![(PUTOU.into(), "埔头村".into()), (CAOYUAN_VILLAGE.into(), "曹远村".into())]);
}

async fn a_reminder_goes_to_petition_staff_three_days_before_and_on_the_day_once_each(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut staff = app.enrol("staff_t", "petition_staff", "350481101").await;
    staff.login().await.unwrap();
    let _county_staff = app.enrol("staff_k", "petition_staff", "350481").await;
    let _elsewhere = app.enrol("staff_g", "petition_staff", "350481102").await;
    let noon = today_noon();
    app.devices_enrolled_at(noon - 400 * DAY_MS).await;
    // Received 13 days ago: the decision is due in 2 days, so the "3 days before" reminder is due.
    let p = petition(&staff, PUTOU, "戊", noon - 13 * DAY_MS);
    let id = create(&mut staff, |tx| p.write(tx));
    staff.sync().await.unwrap();
    // Its acceptance, below, is recorded as it came, 12 days ago: after the record was received.
    app.documents_received_at(noon - 13 * DAY_MS).await;
    // The server's own tick enqueues it and expands it to the petition staff covering 埔头村.
    let mut log = Vec::new();
    for _ in 0..100 {
        log = app.store.delivery_log(id).await.unwrap();
        if log.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut users: Vec<(String, String)> = log.iter().map(|d| (d.kind.clone(), d.user_id.clone())).collect();
    users.sort();
    assert_eq!(
        users,
        vec![("petition_due".into(), "staff_k".into()), ("petition_due".into(), "staff_t".into())]
    );
    assert_eq!(
        log.iter().filter(|d| d.state == "unreachable").count(),
        2,
        "no subscriptions: logged as not reached"
    );
    // Once each: the same day again, and the next day, add nothing; the last day adds one; after
    // the deadline, nothing.
    let now = anlan_server::store::now_ms();
    assert_eq!(app.store.remind_petitions_at(now).await.unwrap(), 0);
    assert_eq!(app.store.remind_petitions_at(now + DAY_MS).await.unwrap(), 0);
    assert_eq!(app.store.remind_petitions_at(now + 2 * DAY_MS).await.unwrap(), 1);
    assert_eq!(app.store.remind_petitions_at(now + 2 * DAY_MS + 3_600_000).await.unwrap(), 0);
    assert_eq!(app.store.remind_petitions_at(now + 3 * DAY_MS).await.unwrap(), 0);
    // Accepting it starts the 60 days: the next reminders are 57 and 60 days on.
    staff.edit(id, |tx| pw::decide(tx, true, noon - 12 * DAY_MS, None));
    staff.sync().await.unwrap();
    assert!(staff.rejected.is_empty());
    assert_eq!(app.store.remind_petitions_at(now + 40 * DAY_MS).await.unwrap(), 0);
    assert_eq!(app.store.remind_petitions_at(now + 46 * DAY_MS).await.unwrap(), 1);
    assert_eq!(app.store.remind_petitions_at(now + 48 * DAY_MS).await.unwrap(), 1);
    assert_eq!(app.store.remind_petitions_at(now + 48 * DAY_MS).await.unwrap(), 0);
}
