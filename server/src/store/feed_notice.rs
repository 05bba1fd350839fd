//! What a change to the feed tells live listeners: which paths, cases, people and devices it
//! concerns. The store produces these notices and carries them between processes (NOTIFY, the
//! `live_notices` table); who listens (the live hub, its streams) is no concern of the store's.

use sync_protocol::DocId;

use super::{DocCommit, Scope};

#[derive(Debug, Clone, Default)]
pub struct FeedNotice {
    pub cursor: i64,
    /// Unit paths of the documents that changed; a listener passes the notice on only if one
    /// lies in its jurisdiction.
    pub paths: Vec<String>,
    /// The documents that changed, for listeners whose scope names single cases.
    pub docs: Vec<DocId>,
    /// People whose scope may have changed (named on a case, moved, given a village): their
    /// listeners re-read their scope before filtering.
    pub users: Vec<String>,
    /// Devices just revoked or retiring: their open streams end at once.
    pub devices: Vec<i64>,
    /// The commit queued alerts (outbox rows): the alert worker's cue. Most commits queue none,
    /// and a worker woken by each would spend four trips to the database finding nothing.
    pub alerts: bool,
}

impl FeedNotice {
    /// What a commit announces: where it wrote, and who its cases now name.
    pub fn of_commit(cursor: i64, batch: &[DocCommit]) -> Self {
        let written: Vec<&DocCommit> = batch.iter().filter(|c| !c.changes.is_empty()).collect();
        let mut users: Vec<String> = written
            .iter()
            .filter_map(|c| c.case.as_ref())
            .flat_map(|c| [c.responsible_leader.clone(), c.handler.clone()])
            .flatten()
            .collect();
        users.sort_unstable();
        users.dedup();
        FeedNotice {
            cursor,
            paths: written.iter().map(|c| c.unit_path.clone()).collect(),
            docs: written.iter().map(|c| c.doc).collect(),
            users,
            devices: vec![],
            alerts: batch.iter().any(|c| !c.outbox.is_empty()),
        }
    }

    /// People whose scope changed (moved, given or relieved of a village).
    pub fn scope_changed(cursor: i64, users: &[String]) -> Self {
        FeedNotice { cursor, users: users.to_vec(), ..Default::default() }
    }

    /// Devices that lost their authority (revoked, retiring, their person deactivated).
    pub fn revoked(devices: &[i64]) -> Self {
        FeedNotice { devices: devices.to_vec(), ..Default::default() }
    }

    /// Does this notice concern a listener with `scope`? The root path concerns everyone.
    pub fn concerns(&self, scope: &Scope) -> bool {
        self.paths.iter().any(|p| p == "/" || scope.covers_path(p))
            || self.docs.iter().any(|d| scope.docs().contains(d))
    }
}

/// `cursor|path,…|doc,…|user,…|device,…|alerts`, kept under PostgreSQL's 8,000-byte NOTIFY limit: past it the
/// notice collapses to the root path, which only makes more clients check in.
pub(super) fn encode_notice(n: &FeedNotice) -> String {
    let mut uniq: Vec<&str> = n.paths.iter().map(String::as_str).collect();
    uniq.sort_unstable();
    uniq.dedup();
    let docs: Vec<String> = n.docs.iter().map(|d| hex::encode(d.0)).collect();
    let devices: Vec<String> = n.devices.iter().map(i64::to_string).collect();
    let alerts = u8::from(n.alerts);
    let text = format!(
        "{}|{}|{}|{}|{}|{alerts}",
        n.cursor,
        uniq.join(","),
        docs.join(","),
        n.users.join(","),
        devices.join(",")
    );
    // Revoked devices and queued alerts are never collapsed away: streams must end and alerts
    // go out whatever else happened.
    if text.len() > 7_000 { format!("{}|/|||{}|{alerts}", n.cursor, devices.join(",")) } else { text }
}

/// The notice a commit of `batch` sends to other replicas.
pub(super) fn encode_commit(cursor: i64, batch: &[DocCommit]) -> String {
    encode_notice(&FeedNotice::of_commit(cursor, batch))
}

pub fn decode_notice(s: &str) -> Option<FeedNotice> {
    let mut parts = s.split('|');
    let cursor = parts.next()?.parse().ok()?;
    let list = |p: Option<&str>| -> Vec<String> {
        p.unwrap_or("").split(',').filter(|x| !x.is_empty()).map(str::to_string).collect()
    };
    let paths = list(parts.next());
    let docs = list(parts.next())
        .iter()
        .filter_map(|h| hex::decode(h).ok().and_then(|b| DocId::from_slice(&b).ok()))
        .collect();
    let users = list(parts.next());
    let devices = list(parts.next()).iter().filter_map(|d| d.parse().ok()).collect();
    // An older replica's notice says nothing of alerts: it wakes the worker, as it always did.
    let alerts = parts.next() != Some("0");
    Some(FeedNotice { cursor, paths, docs, users, devices, alerts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_round_trips_and_stays_small() {
        let n = FeedNotice {
            cursor: 7,
            paths: vec!["/a/b/".into(), "/a/b/".into(), "/a/c/".into()],
            docs: vec![DocId([5; 16])],
            users: vec!["u_1".into()],
            devices: vec![3, 12],
            alerts: false,
        };
        let back = decode_notice(&encode_notice(&n)).unwrap();
        assert!(!back.alerts, "a commit that queued no alerts does not wake the worker");
        let alerting = FeedNotice { alerts: true, ..n.clone() };
        assert!(decode_notice(&encode_notice(&alerting)).unwrap().alerts);
        assert_eq!(back.cursor, 7);
        assert_eq!(back.paths, vec!["/a/b/", "/a/c/"]);
        assert_eq!((back.docs, back.users, back.devices), (n.docs, n.users, n.devices));
        assert!(decode_notice("9|/a/||u_1").unwrap().devices.is_empty(), "an older replica's notice");
        let many = FeedNotice {
            cursor: 9,
            paths: (0..1000).map(|i| format!("/350400/350481/{i:09}/")).collect(),
            ..Default::default()
        };
        assert_eq!(encode_notice(&many), "9|/||||0");
        assert!(decode_notice("9|/||").unwrap().concerns(&Scope::of_path("/x/")));
        let revoking = FeedNotice { devices: vec![4], alerts: true, ..many };
        let back = decode_notice(&encode_notice(&revoking)).unwrap();
        assert_eq!(
            (back.devices, back.alerts),
            (vec![4], true),
            "collapsed, yet still revoking and alerting"
        );
    }

    #[test]
    fn a_notice_concerns_a_scope_by_path_or_by_named_case() {
        let named = DocId([8; 16]);
        let scope = Scope::new(["/a/v1/".into()], [(named, "/a/v2/".into())]);
        let at = |path: &str, doc: DocId| FeedNotice {
            paths: vec![path.into()],
            docs: vec![doc],
            ..Default::default()
        };
        assert!(at("/a/v1/", DocId([1; 16])).concerns(&scope));
        assert!(at("/a/v2/", named).concerns(&scope));
        assert!(!at("/a/v2/", DocId([1; 16])).concerns(&scope));
    }
}
