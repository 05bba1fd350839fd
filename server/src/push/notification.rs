//! One outbox row → the notification it becomes: dispatched on the row's kind, each kind with a
//! payload of its own and the push options that suit it.
//!
//! A row whose kind nobody knows is refused with [`PayloadError::UnknownKind`] (the delivery is
//! marked failed with that reason), rather than dressed up as some other alert.

use std::str::FromStr;

use serde_json::Value;
use sync_protocol::DocId;

use super::payload::{AlertKind, AlertPayload, Topic};
use super::record_payload::{PETITION_DUE, PetitionReminder, SWEEP_REMINDER, SweepReminder};
use super::send::{SendOptions, Urgency};

/// Why an outbox row can't become a notification. Retrying won't help: the row is as it is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    #[error("unknown outbox kind {0:?}: no notification is defined for it")]
    UnknownKind(String),
    #[error("outbox payload is not JSON: {0}")]
    NotJson(String),
    #[error("outbox payload has no {0}")]
    Missing(&'static str),
    #[error("outbox payload's {field} is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
}

/// Display names of the places a notification mentions (places, not people). Empty when the
/// unit is unknown: the notification still goes, with less to say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub township: String,
    pub village: String,
}

/// The kinds of outbox row, as the worker dispatches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    Case(AlertKind),
    PetitionDue,
    SweepReminder,
}

impl FromStr for OutboxKind {
    type Err = PayloadError;

    fn from_str(kind: &str) -> Result<Self, PayloadError> {
        match kind {
            PETITION_DUE => Ok(Self::PetitionDue),
            SWEEP_REMINDER => Ok(Self::SweepReminder),
            other => AlertKind::from_outbox(other)
                .map(Self::Case)
                .ok_or_else(|| PayloadError::UnknownKind(other.chars().take(64).collect())),
        }
    }
}

impl OutboxKind {
    /// Does the notification name the row's village and township (looked up by the caller)?
    /// A sweep row carries its village's name itself.
    pub fn needs_places(self) -> bool {
        !matches!(self, Self::SweepReminder)
    }
}

/// What one delivery sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Notification {
    Case(AlertPayload),
    Petition(PetitionReminder),
    Sweep(SweepReminder),
}

impl Notification {
    /// The notification for an outbox row of `kind` with payload `row` (its JSON text), sent at
    /// `now_ms`.
    pub fn from_outbox(
        kind: OutboxKind,
        row: &str,
        places: &Places,
        now_ms: i64,
    ) -> Result<Self, PayloadError> {
        let row: Value = serde_json::from_str(row).map_err(|e| PayloadError::NotJson(e.to_string()))?;
        Ok(match kind {
            OutboxKind::Case(alert) => Self::Case(AlertPayload::from_outbox(alert, &row, places)?),
            OutboxKind::PetitionDue => Self::Petition(PetitionReminder::from_outbox(&row, places, now_ms)?),
            OutboxKind::SweepReminder => Self::Sweep(SweepReminder::from_outbox(&row, now_ms)?),
        })
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
