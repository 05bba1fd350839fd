use serde_json::json;
use sync_protocol::calendar::{DAY_MS, day_start_ms, days_from_civil};
use sync_protocol::outbox::{OutboxEvent, OutboxRowError};

use super::*;
use crate::push::notification::Notification;

const DOC: &str = "6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b";

fn places() -> Places {
    Places { township: "曹远镇".into(), village: "埔头村".into() }
}

/// 10:00 Beijing time on 2028-02-27.
fn morning() -> i64 {
    day_start_ms(days_from_civil(2028, 2, 27)) + 10 * 3_600_000
}

/// A `petition_due` row as `store::petitions` writes it, decide-by 2028-02-29, with the
/// personal fields a careless change to the store might add.
fn petition_row() -> serde_json::Value {
    json!({
        "doc": DOC, "village": "350481101201", "stage": "awaiting_decision",
        "deadline": { "kind": "decide", "owner": "office", "date": "2028-02-29",
                      "due_ms": day_start_ms(days_from_civil(2028, 3, 1)) },
        "days_left": 3,
        "petitioner": { "name": "王小明", "phone": "13912345678" }, "request": "反映移民安置房漏水",
    })
}

fn petition() -> PetitionDue {
    match OutboxEvent::from_row("petition_due", &petition_row().to_string()).unwrap() {
        OutboxEvent::PetitionDue(p) => p,
        other => panic!("{other:?}"),
    }
}

fn sweep() -> SweepDue {
    match OutboxEvent::from_row("sweep_reminder", &sweep_row().to_string()).unwrap() {
        OutboxEvent::SweepReminder(s) => s,
        other => panic!("{other:?}"),
    }
}

fn sweep_row() -> serde_json::Value {
    json!({
        "v": 1, "kind": "sweep_reminder", "campaign": "hm-350481101-2028-02b", "name": "2月下半月排查",
        "village": "350481101201", "village_name": "埔头村", "deadline": morning() + DAY_MS,
    })
}

#[test]
fn a_petition_reminder_carries_stage_deadline_and_places_and_nothing_personal() {
    let p = PetitionReminder::from_due(&petition(), &places(), morning());
    let json: serde_json::Value = serde_json::from_slice(&Notification::Petition(p).to_json()).unwrap();
    assert_eq!(
        json,
        json!({
            "v": 1, "kind": "petition_due", "doc_id": DOC, "stage": "awaiting_decision",
            "deadline": "decide", "date": "2028-02-29", "days_left": 2,
            "township": "曹远镇", "village": "埔头村",
        })
    );
}

#[test]
fn days_left_are_counted_when_sent_not_when_the_row_was_written() {
    let last_day = morning() + 2 * DAY_MS + 13 * 3_600_000; // 23:00 on the 29th
    let p = PetitionReminder::from_due(&petition(), &places(), last_day);
    assert_eq!((p.days_left, p.date.as_str()), (0, "2028-02-29"));
}

#[test]
fn a_petition_row_with_an_unknown_stage_or_no_deadline_is_refused() {
    let mut row = petition_row();
    row["stage"] = json!("王小明");
    let err = OutboxEvent::from_row("petition_due", &row.to_string()).unwrap_err();
    assert!(matches!(&err, OutboxRowError::Invalid { reason, .. } if reason.contains("Stage")), "{err}");
    let mut row = petition_row();
    row["deadline"] = serde_json::Value::Null;
    let err = OutboxEvent::from_row("petition_due", &row.to_string()).unwrap_err();
    assert!(matches!(err, OutboxRowError::Invalid { kind: "petition_due", .. }), "{err}");
}

#[test]
fn a_sweep_reminder_keeps_the_fields_older_service_workers_read_and_adds_the_report() {
    let s = SweepReminder::from_due(&sweep(), morning());
    assert_eq!(s.doc_id, report_id("hm-350481101-2028-02b", "350481101201"));
    let json: serde_json::Value = serde_json::from_slice(&Notification::Sweep(s).to_json()).unwrap();
    for (k, v) in sweep_row().as_object().unwrap() {
        assert_eq!(&json[k], v, "{k}");
    }
    assert_eq!(json["days_left"], 1);
}

#[test]
fn a_long_campaign_name_is_cut_so_the_message_stays_small() {
    let s = SweepReminder::from_due(&SweepDue { name: "排".repeat(2000), ..sweep() }, morning());
    assert_eq!(s.name.chars().count(), MAX_NAME_CHARS);
    assert!(Notification::Sweep(s).to_json().len() < 600);
}

#[test]
fn every_outbox_kind_the_server_writes_has_a_notification() {
    let case_row = json!({
        "doc": DOC, "case_no": "永安-2028-000007", "village": "350481101201",
        "category": "land", "severity": "urgent",
    });
    for kind in ["urgent", "escalation", "overdue", "due_soon", "chase"] {
        let e = OutboxEvent::from_row(kind, &case_row.to_string()).unwrap();
        assert!(
            matches!(Notification::from_event(&e, &places(), morning()), Notification::Case(_)),
            "{kind}"
        );
    }
    let n = Notification::from_event(&OutboxEvent::PetitionDue(petition()), &places(), morning());
    assert_eq!(n.send_options().topic.unwrap(), crate::push::Topic::for_case(&DOC.parse().unwrap()));
    let n = Notification::from_event(&OutboxEvent::SweepReminder(sweep()), &Places::default(), morning());
    assert_eq!(n.send_options().topic.unwrap().as_str(), "sweep-reminder");
    assert_eq!(
        OutboxEvent::from_row("mystery", "{}").unwrap_err().to_string(),
        "unknown outbox kind \"mystery\": no notification is defined for it"
    );
}
