//! What the server owes people: one [`OutboxEvent`] per cause (a case became urgent, a deadline
//! passed, a sweep went unanswered…), written in the same transaction as the change that caused
//! it and turned into deliveries afterwards.
//!
//! Never on the wire: the server keeps these rows (`outbox.kind` and `outbox.payload`). They
//! live here because their words — category, severity, petition stage — are this crate's, and
//! because writers (merge, clocks) and readers (the channels) must agree on one shape. A
//! payload carries places, stages and dates only — never a party's name, phone, the title or
//! the description — so nothing personal can reach a notification through it.

use serde::{Deserialize, Serialize};

use crate::DocId;
use crate::case::{Category, Severity};
use crate::rules::petition::{DeadlineKind, Stage};

/// One outbox row: its `kind` column is the serde tag, its `payload` column the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutboxEvent {
    /// A case became urgent (new urgent case, or severity raised to urgent).
    Urgent(CaseFacts),
    /// An urgent case nobody acknowledged in time, sent one level up.
    Escalation(CaseFacts),
    /// A case's deadline passed.
    Overdue(CaseFacts),
    /// A case's deadline is tomorrow or today.
    DueSoon(CaseFacts),
    /// A county or city administrator chased the case (催办).
    Chase(CaseFacts),
    /// The office's deadline on a petition (信访事项) is near.
    PetitionDue(PetitionDue),
    /// A village has not answered a sweep (排查).
    SweepReminder(SweepDue),
}

