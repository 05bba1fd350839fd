//! What an alert says, and the topic that lets repeats about one case collapse.
//!
//! The payload crosses a third-party push service (Google, Mozilla, Apple), encrypted but
//! still outside our control, so it carries only what a leader needs to decide to open the
//! app — never a party's name, phone, the title or the description. The service worker
//! fetches the rest by syncing.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sync_protocol::DocId;
use sync_protocol::case::{Case, Category, Severity};

use sync_protocol::outbox::{CaseFacts, OutboxEvent};

use super::notification::Places;

/// Bumped when a field changes meaning, so an old service worker can fall back to a generic
/// notification instead of showing garbage.
pub const PAYLOAD_VERSION: u32 = 1;

/// Why the leader's phone buzzes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A case became urgent (new urgent case, or severity raised to urgent).
    Urgent,
    /// An urgent case nobody acknowledged in time, sent one level up.
    Escalation,
    /// A deadline passed.
    Reminder,
    /// The deadline is tomorrow or today.
    DueSoon,
    /// A county or city administrator chased the case (催办).
    Chase,
}

impl AlertKind {
    /// The alert `event` raises and the case it is about, if it is about a case.
    pub fn of(event: &OutboxEvent) -> Option<(Self, &CaseFacts)> {
        Some(match event {
            OutboxEvent::Urgent(c) => (Self::Urgent, c),
            OutboxEvent::Escalation(c) => (Self::Escalation, c),
            OutboxEvent::Overdue(c) => (Self::Reminder, c),
            OutboxEvent::DueSoon(c) => (Self::DueSoon, c),
            OutboxEvent::Chase(c) => (Self::Chase, c),
            OutboxEvent::PetitionDue(_) | OutboxEvent::SweepReminder(_) => return None,
        })
    }
}

/// The JSON the service worker receives. Serialised field by field as declared here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertPayload {
    /// Payload format version ([`PAYLOAD_VERSION`]).
    pub v: u32,
    pub kind: AlertKind,
    /// The case's document, to open it (hyphenated UUID in JSON).
    pub doc_id: DocId,
    /// `永安-2026-000123`; `None` only if the alert is raised before the server numbered it.
    pub case_no: Option<String>,
    /// The township's display name (a place, not a person).
    pub township: String,
    pub category: Category,
    pub severity: Severity,
    /// The acknowledgement link of the one SMS this payload goes in; never pushed (the app
    /// acknowledges by itself), never stored.
    #[serde(skip)]
    pub ack_link: Option<String>,
}

impl AlertPayload {
    /// The payload for `case`: picks the few non-personal fields and nothing else, so a new
    /// personal field added to `Case` can't leak into notifications by accident.
    pub fn from_case(kind: AlertKind, doc_id: DocId, case: &Case, township: &str) -> Self {
        Self {
            v: PAYLOAD_VERSION,
            kind,
            doc_id,
            case_no: case.case_no.clone(),
            township: township.to_owned(),
            category: case.category,
            severity: case.severity,
            ack_link: None,
        }
    }

    /// From a case's outbox event, with the township's name looked up.
    pub fn from_facts(kind: AlertKind, facts: &CaseFacts, places: &Places) -> Self {
        Self {
            v: PAYLOAD_VERSION,
            kind,
            doc_id: facts.doc,
            case_no: facts.case_no.clone(),
            township: places.township.clone(),
            category: facts.category,
            severity: facts.severity,
            ack_link: None,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("the alert payload is plain data and always serialises")
    }

    /// The topic under which this alert replaces an undelivered earlier one for the same case.
    pub fn topic(&self) -> Topic {
        Topic::for_case(&self.doc_id)
    }
}

/// Once a day, how many non-urgent cases came in: news that should not buzz a phone the
/// moment it happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestPayload {
    pub v: u32,
    pub kind: &'static str,
    pub cases: i64,
    /// The leader's unit's display name.
    pub area: String,
}

impl DigestPayload {
    pub fn new(cases: i64, area: &str) -> Self {
        Self { v: PAYLOAD_VERSION, kind: "digest", cases, area: area.to_owned() }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("the digest payload is plain data and always serialises")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a push topic is 1 to 32 base64url characters, got {0:?}")]
pub struct TopicError(pub String);

/// RFC 8030 §5.4 `Topic`: a pending message with the same topic is replaced by the newer one,
/// so a leader who comes back online sees the latest state of a case, not a stack of buzzes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic(String);

impl Topic {
    pub const MAX_LEN: usize = 32;

    pub fn new(topic: &str) -> Result<Self, TopicError> {
        let valid_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if topic.is_empty() || topic.len() > Self::MAX_LEN || !topic.chars().all(valid_char) {
            return Err(TopicError(topic.chars().take(64).collect()));
        }
        Ok(Self(topic.to_owned()))
    }

    /// The case's 16-byte id in base64url: 22 characters, always valid, one per case. (The
    /// hyphenated UUID is 36 characters, over the limit.) Any document's id serves the same way.
    pub fn for_case(doc_id: &DocId) -> Self {
        Self(URL_SAFE_NO_PAD.encode(doc_id.as_bytes()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> AlertPayload {
        AlertPayload {
            v: PAYLOAD_VERSION,
            kind: AlertKind::Urgent,
            doc_id: "6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b".parse().unwrap(),
            case_no: Some("永安-2026-000123".into()),
            township: "永安镇".into(),
            category: Category::GroupPetition,
            severity: Severity::Urgent,
            ack_link: None,
        }
    }

    #[test]
    fn the_payload_serialises_to_the_fields_the_service_worker_reads() {
        let json: serde_json::Value = serde_json::from_slice(&payload().to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "v": 1,
                "kind": "urgent",
                "doc_id": "6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b",
                "case_no": "永安-2026-000123",
                "township": "永安镇",
                "category": "group_petition",
                "severity": "urgent",
            })
        );
    }

    #[test]
    fn a_case_outbox_event_becomes_the_case_payload_with_the_township_looked_up() {
        let facts = CaseFacts {
            doc: "6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b".parse().unwrap(),
            case_no: Some("永安-2026-000123".into()),
            village: "350481101201".into(),
            category: Category::GroupPetition,
            severity: Severity::Urgent,
            due: None,
        };
        let places = Places { township: "永安镇".into(), village: "埔头村".into() };
        let urgent = OutboxEvent::Urgent(facts.clone());
        let (kind, f) = AlertKind::of(&urgent).unwrap();
        assert_eq!(AlertPayload::from_facts(kind, f, &places), payload());
        assert_eq!(AlertKind::of(&OutboxEvent::Overdue(facts)).map(|(k, _)| k), Some(AlertKind::Reminder));
    }

    #[test]
    fn a_payload_fits_well_inside_the_web_push_limit() {
        assert!(payload().to_json().len() < 400);
    }

    #[test]
    fn a_case_topic_is_a_valid_topic_and_stable_per_case() {
        let p = payload();
        let topic = p.topic();
        assert_eq!(topic.as_str().len(), 22);
        assert_eq!(Topic::new(topic.as_str()).unwrap(), topic);
        assert_eq!(Topic::for_case(&p.doc_id), topic);
        assert_ne!(Topic::for_case(&DocId::random()), topic);
    }

    #[test]
    fn topics_outside_the_base64url_alphabet_or_too_long_are_refused() {
        assert!(Topic::new("case_42-A").is_ok());
        assert!(Topic::new(&"a".repeat(32)).is_ok());
        for bad in ["", "has space", "slash/", "plus+", "等", &"a".repeat(33)] {
            assert!(Topic::new(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
