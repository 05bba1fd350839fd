//! The petition item as a [`RecordKind`]. Who may write it (docs/permissions.md, "Petition
//! items"): petition staff and the township and above, within their jurisdiction; other field
//! staff read the petitions of their village but change nothing. The statutory clock itself is
//! `sync_protocol::rules::petition`, which the PWA runs too: the projection's `due_at` is its
//! next deadline and `status` its stage.
//!
//! Steps of the clock are facts with dates: each is recorded once and never rewritten, so a
//! deadline cannot be moved by editing the past. A date more than a day ahead of the server's
//! clock is refused when the phone's clock is right: a clock step cannot be recorded before it
//! happens. A date the server corrected for a wrong clock (PROTOCOL.md §11) is the server's
//! estimate: the projection lists it in `pending_dates` and marks the deadline `provisional`
//! until a leader confirms the date (`confirm.rs`), and the clock counts from the confirmed one.

use automerge::Automerge;
use serde_json::json;
use sync_protocol::DocId;
use sync_protocol::calendar::date_string;
use sync_protocol::corrections::Claim;
use sync_protocol::petition::{self, Petition, read_petition};
use sync_protocol::rules::petition::ClockError;
use sync_protocol::wire::RejectCode;

use super::records::{Judging, Projected, RecordKind, Refusal, typed_ahead};
use crate::store::RecordRow;

pub struct PetitionKind;

/// Whether `role` may record petitions and their clock's steps.
pub fn may_write(role: &str) -> bool {
    sync_protocol::roles::role(role).is_some_and(sync_protocol::Role::handles_petitions)
}

impl RecordKind for PetitionKind {
    fn project(&self, doc: DocId, d: &Automerge) -> Result<Projected, String> {
        let p = read_petition(d).map_err(|e| e.to_string())?;
        let clock = p.clock().map_err(|e| e.to_string())?;
        let deadline = clock.deadline();
        let mut body = serde_json::to_value(&p).map_err(|e| e.to_string())?;
        body["doc"] = json!(doc.to_string());
        body["stage"] = json!(clock.stage().as_str());
        let pending = p.pending_dates();
        body["deadline"] = match deadline {
            Some(d) => json!({
                "kind": d.kind.as_str(), "owner": d.owner.as_str(), "date": date_string(d.day), "due_ms": d.due_ms(),
                "provisional": !pending.is_empty(),
            }),
            None => serde_json::Value::Null,
        };
        body["pending_dates"] = json!(pending);
        Ok(Projected {
            unit_code: p.village.clone(),
            row: RecordRow {
                kind: petition::KIND.into(),
                ref_key: None,
                status: Some(clock.stage().as_str().into()),
                due_at: deadline.map(|d| d.due_ms()),
                at: Some(p.received_at),
                person: Some(p.petitioner.name.clone()),
                body: body.to_string(),
            },
        })
    }

    fn claims(&self, d: &Automerge) -> Vec<Claim> {
        petition::read_unchecked(d).map(|p| p.claims()).unwrap_or_default()
    }

    fn ordered(&self) -> bool {
        true
    }

    fn check(&self, j: &Judging<'_>) -> Result<(), Refusal> {
        if !may_write(&j.device.role) {
            return Err((
                RejectCode::Forbidden,
                "petitions are recorded by petition staff and the township and above".into(),
            ));
        }
        let after = read(j.after.0)?;
        if let Some(field) = typed_ahead(j) {
            return Err(schema(&format!("{field}: a date of the petition is in the future")));
        }
        let before = j.before.map(|(doc, _)| read(doc)).transpose()?;
        match &before {
            None if after.recorded_by != j.device.user_id => {
                return Err(schema("recorded_by: a new petition names its creator"));
            }
            None => {}
            Some(b) => recorded_once(b, &after)?,
        }
        // The one act that moves a statutory deadline is the petition office's alone. Judged
        // after the clock itself, so a second extension is `schema` for everyone.
        let extends = after.extension.is_some() && before.is_none_or(|b| b.extension != after.extension);
        if extends
            && !sync_protocol::roles::role(&j.device.role).is_some_and(sync_protocol::Role::extends_petitions)
        {
            return Err((
                RejectCode::Forbidden,
                "extension: only petition staff extend a petition's deadline".into(),
            ));
        }
        Ok(())
    }
}

fn read(d: &Automerge) -> Result<Petition, Refusal> {
    read_petition(d).map_err(|e| (RejectCode::Schema, e.to_string()))
}

fn schema(msg: &str) -> Refusal {
    (RejectCode::Schema, msg.to_string())
}

/// Fixed fields stay, and every recorded step of the clock stays as it was recorded.
fn recorded_once(b: &Petition, a: &Petition) -> Result<(), Refusal> {
    if b.schema_version != a.schema_version
        || b.received_at != a.received_at
        || b.recorded_by != a.recorded_by
    {
        return Err(schema(
            "schema_version, received_at and recorded_by cannot change after the petition is recorded",
        ));
    }
    if b.extension.is_some() && b.extension != a.extension {
        return Err(schema(&ClockError::AlreadyExtended.to_string()));
    }
    let review_part = |r: &Option<petition::Review>| r.as_ref().map(|r| r.requested_at);
    let answer_part =
        |r: &Option<petition::Review>| r.as_ref().and_then(|r| r.answered_at.map(|t| (t, r.answer.clone())));
    let steps = [
        ("decision", b.decision.is_some() && b.decision != a.decision),
        ("reply", b.reply.is_some() && b.reply != a.reply),
        ("review", review_part(&b.review).is_some() && review_part(&b.review) != review_part(&a.review)),
        (
            "review answer",
            answer_part(&b.review).is_some() && answer_part(&b.review) != answer_part(&a.review),
        ),
        (
            "rereview",
            review_part(&b.rereview).is_some() && review_part(&b.rereview) != review_part(&a.rereview),
        ),
        (
            "rereview answer",
            answer_part(&b.rereview).is_some() && answer_part(&b.rereview) != answer_part(&a.rereview),
        ),
    ];
    match steps.iter().find(|(_, changed)| *changed) {
        Some((step, _)) => Err(schema(&format!("{step}: recorded once; it cannot be changed"))),
        None => Ok(()),
    }
}
