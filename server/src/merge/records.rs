//! Document kinds other than the case (petition items, downward visits, sweep reports): each
//! kind is one [`RecordKind`], listed once in [`kind`]. The judge does what every kind shares —
//! actor prefixes, missing dependencies, jurisdiction, the commit — and asks the kind only what
//! is its own: the schema, who may change what, and the projection row.

use automerge::{Automerge, Change};
use sync_protocol::DocId;
use sync_protocol::corrections::Claim;
use sync_protocol::rules::clock::ClockContext;
use sync_protocol::wire::RejectCode;

use crate::store::{DeviceAuth, OutboxItem, RecordRow};

/// A refusal: the code and the per-document message the device is shown.
pub type Refusal = (RejectCode, String);

/// A record read strictly from its document.
#[derive(Debug, Clone, PartialEq)]
pub struct Projected {
    /// The org unit the record belongs to (a village, or a township for some kinds). Fixed
    /// when the record is created: the judge refuses a change that moves it.
    pub unit_code: String,
    pub row: RecordRow,
}

/// What a kind is shown when a device changes one of its documents.
pub struct Judging<'a> {
    pub doc: DocId,
    pub device: &'a DeviceAuth,
    /// The document as the server had it; `None` for a new one.
    pub before: Option<(&'a Automerge, &'a Projected)>,
    pub after: (&'a Automerge, &'a Projected),
    /// The device's changes the server did not have, already applied to `after`.
    pub fresh: &'a [Change],
    /// When the server received them (Unix ms): the clock for "late" and "on time".
    pub now: i64,
    /// What the server knew of the phone's clock when it judged the push.
    pub clock: ClockContext,
    /// The times the push wrote as the phone claimed them, before any correction (`after`
    /// holds the corrected ones).
    pub claims: &'a [Claim],
    /// What the kind needs from the database to judge, loaded by the judge through
    /// `SqlStore::record_context` (a sweep report's campaign); `None` when there is none.
    pub context: Option<serde_json::Value>,
}

pub trait RecordKind: Sync {
    /// Read the document with the exact type of every field; `Err` names the field.
    fn project(&self, doc: DocId, d: &Automerge) -> Result<Projected, String>;

    /// May this device make these changes? Immutable fields, the creator, role rules.
    fn check(&self, j: &Judging<'_>) -> Result<(), Refusal>;

    /// Every time the document holds, for judging the phone's clock (PROTOCOL.md §11); read
    /// leniently, before the times are corrected: none if the document cannot be read.
    fn claims(&self, d: &Automerge) -> Vec<Claim>;

    /// Whether [`Self::claims`] lists times that follow one another (a petition's steps): a
    /// corrected time is then never put before the one it follows.
    fn ordered(&self) -> bool {
        false
    }

    /// Work the change causes (reminders, alerts), each with a cause unique to it so that a
    /// re-sent sync enqueues nothing twice.
    fn outbox(&self, _j: &Judging<'_>) -> Vec<OutboxItem> {
        Vec::new()
    }

    /// Whether documents of this kind start with a deterministic genesis change (actor = the
    /// document id, seq 1, no dependencies) that several devices create byte for byte alike,
    /// so that their independent first edits merge into one document.
    fn deterministic(&self) -> bool {
        false
    }
}

/// The kind named `name`, if the server knows it. `case` is not here: the case has its own
/// path through the judge (numbering, urgent alerts, change-by-change permissions).
pub fn kind(name: &str) -> Option<&'static dyn RecordKind> {
    #[allow(clippy::match_single_binding)] // kinds are added one line each
    match name {
        sync_protocol::sweep::KIND => Some(&super::sweep::SweepKind),
        "petition" => Some(&super::petition::PetitionKind),
        "visit" => Some(&super::visit::VisitKind),
        _ => None,
    }
}

/// Every record kind's name, for `anlan reproject`.
pub const KINDS: &[&str] = &["petition", "visit", "sweep_report"];

/// Is `change` the genesis change of a deterministically addressed document `doc`?
pub fn is_genesis(doc: DocId, change: &Change) -> bool {
    change.actor_id().to_bytes() == doc.0.as_slice() && change.seq() == 1 && change.deps().is_empty()
}

/// The first date typed more than a day ahead of a phone whose clock is not known to be wrong:
/// a slip of the finger, not a clock fault, refused so the person puts it right. The dates of
/// a phone known to be off are corrected instead (PROTOCOL.md §11).
pub fn typed_ahead(j: &Judging<'_>) -> Option<String> {
    if j.clock.phone_is_off() {
        return None;
    }
    let limit = j.clock.receipt + sync_protocol::calendar::DAY_MS;
    j.claims.iter().find(|c| c.at > limit).map(Claim::field)
}

/// Raise each estimate in `fixes` to at least the time before it in `all` (in order, as
/// stored or as corrected): a clock that jumped back between two steps must not make the
/// second precede the first.
pub fn keep_order(all: &[Claim], fixes: &mut [(Claim, i64)]) {
    let mut last = i64::MIN;
    for c in all {
        let at = match fixes.iter_mut().find(|(f, _)| f == c) {
            Some((_, at)) => {
                *at = (*at).max(last);
                *at
            }
            None => c.at,
        };
        last = last.max(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_estimate_never_precedes_the_step_it_follows() {
        let all = [Claim::new(&["received_at"], 500), Claim::new(&["decision", "at"], 100)];
        let mut fixes = vec![(all[0].clone(), 900), (all[1].clone(), 400)];
        keep_order(&all, &mut fixes);
        assert_eq!(fixes.iter().map(|f| f.1).collect::<Vec<_>>(), vec![900, 900]);
        let mut fixes = vec![(all[1].clone(), 400)];
        keep_order(&all, &mut fixes);
        assert_eq!(fixes[0].1, 500, "a stored step counts as it stands");
    }
}
