//! One outbox event → the notification it becomes: each kind with a payload of its own and
//! the push options that suit it. The event is typed ([`OutboxEvent`]), so every kind the
//! server writes has exactly one notification; a stored row nobody can read was refused when
//! it was read (`OutboxRowError`), before it got here.

use sync_protocol::DocId;
use sync_protocol::outbox::OutboxEvent;

use super::payload::{AlertKind, AlertPayload, Topic};
use super::record_payload::{PetitionReminder, SweepReminder};
use super::send::{SendOptions, Urgency};

/// Display names of the places a notification mentions (places, not people). Empty when the
/// unit is unknown: the notification still goes, with less to say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub township: String,
    pub village: String,
}

/// Does the notification for `event` name its village and township (looked up by the
/// caller)? A sweep row carries its village's name itself.
pub fn needs_places(event: &OutboxEvent) -> bool {
    !matches!(event, OutboxEvent::SweepReminder(_))
}

/// What one delivery sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Notification {
    Case(AlertPayload),
    Petition(PetitionReminder),
    Sweep(SweepReminder),
}

impl Notification {
    /// The notification for `event`, sent at `now_ms`.
    pub fn from_event(event: &OutboxEvent, places: &Places, now_ms: i64) -> Self {
        match event {
            OutboxEvent::PetitionDue(p) => Self::Petition(PetitionReminder::from_due(p, places, now_ms)),
            OutboxEvent::SweepReminder(s) => Self::Sweep(SweepReminder::from_due(s, now_ms)),
            case => {
                let (kind, facts) = AlertKind::of(case).expect("every other kind is about a case");
                Self::Case(AlertPayload::from_facts(kind, facts, places))
            }
        }
    }

    pub fn doc_id(&self) -> DocId {
        match self {
            Self::Case(p) => p.doc_id,
            Self::Petition(p) => p.doc_id,
            Self::Sweep(p) => p.doc_id,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let json = match self {
            Self::Case(p) => return p.to_json(),
            Self::Petition(p) => serde_json::to_vec(p),
            Self::Sweep(p) => serde_json::to_vec(p),
        };
        json.expect("a reminder payload is plain data and always serialises")
    }

    /// Urgency and topic: a case alert may wake a phone in battery saving; a reminder is about
    /// days, not minutes. Repeats about one document replace each other on the push service;
    /// sweep reminders share one topic, as the sweep clock always sent them.
    pub fn send_options(&self) -> SendOptions {
        match self {
            Self::Case(p) => SendOptions::for_alert(p),
            Self::Petition(p) => SendOptions {
                urgency: Urgency::Normal,
                topic: Some(Topic::for_case(&p.doc_id)),
                ..SendOptions::default()
            },
            Self::Sweep(_) => SendOptions {
                urgency: Urgency::Normal,
                topic: Topic::new("sweep-reminder").ok(),
                ..SendOptions::default()
            },
        }
    }
}
