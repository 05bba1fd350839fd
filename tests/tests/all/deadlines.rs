//! Deadline reminders and chasing (催办): the day before the deadline and once overdue, one
//! reminder per case and deadline day to the handler and the responsible leader; each chase by
//! the county or city one notification to the same two people, and refused to everyone else.

use std::time::Duration;

use anlan_tests::*;
use automerge::ROOT;
use automerge::transaction::Transactable;
use sync_protocol::DocId;
use sync_protocol::calendar::beijing_day;
use sync_protocol::case::{Severity, TimelineEntry, TimelineKind, write};
use sync_protocol::rules::overdue::{deadline_of_day, overdue_from};

async fn signed_in(app: &TestApp, token: &str) -> SimDevice {
    let mut d = app.device(token);
    d.login().await.unwrap();
    d
}

/// A case the officer reported and the leader assigned: leader 陈建国, handler 林秀英.
async fn assigned_case(app: &TestApp, deadline: Option<i64>) -> (SimDevice, DocId) {
    let mut officer = signed_in(app, OFFICER).await;
    let id = officer.create(&officer.new_case(PUTOU, Severity::Major, "安置房漏水纠纷"));
    officer.sync().await.unwrap();
    let mut leader = signed_in(app, LEADER).await;
    leader.sync().await.unwrap();
    leader.edit(id, |tx| {
        tx.put(ROOT, "responsible_leader", "u_demo_leader")?;
        tx.put(ROOT, "handler", "u_demo_officer")?;
        match deadline {
            Some(d) => tx.put(ROOT, "deadline", automerge::ScalarValue::Timestamp(d)),
            None => Ok(()),
        }
    });
    leader.sync().await.unwrap();
    (leader, id)
}

fn causes_of(causes: &[String], kind: &str, id: DocId) -> usize {
    causes.iter().filter(|c| c.starts_with(&format!("{kind}:{id}:"))).count()
}

/// Who the worker addressed for outbox rows of `kind` about `id` (deliveries or `unreachable`).
async fn recipients(app: &TestApp, id: DocId, kind: &str) -> Vec<String> {
    for _ in 0..100 {
        let mut users: Vec<String> = app
            .store
            .delivery_log(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.user_id)
            .collect();
        if users.len() >= 2 {
            users.sort();
            return users;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    vec![]
}

on_both_backends!(
    deadline_reminders_are_enqueued_once_per_deadline_day,
    a_chase_by_the_county_notifies_handler_and_leader_once
);

async fn deadline_reminders_are_enqueued_once_per_deadline_day(b: Backend) {
    let app = TestApp::spawn(b).await;
    let now = anlan_server::store::now_ms();
    // Due tomorrow (Beijing time): the day-before reminder is due now.
    let deadline = deadline_of_day(beijing_day(now) + 1);
    let (_leader, id) = assigned_case(&app, Some(deadline)).await;
    let both = vec!["u_demo_leader".to_string(), "u_demo_officer".to_string()];
    assert_eq!(recipients(&app, id, "due_soon").await, both, "the running worker reminded both");
    // Later ticks (the worker's own, every 200 ms, and these) enqueue nothing more.
    assert_eq!(app.store.remind_overdue().await.unwrap(), 0);
    assert_eq!(app.store.remind_overdue().await.unwrap(), 0);
    // At 00:00 of the day after the deadline it is overdue: one more, once.
    let due = overdue_from(deadline);
    assert_eq!(app.store.remind_deadlines_at(due - 1).await.unwrap(), 0, "not overdue on the deadline day");
    assert_eq!(app.store.remind_deadlines_at(due).await.unwrap(), 1);
    assert_eq!(app.store.remind_deadlines_at(due + 3_600_000).await.unwrap(), 0);
    assert_eq!(recipients(&app, id, "overdue").await, both);
    let causes = app.store.outbox_causes().await.unwrap();
    assert_eq!((causes_of(&causes, "due_soon", id), causes_of(&causes, "overdue", id)), (1, 1));
}

async fn a_chase_by_the_county_notifies_handler_and_leader_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut leader, id) = assigned_case(&app, None).await;
    let mut county = signed_in(&app, COUNTY).await;
    county.sync().await.unwrap();
    let chase = |by: &str, n: u8| TimelineEntry {
        id: format!("chase-{by}-{n}"),
        kind: TimelineKind::Chase,
        at: 1_795_000_000_000,
        by: by.into(),
        text: "请于本周内化解并报结果".into(),
    };
    let by = county.user_id.clone();
    county.edit(id, |tx| write::add_timeline(tx, &chase(&by, 1)));
    county.sync().await.unwrap();
    assert!(county.rejected.is_empty(), "{:?}", county.rejected);
    assert_eq!(
        recipients(&app, id, "chase").await,
        vec!["u_demo_leader".to_string(), "u_demo_officer".to_string()]
    );
    // Later edits of the case, and the same sync sent again, do not chase again.
    county.edit(id, |tx| write::edit_description(tx, 0, "【县级督办】"));
    county.sync().await.unwrap();
    leader.sync().await.unwrap();
    leader.edit(id, |tx| write::edit_description(tx, 0, "【已收到】"));
    leader.sync().await.unwrap();
    let causes = app.store.outbox_causes().await.unwrap();
    assert_eq!(causes_of(&causes, "chase", id), 1);
    // A second chase is a second notification.
    county.edit(id, |tx| write::add_timeline(tx, &chase(&by, 2)));
    county.sync().await.unwrap();
    assert_eq!(causes_of(&app.store.outbox_causes().await.unwrap(), "chase", id), 2);
    // The township leader may not chase (the table's chase row).
    let by = leader.user_id.clone();
    leader.edit(id, |tx| write::add_timeline(tx, &chase(&by, 3)));
    leader.sync().await.unwrap();
    let refused = leader.rejected.get(&id).map(|r| r.message.clone()).unwrap_or_default();
    assert!(refused.contains("催办"), "{refused}");
    assert_eq!(causes_of(&app.store.outbox_causes().await.unwrap(), "chase", id), 2);
}
