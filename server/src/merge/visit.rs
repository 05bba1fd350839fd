//! The downward visit (下访) as a [`RecordKind`]: recorded by the township and above, for
//! villages in their jurisdiction (the judge checks that), and changed only by them.

use automerge::Automerge;
use serde_json::json;
use sync_protocol::DocId;
use sync_protocol::corrections::Claim;
use sync_protocol::visit::{self, Visit, read_visit};
use sync_protocol::wire::RejectCode;

use super::records::{Judging, Projected, RecordKind, Refusal, typed_ahead};
use crate::store::RecordRow;
use sync_protocol::roles::{Rank, rank};

pub struct VisitKind;

impl RecordKind for VisitKind {
    fn project(&self, doc: DocId, d: &Automerge) -> Result<Projected, String> {
        let v = read_visit(d).map_err(|e| e.to_string())?;
        let mut body = serde_json::to_value(&v).map_err(|e| e.to_string())?;
        body["doc"] = json!(doc.to_string());
        body["clock_corrections"] = json!(visit::read_corrections(d).map_err(|e| e.to_string())?);
        Ok(Projected {
            unit_code: v.village.clone(),
            row: RecordRow {
                kind: visit::KIND.into(),
                ref_key: None,
                status: None,
                due_at: None,
                at: Some(v.date),
                person: Some(v.leader.clone()),
                body: body.to_string(),
            },
        })
    }

    fn claims(&self, d: &Automerge) -> Vec<Claim> {
        read_visit(d).map(|v| v.claims()).unwrap_or_default()
    }

    fn check(&self, j: &Judging<'_>) -> Result<(), Refusal> {
        if rank(&j.device.role) != Rank::Leader {
            return Err((
                RejectCode::Forbidden,
                "downward visits are recorded by the township and above".into(),
            ));
        }
        let after = read(j.after.0)?;
        if typed_ahead(j).is_some() {
            return Err((RejectCode::Schema, "date: a visit is recorded once it has happened".into()));
        }
        match j.before {
            None if after.recorded_by != j.device.user_id => {
                Err((RejectCode::Schema, "recorded_by: a new visit names its creator".into()))
            }
            Some((doc, _)) => {
                let before = read(doc)?;
                if before.recorded_by != after.recorded_by || before.schema_version != after.schema_version {
                    return Err((
                        RejectCode::Schema,
                        "recorded_by: cannot change after the visit is recorded".into(),
                    ));
                }
                Ok(())
            }
            None => Ok(()),
        }
    }
}

fn read(d: &Automerge) -> Result<Visit, Refusal> {
    read_visit(d).map_err(|e| (RejectCode::Schema, e.to_string()))
}
