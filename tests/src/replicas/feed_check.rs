//! After the burst, a county leader on each replica pulls the whole county from cursor 0, and
//! the feed must hold what the phones pushed: every case exactly once, every change delivered
//! exactly once, each case carrying the phone's changes and a case number, numbers unique. With
//! several replicas numbering cases concurrently on one database, that is the property at stake.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anlan_server::store::SqlStore;
use anyhow::{Context, bail};
use automerge::{Change, ChangeHash};
use sync_protocol::DocId;
use sync_protocol::case::read_case;

use crate::{SimDevice, TestDb};

/// What a phone pushed of one case: its heads, and the case number it was told, if any.
pub struct Pushed {
    heads: Vec<ChangeHash>,
    case_no: Option<String>,
}

/// Every case the phones hold, as they hold it.
pub fn expected<'a>(phones: impl Iterator<Item = &'a SimDevice>) -> BTreeMap<DocId, Pushed> {
    let mut out = BTreeMap::new();
    for d in phones {
        for (id, local) in &d.docs {
            let case_no = read_case(&local.doc).ok().and_then(|c| c.case_no);
            out.insert(*id, Pushed { heads: local.doc.get_heads(), case_no });
        }
    }
    out
}

/// One county leader's phone for each of `n` replicas (the demo's county administrator).
pub async fn leader_tokens(db: &TestDb, n: usize) -> anyhow::Result<Vec<String>> {
    let store = SqlStore::connect(&db.url).await?;
    let mut tokens = Vec::with_capacity(n);
    for _ in 0..n {
        tokens.push(store.issue_device("u_demo_county", "phone", None).await?.token);
    }
    store.close().await;
    Ok(tokens)
}

/// How one leader's full pull went.
pub struct Pulled {
    pub cases: usize,
    pub changes: usize,
    pub round_trips: usize,
    pub bytes_down: usize,
    pub wall: Duration,
}

/// Pull everything through `url` as the leader `token` and compare it with `expected`; fail
/// with the first differences found.
pub async fn check(url: &str, token: &str, expected: &BTreeMap<DocId, Pushed>) -> anyhow::Result<Pulled> {
    let mut leader = SimDevice::new(url, token);
    leader.login().await?;
    let started = Instant::now();
    let mut delivered: HashMap<ChangeHash, (DocId, usize)> = HashMap::new();
    loop {
        let resp = leader.sync_once(false).await?.context("a full pull's response")?;
        for p in &resp.pull {
            for bytes in &p.changes {
                let hash = Change::from_bytes(bytes.to_vec())?.hash();
                delivered.entry(hash).or_insert((p.doc, 0)).1 += 1;
            }
        }
        if !resp.more {
            break;
        }
    }
    let wall = started.elapsed();

    let mut wrong: Vec<String> = Vec::new();
    for (hash, (doc, n)) in &delivered {
        if *n != 1 {
            wrong.push(format!("change {hash} of case {doc} delivered {n} times"));
        }
    }
    let mut numbers: HashMap<String, DocId> = HashMap::new();
    for (id, pushed) in expected {
        let Some(local) = leader.docs.get(id) else {
            wrong.push(format!("case {id} is missing from the feed"));
            continue;
        };
        if let Some(h) = pushed.heads.iter().find(|h| local.doc.get_change_meta_by_hash(h).is_none()) {
            wrong.push(format!("case {id} lacks the phone's change {h}"));
        }
        let Some(no) = read_case(&local.doc).ok().and_then(|c| c.case_no) else {
            wrong.push(format!("case {id} has no case number"));
            continue;
        };
        if pushed.case_no.as_ref().is_some_and(|p| *p != no) {
            wrong.push(format!("case {id} is {no} in the feed but {:?} on its phone", pushed.case_no));
        }
        if let Some(other) = numbers.insert(no.clone(), *id) {
            wrong.push(format!("case number {no} given to both {other} and {id}"));
        }
    }
    for id in leader.docs.keys().filter(|id| !expected.contains_key(id)) {
        wrong.push(format!("case {id} is in the feed but no phone pushed it"));
    }
    if !wrong.is_empty() {
        bail!(
            "the feed through {url} is wrong in {} way(s); the first: {:#?}",
            wrong.len(),
            &wrong[..wrong.len().min(10)]
        );
    }
    Ok(Pulled {
        cases: leader.docs.len(),
        changes: delivered.len(),
        round_trips: leader.round_trips,
        bytes_down: leader.bytes_down,
        wall,
    })
}
