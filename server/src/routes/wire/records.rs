//! Petitions, downward visits, villages and the people directory.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::store::RecordListing;

/// A record (petition item or visit) as the projection has it.
#[derive(Serialize, ToSchema)]
pub struct Record {
    pub doc: String,
    /// `petition` or `visit`.
    pub kind: String,
    pub unit_code: String,
    #[schema(required = true)]
    pub ref_key: Option<String>,
    #[schema(required = true)]
    pub status: Option<String>,
    /// The next statutory deadline (Unix ms).
    #[schema(required = true)]
    pub due_at: Option<i64>,
    #[schema(required = true)]
    pub at: Option<i64>,
    #[schema(required = true)]
    pub person: Option<String>,
    /// The record's document as JSON (see PROTOCOL.md for each kind's fields).
    pub body: Value,
}

impl From<RecordListing> for Record {
    fn from(r: RecordListing) -> Self {
        Record {
            doc: r.doc,
            kind: r.kind,
            unit_code: r.unit_code,
            ref_key: r.ref_key,
            status: r.status,
            due_at: r.due_at,
            at: r.at,
            person: r.person,
            body: r.body,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PetitionItem {
    #[serde(flatten)]
    pub record: Record,
    /// Days left before `due_at` (0 on the last day, negative when overdue); `null` when no
    /// deadline runs.
    #[schema(required = true)]
    pub days_left: Option<i64>,
    /// No deadline left, or the petitioner's window to ask for review has closed.
    pub finished: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmDate {
    /// The corrected date's `field` as `pending_dates` lists it (`decision.at`).
    pub field: String,
    /// When the step happened (Unix ms).
    pub date: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Village {
    pub code: String,
    pub name: String,
    /// Where it is (WGS-84 degrees), when an administrator has said so: both or neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct People {
    pub people: Vec<Person>,
}

#[derive(Serialize, ToSchema)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub role: String,
    pub unit_code: String,
    pub unit_name: String,
}
