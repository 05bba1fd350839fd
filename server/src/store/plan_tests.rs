//! The alert worker's clocks run on every tick whatever the history's size, the escalation
//! sweep while holding the writer. Their SQL must reach only what is pending through the partial
//! indexes of migration 0019, which SQLite uses only while the queries repeat the indexes'
//! terms: an edit to either WHERE that loses its index fails here, not at a million cases.
//! SQLite without statistics plans from the schema alone, so an empty database shows the plan.
//!
//! Every alert also asks who it goes to; those reads must seek by unit and by person, not walk
//! the city's people (migration 0020).

use super::SqlStore;
use super::durability_tests::scratch_store;
use super::scope::Bind;

/// The plan's lines (EXPLAIN QUERY PLAN's `detail`), top down.
async fn plan(store: &SqlStore, sql: &str, binds: Vec<Bind>) -> Vec<String> {
    let q = sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
    let q = binds.into_iter().fold(q, |q, b| b.onto(q));
    let rows: Vec<(i64, i64, i64, String)> = q.fetch_all(&store.pool).await.unwrap();
    rows.into_iter().map(|r| r.3).collect()
}

#[tokio::test]
async fn the_escalation_sweep_starts_from_the_unacknowledged_urgent_cases() {
    let (store, dir) = scratch_store().await;
    let binds = vec![Bind::Text("county".into()), Bind::Int(0), Bind::Text("township".into()), Bind::Int(0)];
    let lines = plan(&store, super::alerts::ESCALATE, binds).await;
    // The one scan is of the partial index; the alerts are sought by case. (The insert's own
    // checks, such as the deliveries' foreign key, add searches by key.)
    assert_eq!(scans(&lines), ["SCAN c USING COVERING INDEX cases_unacknowledged"], "{lines:#?}");
    assert!(
        lines.iter().any(|l| l == "SEARCH o USING INDEX outbox_alerts (doc_id=? AND level=?)"),
        "{lines:#?}"
    );
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_deadline_reminders_read_only_unsettled_cases_with_a_deadline() {
    let (store, dir) = scratch_store().await;
    let lines = plan(&store, super::reminders::DUE, vec![Bind::Int(0)]).await;
    assert_eq!(lines, ["SEARCH cases USING INDEX cases_deadline_open (deadline>? AND deadline<?)"]);
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// The scans of a plan: what it walks rather than seeks.
fn scans(lines: &[String]) -> Vec<&String> {
    lines.iter().filter(|l| l.starts_with("SCAN")).collect()
}

#[tokio::test]
async fn an_alerts_recipients_are_sought_by_unit_and_person() {
    let (store, dir) = scratch_store().await;
    let rung = vec![Bind::Text("350481101".into()), Bind::Text("township_leader".into())];
    let lines = plan(&store, super::alerts::PEOPLE_IN_UNIT, rung).await;
    assert!(scans(&lines).is_empty(), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("SEARCH users USING INDEX users_unit_role")), "{lines:#?}");

    let village = vec![Bind::Text("350481101201".into()), Bind::Text("a".into()), Bind::Text("b".into())];
    let lines = plan(&store, super::campaign_reminders::VILLAGE_PEOPLE, village).await;
    assert!(scans(&lines).is_empty(), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("user_units USING INDEX user_units_unit")), "{lines:#?}");

    let lines = plan(&store, super::alert_plan::SUBSCRIPTIONS_OF, vec![Bind::Text("u".into())]).await;
    assert!(scans(&lines).is_empty(), "{lines:#?}");
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}
