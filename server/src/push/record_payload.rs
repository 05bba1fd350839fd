//! What a reminder about a record other than a case says: a petition's statutory deadline
//! (信访事项) and a sweep a village has not answered (排查).
//!
//! The same rule as the case payload: the message crosses a third-party push service, so it
//! carries places, stages and dates — never the petitioner's name, phone, ID number or request.
//! Every field is taken from the typed outbox event (`Stage`, `DeadlineKind`, a number), so a
//! personal field that finds its way into a stored row can't reach a notification by accident.

use serde::Serialize;
use sync_protocol::DocId;
use sync_protocol::calendar::{beijing_day, date_string};
use sync_protocol::outbox::{PetitionDue, SweepDue};
use sync_protocol::rules::petition::days_left_to;
use sync_protocol::sweep::report_id;

use super::notification::Places;
use super::payload::PAYLOAD_VERSION;

/// The `kind` the service worker dispatches on (the outbox kinds' names).
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
    /// From a `petition_due` event. Days left are counted at `now_ms`, not when the row was
    /// written, so a retried delivery does not show yesterday's count.
    pub fn from_due(p: &PetitionDue, places: &Places, now_ms: i64) -> Self {
        Self {
            v: PAYLOAD_VERSION,
            kind: PETITION_DUE,
            doc_id: p.doc,
            stage: p.stage.as_str(),
            deadline: p.deadline.kind.as_str(),
            date: date_string(beijing_day(p.deadline.due_ms - 1)),
            days_left: days_left_to(p.deadline.due_ms, now_ms),
            township: places.township.clone(),
            village: places.village.clone(),
        }
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
    /// From a `sweep_reminder` event.
    pub fn from_due(s: &SweepDue, now_ms: i64) -> Self {
        Self {
            v: PAYLOAD_VERSION,
            kind: SWEEP_REMINDER,
            doc_id: report_id(&s.campaign, &s.village),
            campaign: s.campaign.clone(),
            name: s.name.chars().take(MAX_NAME_CHARS).collect(),
            village: s.village.clone(),
            village_name: s.village_name.clone(),
            deadline: s.deadline,
            days_left: days_left_to(s.deadline, now_ms),
        }
    }
}

#[cfg(test)]
#[path = "record_payload_tests.rs"]
mod tests;
