//! Work a case change causes besides the urgent alert: each chase (催办) entry a county or city
//! administrator adds becomes one outbox row, keyed by the entry's id, so a re-sent sync or a
//! retried merge never notifies twice. The recipients (handler and responsible leader) are
//! found when the row is expanded (`store::alerts`).

use sync_protocol::DocId;
use sync_protocol::case::{Case, TimelineKind};
use sync_protocol::outbox::{CaseFacts, OutboxEvent};

use crate::store::OutboxItem;

pub fn chase_alerts(doc: DocId, before: Option<&Case>, after: &Case) -> Vec<OutboxItem> {
    let known = |id: &str| {
        before.is_some_and(|b| b.timeline.iter().any(|e| e.id == id && e.kind == TimelineKind::Chase))
    };
    after
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::Chase && !known(&e.id))
        .map(|e| OutboxItem {
            event: OutboxEvent::Chase(case_facts(doc, after)),
            cause: format!("chase:{doc}:{}", e.id),
        })
        .collect()
}

/// What an alert about a case carries: never a name, a phone, the title or the description.
pub fn case_facts(doc: DocId, c: &Case) -> CaseFacts {
    CaseFacts {
        doc,
        case_no: c.case_no.clone(),
        village: c.village.clone(),
        category: c.category,
        severity: c.severity,
        due: None,
    }
}
