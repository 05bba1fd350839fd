//! A case as the API serves it: `GET /cases`, `GET /cases/{doc}` and, as it stood at a time,
//! `GET /cases/{doc}/as-of`.
//!
//! The projection stores this JSON when a merge commits (`merge::case_row`), and the list and
//! one-case answers send the stored text as it is; so the bodies are made here and only here.

use serde::Serialize;
use sync_protocol::DocId;
use sync_protocol::case::Case;
use utoipa::ToSchema;

/// One case: its document id and every field of the document as the strict schema reads it
/// (`sync_protocol::case::Case`; PROTOCOL.md §Documents). Times are ms since the epoch.
#[derive(Serialize, ToSchema)]
pub struct CaseView<'a> {
    pub doc: String,
    #[serde(flatten)]
    pub case: &'a Case,
}

impl CaseView<'_> {
    /// The JSON the projection stores and the API sends.
    pub fn json(doc: DocId, case: &Case) -> String {
        sorted_json(&CaseView { doc: doc.to_string(), case })
    }
}

/// Through a `Value`, whose keys are sorted: every body stored before these types existed was
/// written that way, so rows from before and after read byte for byte alike.
pub fn sorted_json<T: Serialize>(body: &T) -> String {
    serde_json::to_value(body).map(|v| v.to_string()).unwrap_or_default()
}

/// A past state the strict schema refuses (a phone wrote a field with the wrong type and it
/// was fixed later): shown through the tolerant reading, so an auditor still sees what was
/// there. Its other keys are the document's own, whatever they held.
#[derive(Serialize, ToSchema)]
pub struct UnreadableCase {
    pub doc: String,
    /// Why the strict schema refuses this state.
    pub schema_error: String,
    #[serde(flatten)]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// `GET /cases/{doc}/as-of`: the case as it stood, in the shape `GET /cases/{doc}` gives it;
/// or, for a state the schema refuses, the tolerant reading with the reason.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum AsOf<'a> {
    Case(CaseView<'a>),
    Unreadable(UnreadableCase),
}
