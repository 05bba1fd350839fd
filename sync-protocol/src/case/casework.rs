//! Leaders' casework on the case: the attributed, timed record of every status change, how a
//! closed case was settled, the resolution plan (化解处方) and mediation agreements.
//!
//! | key | type | rule |
//! |---|---|---|
//! | `transitions` | List of Map `{from, to, by, at, outcome?, note?}` | ≤ 500 (soft; see `limits`); append-only; one entry with every status change, by its author |
//! | `outcome` | Str ([`Outcome`]) or Null | set when closing, cleared when reopening |
//! | `closing_note` | Str ≤ 2,000 or Null | |
//! | `resolution_plan` | Text ≤ 5,000 (soft) | |
//! | `timeline[i].attachment` | Str (sha256 of an `attachments` item) | on `mediation` entries: the signed agreement |
//!
//! All four keys may be absent (cases recorded before them read as empty).

use automerge::ReadDoc;
use serde::Serialize;

use super::{Case, Outcome, Status};
use crate::schema::{MapReader, Result, SchemaError};

/// One status change: who moved the case from what to what, and when. A reopen is a transition
/// out of `closed`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
    pub by: String,
    pub at: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub outcome: Option<Outcome>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub note: Option<String>,
}

/// A mediation entry of the timeline and the agreement (an attachment) it refers to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub entry: String,
    pub sha256: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Casework {
    pub transitions: Vec<Transition>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub outcome: Option<Outcome>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub closing_note: Option<String>,
    pub resolution_plan: String,
    /// Two people closed the case concurrently with different outcomes: `conflicts` holds both,
    /// and the case counts as not closed until the responsible leader picks one.
    pub needs_confirmation: bool,
    pub agreements: Vec<Agreement>,
}

fn present<D: ReadDoc>(m: &MapReader<'_, D>, key: &str) -> bool {
    matches!(m.doc.get(&m.obj, key), Ok(Some(_)))
}

pub(super) fn read_casework<D: ReadDoc>(root: &MapReader<'_, D>, outcome_conflict: bool) -> Result<Casework> {
    let transitions = if present(root, "transitions") {
        root.list_of_maps("transitions", super::limits::TRANSITIONS.hard)?
            .iter()
            .map(read_transition)
            .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    let outcome = match root.opt_str("outcome", 32)? {
        Some(s) => Some(s.parse().map_err(|e: String| SchemaError::new("outcome", e))?),
        None => None,
    };
    let resolution_plan = if present(root, "resolution_plan") {
        root.text("resolution_plan", super::limits::RESOLUTION_PLAN.hard)?
    } else {
        String::new()
    };
    let closed = root.concurrent_scalars("status").iter().any(|s| s.as_str() == Some("closed"));
    let mut agreements = Vec::new();
    for e in root.list_of_maps("timeline", super::limits::TIMELINE.hard)? {
        if let Some(sha256) = e.opt_str("attachment", 64)? {
            if !is_sha256(&sha256) {
                return Err(SchemaError::new(format!("{}.attachment", e.path), "64 lowercase hex digits"));
            }
            agreements.push(Agreement { entry: e.str("id", 64)?, sha256 });
        }
    }
    Ok(Casework {
        transitions,
        outcome,
        closing_note: root.opt_str("closing_note", 2_000)?,
        resolution_plan,
        needs_confirmation: closed && outcome_conflict,
        agreements,
    })
}

fn read_transition<D: ReadDoc>(t: &MapReader<'_, D>) -> Result<Transition> {
    t.only_keys(&["from", "to", "by", "at", "outcome", "note"])?;
    let status =
        |k: &str| t.str(k, 32)?.parse::<Status>().map_err(|e| SchemaError::new(format!("{}.{k}", t.path), e));
    let outcome = match t.opt_str("outcome", 32)? {
        Some(s) => Some(s.parse().map_err(|e: String| SchemaError::new(format!("{}.outcome", t.path), e))?),
        None => None,
    };
    Ok(Transition {
        from: status("from")?,
        to: status("to")?,
        by: t.str("by", 64)?,
        at: t.timestamp("at")?,
        outcome,
        note: t.opt_str("note", 2_000)?,
    })
}

pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Case {
    /// Settled: resolved or closed, and not a closure waiting for confirmation.
    pub fn is_settled(&self) -> bool {
        matches!(self.status, Status::Resolved | Status::Closed) && !self.work.needs_confirmation
    }

    /// Closed for counting purposes: a conflicting closure is not closed yet.
    pub fn is_closed(&self) -> bool {
        self.status == Status::Closed && !self.work.needs_confirmation
    }
}