/// The few facts about a case that an alert may carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub doc: DocId,
    /// `None` only if the alert is raised before the server numbered the case.
    pub case_no: Option<String>,
    /// The village's unit code (its names are looked up when sent).
    pub village: String,
    pub category: Category,
    pub severity: Severity,
    /// For deadline reminders: the first late instant (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PetitionDue {
    pub doc: DocId,
    pub village: String,
    pub stage: Stage,
    pub deadline: PetitionDeadline,
    /// Whole days left when the row was written (the sender counts again when it sends).
    pub days_left: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PetitionDeadline {
    pub kind: DeadlineKind,
    /// The first late instant: 00:00 Beijing time of the day after the last day.
    pub due_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepDue {
    pub campaign: String,
    /// The campaign's name as its leader typed it.
    pub name: String,
    pub village: String,
    pub village_name: String,
    /// The campaign's deadline, Unix ms.
    pub deadline: i64,
}

/// Why a stored row is not an [`OutboxEvent`]. Retrying won't help: the row is as it is.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum OutboxRowError {
    /// Written by a newer server, or by hand: no notification is defined for it.
    #[error("unknown outbox kind {0:?}: no notification is defined for it")]
    UnknownKind(String),
    #[error("outbox row of kind {kind:?} is unreadable: {reason}")]
    Invalid { kind: &'static str, reason: String },
}

impl OutboxEvent {
    /// Every `kind` column value, in declaration order.
    pub const KINDS: &'static [&'static str] =
        &["urgent", "escalation", "overdue", "due_soon", "chase", "petition_due", "sweep_reminder"];

    /// The `kind` column.
    pub fn kind(&self) -> &'static str {
        let i = match self {
            Self::Urgent(_) => 0,
            Self::Escalation(_) => 1,
            Self::Overdue(_) => 2,
            Self::DueSoon(_) => 3,
            Self::Chase(_) => 4,
            Self::PetitionDue(_) => 5,
            Self::SweepReminder(_) => 6,
        };
        Self::KINDS[i]
    }

    /// The `payload` column: the event without its tag (the tag is the `kind` column, and an
    /// escalation copies an urgent row's payload under its own kind).
    pub fn payload(&self) -> String {
        let mut v = serde_json::to_value(self).expect("an outbox event is plain data");
        if let Some(o) = v.as_object_mut() {
            o.remove("kind");
        }
        v.to_string()
    }

    /// Read a stored row back. Fields a row has beyond its kind's (older rows carried a
    /// version and their kind in the payload too) are ignored.
    pub fn from_row(kind: &str, payload: &str) -> Result<Self, OutboxRowError> {
        let Some(&kind) = Self::KINDS.iter().find(|k| **k == kind) else {
            return Err(OutboxRowError::UnknownKind(kind.chars().take(64).collect()));
        };
        let err = |reason: String| OutboxRowError::Invalid { kind, reason };
        let mut v: serde_json::Value = serde_json::from_str(payload).map_err(|e| err(e.to_string()))?;
        let o = v.as_object_mut().ok_or_else(|| err("payload is not an object".into()))?;
        o.insert("kind".into(), kind.into());
        serde_json::from_value(v).map_err(|e| err(e.to_string()))
    }

    /// The case an alert is about, for the kinds that are about a case.
    pub fn case(&self) -> Option<&CaseFacts> {
        match self {
            Self::Urgent(c) | Self::Escalation(c) | Self::Overdue(c) | Self::DueSoon(c) | Self::Chase(c) => {
                Some(c)
            }
            Self::PetitionDue(_) | Self::SweepReminder(_) => None,
        }
    }

    /// The village the event is about (its names are looked up when sent).
    pub fn village(&self) -> &str {
        match self {
            Self::PetitionDue(p) => &p.village,
            Self::SweepReminder(s) => &s.village,
            other => other.case().map(|c| c.village.as_str()).unwrap_or_default(),
        }
    }

    /// Urgent and escalated cases are the ones that must reach someone within minutes.
    pub fn is_urgent(&self) -> bool {
        matches!(self, Self::Urgent(_) | Self::Escalation(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b";

    fn case() -> CaseFacts {
        CaseFacts {
            doc: DOC.parse().unwrap(),
            case_no: Some("永安-2026-000123".into()),
            village: "350481101201".into(),
            category: Category::GroupPetition,
            severity: Severity::Urgent,
            due: None,
        }
    }

    #[test]
    fn a_case_row_keeps_the_payload_shape_stored_rows_have() {
        let e = OutboxEvent::Urgent(case());
        assert_eq!(e.kind(), "urgent");
        let stored: serde_json::Value = serde_json::from_str(&e.payload()).unwrap();
        assert_eq!(
            stored,
            serde_json::json!({
                "doc": DOC, "case_no": "永安-2026-000123", "village": "350481101201",
                "category": "group_petition", "severity": "urgent",
            })
        );
        assert_eq!(OutboxEvent::from_row("urgent", &e.payload()).unwrap(), e);
        // An escalation is an urgent row's payload under another kind.
        assert_eq!(
            OutboxEvent::from_row("escalation", &e.payload()).unwrap(),
            OutboxEvent::Escalation(case())
        );
    }

    #[test]
    fn every_kind_reads_back_what_was_written() {
        let events = [
            OutboxEvent::Overdue(CaseFacts { due: Some(1_700_000_000_000), ..case() }),
            OutboxEvent::DueSoon(case()),
            OutboxEvent::Chase(case()),
            OutboxEvent::PetitionDue(PetitionDue {
                doc: DOC.parse().unwrap(),
                village: "350481101201".into(),
                stage: Stage::AwaitingDecision,
                deadline: PetitionDeadline { kind: DeadlineKind::Decide, due_ms: 1_700_000_000_000 },
                days_left: 3,
            }),
            OutboxEvent::SweepReminder(SweepDue {
                campaign: "hm-1".into(),
                name: "2月下半月排查".into(),
                village: "350481101201".into(),
                village_name: "埔头村".into(),
                deadline: 1_700_000_000_000,
            }),
        ];
        for e in events {
            assert!(OutboxEvent::KINDS.contains(&e.kind()));
            assert_eq!(OutboxEvent::from_row(e.kind(), &e.payload()).unwrap(), e);
        }
    }

    #[test]
    fn rows_written_before_the_type_existed_still_read() {
        let old_sweep = r#"{"v":1,"kind":"sweep_reminder","campaign":"c","name":"n","village":"v","village_name":"埔头村","deadline":5}"#;
        assert!(matches!(
            OutboxEvent::from_row("sweep_reminder", old_sweep),
            Ok(OutboxEvent::SweepReminder(_))
        ));
        let old_petition = r#"{"doc":"6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b","village":"v","stage":"handling",
            "deadline":{"kind":"reply","owner":"office","date":"2028-02-29","due_ms":9},"days_left":1}"#;
        assert!(matches!(
            OutboxEvent::from_row("petition_due", old_petition),
            Ok(OutboxEvent::PetitionDue(_))
        ));
    }

    #[test]
    fn unknown_kinds_and_bad_fields_are_refused_with_the_reason() {
        let payload = OutboxEvent::Urgent(case()).payload();
        let e = OutboxEvent::from_row("apocalypse", &payload).unwrap_err();
        assert_eq!(e, OutboxRowError::UnknownKind("apocalypse".into()));
        let bad = payload.replace("\"urgent\"", "\"apocalyptic\"");
        let e = OutboxEvent::from_row("urgent", &bad).unwrap_err();
        assert!(e.to_string().contains("apocalyptic"), "{e}");
        assert!(OutboxEvent::from_row("urgent", "not json").is_err());
        assert!(OutboxEvent::from_row("urgent", "[1]").is_err());
    }
}
