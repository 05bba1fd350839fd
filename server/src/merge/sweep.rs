//! The sweep report as a [`RecordKind`]: one document per (campaign, village), addressed
//! deterministically so officers reporting offline for one village merge into one report.
//!
//! Who may write it: field staff of the village (village officer, work-team member covering
//! it) and the township and above, within their jurisdiction (the judge checks that). The
//! campaign must exist and list the village. A report is stored only once it is answered
//! (cases found, or "无新增矛盾纠纷") and answers are never taken back, so the report's first
//! stored change is the one that answered it: its server receipt time (`documents.created_at`)
//! decides "late", and it is in the log.

use automerge::Automerge;
use sync_protocol::DocId;
use sync_protocol::sweep::{self, SweepReport, read_report, report_id};
use sync_protocol::wire::RejectCode;

use super::records::{Judging, Projected, RecordKind, Refusal};
use crate::store::RecordRow;

pub struct SweepKind;

impl RecordKind for SweepKind {
    fn project(&self, doc: DocId, d: &Automerge) -> Result<Projected, String> {
        let r = read_report(d).map_err(|e| e.to_string())?;
        if report_id(&r.campaign, &r.village) != doc {
            return Err(format!(
                "doc: a sweep report's id is derived from its campaign and village; expected {}",
                report_id(&r.campaign, &r.village)
            ));
        }
        let first_answer = r.found.values().map(|f| f.at).chain(r.nil.values().copied()).min();
        let body = serde_json::json!({
            "doc": doc.to_string(), "campaign": r.campaign, "village": r.village,
            "state": r.state(), "found": r.found, "nil": r.nil, "notes": r.notes, "reporters": r.reporters,
            "clock_corrections": r.clock_corrections,
        });
        Ok(Projected {
            unit_code: r.village.clone(),
            row: RecordRow {
                kind: sweep::KIND.into(),
                ref_key: Some(r.campaign.clone()),
                status: Some(r.state().as_str().into()),
                due_at: None,
                at: first_answer,
                person: r.reporters.keys().next().cloned(),
                body: body.to_string(),
            },
        })
    }

    fn claims(&self, d: &Automerge) -> Vec<sync_protocol::corrections::Claim> {
        read_report(d).map(|r| r.claims()).unwrap_or_default()
    }

    fn check(&self, j: &Judging<'_>) -> Result<(), Refusal> {
        // Field staff who answer for a village; the other field roles (opinion guides, petition
        // staff) do not sweep.
        let sweeps = sync_protocol::roles::role(&j.device.role)
            .is_some_and(|r| r.is_leader() || r.answers_for_village());
        if !sweeps {
            return Err((RejectCode::Forbidden, format!("a {} does not write sweep reports", j.device.role)));
        }
        let after = read(j.after.0)?;
        match &j.context {
            None => {
                return Err((
                    RejectCode::Schema,
                    format!("campaign: there is no sweep campaign {}", after.campaign),
                ));
            }
            Some(c) if c["listed"] != true => {
                return Err((
                    RejectCode::Schema,
                    format!(
                        "village: campaign {} does not include village {}",
                        after.campaign, after.village
                    ),
                ));
            }
            Some(_) => {}
        }
        if !after.answered() {
            return Err((
                RejectCode::Schema,
                format!("found: a sweep report lists the cases found or says {}", sweep::NIL_TEXT),
            ));
        }
        let before = match j.before {
            Some((d, _)) => Some(read(d)?),
            None => None,
        };
        let empty = SweepReport {
            found: Default::default(),
            nil: Default::default(),
            reporters: Default::default(),
            ..after.clone()
        };
        let before = before.as_ref().unwrap_or(&empty);
        if before.campaign != after.campaign {
            return Err((RejectCode::Schema, "campaign: cannot change after the report is created".into()));
        }
        if let Some(k) = before.found.keys().find(|k| !after.found.contains_key(*k)) {
            return Err((RejectCode::Forbidden, format!("found.{k}: a found case stays in the report")));
        }
        if let Some(k) = before.nil.keys().find(|k| !after.nil.contains_key(*k)) {
            return Err((RejectCode::Forbidden, format!("nil.{k}: a nil report stays in the report")));
        }
        // What this device adds is in its own name; a concurrent addition by someone else is
        // already stored (and so in `before`) or arrives with that person's own push.
        let me = j.device.user_id.as_str();
        for (k, f) in &after.found {
            if !before.found.contains_key(k) && f.by != me {
                return Err((RejectCode::Forbidden, format!("found.{k}.by: must be you ({me})")));
            }
        }
        let added = |old: &std::collections::BTreeMap<String, i64>,
                     new: &std::collections::BTreeMap<String, i64>| {
            new.keys().find(|k| !old.contains_key(*k) && k.as_str() != me).cloned()
        };
        if let Some(k) = added(&before.nil, &after.nil) {
            return Err((RejectCode::Forbidden, format!("nil.{k}: must be you ({me})")));
        }
        if let Some(k) = added(&before.reporters, &after.reporters) {
            return Err((RejectCode::Forbidden, format!("reporters.{k}: must be you ({me})")));
        }
        Ok(())
    }

    fn deterministic(&self) -> bool {
        true
    }
}

fn read(d: &Automerge) -> Result<SweepReport, Refusal> {
    read_report(d).map_err(|e| (RejectCode::Schema, e.to_string()))
}
