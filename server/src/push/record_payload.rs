//! What a reminder about a record other than a case says: a petition's statutory deadline
//! (信访事项) and a sweep a village has not answered (排查).
//!
//! The same rule as the case payload: the message crosses a third-party push service, so it
//! carries places, stages and dates — never the petitioner's name, phone, ID number or request.
//! Every field is read from the outbox row through a type (`Stage`, `DeadlineKind`, a number),
//! so a personal field that finds its way into the row can't reach a notification by accident.

use serde::Serialize;
use serde_json::Value;
use sync_protocol::DocId;
use sync_protocol::rules::petition::{DeadlineKind, Stage, beijing_day, date_string, days_left_to};
use sync_protocol::sweep::report_id;

use super::notification::{PayloadError, Places};
use super::payload::PAYLOAD_VERSION;

/// The outbox kinds and the `kind` the service worker dispatches on.
pub const PETITION_DUE: &str = "petition_due";
pub const SWEEP_REMINDER: &str = "sweep_reminder";

/// A campaign's name is typed by a leader: enough of it to recognise the campaign, and a
/// bound on the message size whatever was typed.
const MAX_NAME_CHARS: usize = 40;

/// "The office's deadline on this petition is near": to the petition staff covering it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetitionReminder {
    pub v: u32,
    pub kind: &'static str,
    /// The petition's document, to open it.
    pub doc_id: DocId,
    /// Where the item stands (`awaiting_decision`, `handling`, …).
    pub stage: &'static str,
    /// Which of the office's deadlines runs (`decide`, `reply`, `answer_review`, …).
    pub deadline: &'static str,
    /// The deadline's last day, `YYYY-MM-DD` in Beijing time.
    pub date: String,
    /// Whole days from today to `date` when sent: 0 on the last day.
    pub days_left: i64,
    pub township: String,
    pub village: String,
}

impl PetitionReminder {
    /// From a `petition_due` outbox row (`{doc, village, stage, deadline: {kind, due_ms, …},
    /// days_left}`). Days left are counted at `now_ms`, not when the row was written, so a
    /// retried delivery does not show yesterday's count.
    pub fn from_outbox(row: &Value, places: &Places, now_ms: i64) -> Result<Self, PayloadError> {
        let stage: Stage = parse(row, "/stage")?;
        let deadline: DeadlineKind = parse(row, "/deadline/kind")?;
        let due_ms = row
            .pointer("/deadline/due_ms")
            .and_then(Value::as_i64)
            .ok_or(PayloadError::Missing("deadline/due_ms"))?;
        Ok(Self {
            v: PAYLOAD_VERSION,
            kind: PETITION_DUE,
            doc_id: parse(row, "/doc")?,
            stage: stage.as_str(),
            deadline: deadline.as_str(),
            date: date_string(beijing_day(due_ms - 1)),
            days_left: days_left_to(due_ms, now_ms),
            township: places.township.clone(),
            village: places.village.clone(),
        })
    }
}

/// "Your village has not answered this sweep": to the village's officers. The field names are
/// those the sweep clock sent before this payload had a type of its own, so service workers
/// installed then still read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepReminder {
    pub v: u32,
    pub kind: &'static str,
    /// The village's report in the campaign (derived from both, as the phones derive it).
    pub doc_id: DocId,
    pub campaign: String,
    /// The campaign's name, cut to [`MAX_NAME_CHARS`].
    pub name: String,
    /// The village's code and display name.
    pub village: String,
    pub village_name: String,
    /// The campaign's deadline, Unix ms.
    pub deadline: i64,
    pub days_left: i64,
}

impl SweepReminder {
    /// From a `sweep_reminder` outbox row (`{campaign, name, village, village_name, deadline}`).
    pub fn from_outbox(row: &Value, now_ms: i64) -> Result<Self, PayloadError> {
        let text = |k: &'static str| row[k].as_str().ok_or(PayloadError::Missing(k));
        let (campaign, village) = (text("campaign")?, text("village")?);
        let deadline = row["deadline"].as_i64().ok_or(PayloadError::Missing("deadline"))?;
        Ok(Self {
            v: PAYLOAD_VERSION,
            kind: SWEEP_REMINDER,
            doc_id: report_id(campaign, village),
            campaign: campaign.to_owned(),
            name: text("name")?.chars().take(MAX_NAME_CHARS).collect(),
            village: village.to_owned(),
            village_name: text("village_name")?.to_owned(),
            deadline,
            days_left: days_left_to(deadline, now_ms),
        })
    }
}

/// The string at `pointer`, parsed as `T`.
pub(super) fn parse<T: std::str::FromStr>(row: &Value, pointer: &'static str) -> Result<T, PayloadError>
where
    T::Err: std::fmt::Display,
{
    let field = pointer.trim_start_matches('/');
    let s = row.pointer(pointer).and_then(Value::as_str).ok_or(PayloadError::Missing(field))?;
    s.parse().map_err(|e: T::Err| PayloadError::Invalid { field, reason: e.to_string() })
}

#[cfg(test)]
#[path = "record_payload_tests.rs"]
mod tests;
