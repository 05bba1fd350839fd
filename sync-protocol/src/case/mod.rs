//! The incident / dispute case (矛盾纠纷 / 不安定因素): one Automerge document per case.
//!
//! Field by field, with the Automerge type each must have (see `PROTOCOL.md` §Documents):
//!
//! | key | type | rule |
//! |---|---|---|
//! | `schema_version` | Int/Uint | `1`; immutable |
//! | `kind` | Str | `"case"`; immutable |
//! | `case_no` | Str | written once by the server on first merge (`永安-2026-000123`) |
//! | `village` | Str | org-unit code of the village; immutable |
//! | `category`, `severity`, `status` | Str | enums below |
//! | `title` | Str | 1–100 characters |
//! | `description` | Text | ≤ 5,000 characters (soft: see [`limits`]) |
//! | `parties` | List of Map `{name, phone?, note?}` | ≤ 50 (soft) |
//! | `reporter` | Str | user id; immutable, must be the creating user |
//! | `reported_at` | Timestamp | immutable |
//! | `location` | Map `{lat, lon, accuracy_m?}` or absent/Null | |
//! | `timeline` | List of Map `{id, kind, at, by, text}` | ≤ 2,000 (soft) |
//! | `attachments` | List of Map `{sha256, mime, size, name?}` | ≤ 50 (soft) |
//! | `responsible_leader`, `handler` | Str (user id) or Null | |
//! | `deadline` | Timestamp or Null | a calendar day in Beijing time (see `rules::overdue`) |
//!
//! Plus the casework keys (`transitions`, `outcome`, `closing_note`, `resolution_plan`) in
//! [`casework`].

pub mod casework;
pub mod clock;
mod enums;
pub mod limits;
pub(crate) mod read;
pub mod write;

pub use casework::{Agreement, Casework, Transition};
pub use clock::{ClockCorrection, CorrectedField};
pub use enums::{Category, Outcome, Severity, Status, TimelineKind};
pub use limits::OverLimit;
pub use read::read_case;

use serde::Serialize;

use crate::schema::SchemaError;

pub const SCHEMA_VERSION: i64 = 1;
pub const KIND: &str = "case";

/// A case as it stands at some heads: the server's projection and the API's answer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub schema_version: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub case_no: Option<String>,
    pub village: String,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    pub title: String,
    pub description: String,
    pub parties: Vec<Party>,
    pub reporter: String,
    /// Milliseconds since the Unix epoch, as every timestamp here.
    pub reported_at: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub location: Option<Location>,
    pub timeline: Vec<TimelineEntry>,
    pub attachments: Vec<Attachment>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub responsible_leader: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub handler: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub deadline: Option<i64>,
    /// Fields that hold more than one concurrent value, with every value as text. Empty when
    /// nobody disagrees.
    pub conflicts: Vec<Conflict>,
    /// Times the server corrected because the phone's clock was wrong (PROTOCOL.md §11).
    pub clock_corrections: Vec<ClockCorrection>,
    /// Lifecycle, outcome and plan; flattened into the projection's JSON.
    #[serde(flatten)]
    pub work: Casework,
    /// Fields over their product limit after concurrent edits: to be shortened. Empty normally.
    pub over_limits: Vec<OverLimit>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Party {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub note: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub accuracy_m: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub id: String,
    pub kind: TimelineKind,
    pub at: i64,
    pub by: String,
    pub text: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub name: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub field: String,
    pub values: Vec<String>,
}

/// Who is making a change, as far as the schema cares. Permissions by role come later, in the
/// server's permission module; these rules hold whoever writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer<'a> {
    /// A device acting for this user id.
    User(&'a str),
    /// The server itself (assigning case numbers).
    Server,
}

/// Check that going from `before` (None for a new case) to `after` keeps every invariant that
/// a single document cannot express: immutable fields, the creator, the server-owned number.
pub fn check_transition(before: Option<&Case>, after: &Case, writer: Writer<'_>) -> Result<(), SchemaError> {
    match before {
        None => {
            if let Writer::User(user) = writer {
                if after.reporter != user {
                    return Err(SchemaError::new("reporter", "a new case must name its creator as reporter"));
                }
                if after.case_no.is_some() {
                    return Err(SchemaError::new("case_no", "only the server assigns case numbers"));
                }
                if !after.clock_corrections.is_empty() {
                    return Err(SchemaError::new("clock_corrections", "only the server corrects times"));
                }
            }
        }
        Some(before) => {
            let immutable = [
                ("schema_version", before.schema_version == after.schema_version),
                ("village", before.village == after.village),
                ("reporter", before.reporter == after.reporter),
                ("reported_at", before.reported_at == after.reported_at),
                (
                    "clock_corrections",
                    writer == Writer::Server || before.clock_corrections == after.clock_corrections,
                ),
            ];
            if let Some((field, _)) = immutable.iter().find(|(_, same)| !same) {
                return Err(SchemaError::new(*field, "cannot change after the case is created"));
            }
            let number_changed = before.case_no != after.case_no;
            let server_may = writer == Writer::Server && before.case_no.is_none();
            if number_changed && !server_may {
                return Err(SchemaError::new("case_no", "only the server assigns case numbers, once"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
