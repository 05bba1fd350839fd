//! The sweep report (排查报告): one Automerge document per (campaign, village).
//!
//! Its id is derived from the campaign and the village ([`report_id`]) and it starts with a
//! genesis change every device builds byte for byte alike ([`genesis`]: actor = the document
//! id, seq 1, time 0, no message). Two officers who report for the same village offline each
//! build that change, add their own edits on top, and the server merges one document.
//!
//! | key | type | rule |
//! |---|---|---|
//! | `schema_version` | Int/Uint | `1`; immutable |
//! | `kind` | Str | `"sweep_report"`; immutable |
//! | `campaign` | Str | campaign id; immutable, with `village` it fixes the document id |
//! | `village` | Str | village code; immutable |
//! | `found` | Map case doc id → Map `{by: Str, at: Timestamp}` | cases found (new or existing); entries are never removed |
//! | `nil` | Map user id → Timestamp | "无新增矛盾纠纷": who said so and when; never removed |
//! | `notes` | Text | ≤ 2,000 characters |
//! | `reporters` | Map user id → Timestamp | who reported, each person's latest edit |
//! | `clock_corrections` | see [`crate::corrections`] | written only by the server |
//!
//! A report is *answered* once `found` or `nil` holds an entry; it stays answered (nothing is
//! removed), so the server's receipt time of the report's first stored change is when it was
//! answered (see `docs/sweeps.md`).

pub mod completeness;
pub(crate) mod read;
#[cfg(test)]
mod tests;
pub mod write;

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, AutomergeError, Change, ObjType, ROOT, transaction::CommitOptions};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use read::read_report;

use crate::DocId;

pub const SCHEMA_VERSION: i64 = 1;
pub const KIND: &str = "sweep_report";
/// Longest campaign id: ids are server-made (a UUID or `hm-<township>-<period>`).
pub const MAX_CAMPAIGN_ID: usize = 80;
pub const MAX_NOTES: usize = 2_000;
pub const MAX_FOUND: usize = 500;
/// The nil report as officers and leaders say it.
pub const NIL_TEXT: &str = "无新增矛盾纠纷";

/// The id of the report of `village` for `campaign`: the first 16 bytes of SHA-256 over a
/// versioned string, so a future scheme can never collide with this one.
pub fn report_id(campaign: &str, village: &str) -> DocId {
    let digest = Sha256::digest(format!("anlan/sweep_report/v1\n{campaign}\n{village}").as_bytes());
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    DocId(id)
}

/// The genesis change of the report of `village` for `campaign`. The PWA's builder
/// (`pwa/src/model/sweep.ts`) makes the same bytes: `vectors/sweep-genesis.json` holds them.
pub fn genesis(campaign: &str, village: &str) -> Change {
    let id = report_id(campaign, village);
    let mut doc = Automerge::new().with_actor(ActorId::from(id.0.to_vec()));
    doc.transact_with::<_, _, AutomergeError, _>(
        |_| CommitOptions::default().with_time(0),
        |tx| {
            tx.put(ROOT, "schema_version", SCHEMA_VERSION)?;
            tx.put(ROOT, "kind", KIND)?;
            tx.put(ROOT, "campaign", campaign)?;
            tx.put(ROOT, "village", village)?;
            tx.put_object(ROOT, "found", ObjType::Map)?;
            tx.put_object(ROOT, "nil", ObjType::Map)?;
            tx.put_object(ROOT, "notes", ObjType::Text)?;
            tx.put_object(ROOT, "reporters", ObjType::Map)?;
            Ok(())
        },
    )
    .expect("the genesis change writes only fresh keys");
    doc.get_changes(&[]).into_iter().next().expect("one change was just made").clone()
}

/// A document holding only the genesis change: what a device starts from.
pub fn genesis_doc(campaign: &str, village: &str) -> Automerge {
    let mut doc = Automerge::new();
    doc.apply_changes([genesis(campaign, village)]).expect("a lone change with no deps applies");
    doc
}

/// A case found during the sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub by: String,
    /// Unix ms, as every time here (the reporting device's clock).
    pub at: i64,
}

/// A report as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub campaign: String,
    pub village: String,
    /// Case document id (hyphenated UUID) → who found it.
    pub found: BTreeMap<String, Found>,
    /// Who said "无新增矛盾纠纷", and when.
    pub nil: BTreeMap<String, i64>,
    pub notes: String,
    pub reporters: BTreeMap<String, i64>,
    /// Times the server corrected for a wrong clock.
    pub clock_corrections: Vec<crate::corrections::RecordCorrection>,
}

/// Where a report stands. A report that found cases counts as found even if someone also
/// said nil: the cases are what leaders must see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Found,
    Nil,
    Open,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Found => "found",
            ReportState::Nil => "nil",
            ReportState::Open => "open",
        }
    }
}

impl SweepReport {
    pub fn state(&self) -> ReportState {
        if !self.found.is_empty() {
            ReportState::Found
        } else if !self.nil.is_empty() {
            ReportState::Nil
        } else {
            ReportState::Open
        }
    }

    pub fn answered(&self) -> bool {
        self.state() != ReportState::Open
    }

    /// Every time the report holds, where it holds it.
    pub fn claims(&self) -> Vec<crate::corrections::Claim> {
        use crate::corrections::Claim;
        let found = self.found.iter().map(|(k, f)| Claim::new(&["found", k, "at"], f.at));
        let nil = self.nil.iter().map(|(k, at)| Claim::new(&["nil", k], *at));
        let reporters = self.reporters.iter().map(|(k, at)| Claim::new(&["reporters", k], *at));
        found.chain(nil).chain(reporters).collect()
    }
}
