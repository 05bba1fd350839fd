//! A simulated phone: local Automerge documents, acked heads, a cursor and an epoch, synced
//! with the algorithm of PROTOCOL.md §4–5. Tests drive it to play officers and leaders.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use automerge::transaction::Transaction;
use automerge::{ActorId, Automerge, AutomergeError, Change, ChangeHash};
use serde_bytes::ByteBuf;
use sync_protocol::case::write::NewCase;
use sync_protocol::case::{self, Case, Category, Severity};
use sync_protocol::wire::{self, HaveDoc, PushDoc, Reason, Replica, Status, SyncRequest, SyncResponse};
use sync_protocol::{ActorPrefix, DocId};

pub struct Local {
    pub doc: Automerge,
    pub acked: Vec<ChangeHash>,
}

pub struct SimDevice {
    pub(crate) http: reqwest::Client,
    pub url: String,
    pub token: String,
    pub user_id: String,
    pub prefix: Option<ActorPrefix>,
    actor: Option<ActorId>,
    pub docs: BTreeMap<DocId, Local>,
    pub cursor: u64,
    pub epoch: Option<String>,
    /// The scope fingerprint of the last response (PROTOCOL.md §10).
    pub scope: Option<String>,
    /// Every document a response told this device to drop, in order.
    pub dropped: Vec<DocId>,
    /// Set by a reset: the next sync must send `have` for every document.
    need_have: bool,
    pub rejected: HashMap<DocId, Reason>,
    pub bytes_up: usize,
    pub bytes_down: usize,
    pub round_trips: usize,
    /// How far this phone's clock is off (ms): with it, requests carry the phone's clock
    /// reading (`now`, PROTOCOL.md §11); without it they carry none.
    pub clock_skew: Option<i64>,
    /// Which replica this phone keeps (PROTOCOL.md §12).
    pub replica: Replica,
    /// A partial replica's last stored `server_time`, sent back as `since`.
    pub since: Option<i64>,
    /// Every document a response told this partial replica to evict, in order.
    pub evicted: Vec<DocId>,
    /// Documents fetched on demand so far, in order (to complete a history, or opened).
    pub fetched: Vec<DocId>,
    /// Time spent from sending each sync request to holding its whole response: the server's
    /// part of a sync, without this phone's own work on its documents.
    pub wire_time: std::time::Duration,
}

impl SimDevice {
    pub fn new(url: &str, token: &str) -> Self {
        SimDevice {
            // The server closes a connection idle for 10 s (`header_read_timeout`); a client
            // that keeps one longer may send its next request just as it closes (a failed
            // request in about one loadgen run in five). Phones' browsers drop theirs sooner.
            http: reqwest::Client::builder()
                .pool_idle_timeout(std::time::Duration::from_secs(5))
                .build()
                .expect("a plain HTTP client builds"),
            url: url.to_string(),
            token: token.to_string(),
            user_id: String::new(),
            prefix: None,
            actor: None,
            docs: BTreeMap::new(),
            cursor: 0,
            epoch: None,
            scope: None,
            dropped: Vec::new(),
            need_have: false,
            rejected: HashMap::new(),
            bytes_up: 0,
            bytes_down: 0,
            round_trips: 0,
            clock_skew: None,
            replica: Replica::Full,
            since: None,
            evicted: Vec::new(),
            fetched: Vec::new(),
            wire_time: std::time::Duration::ZERO,
        }
    }

    /// Learn who we are and mint this session's actor (prefix ‖ random suffix).
    pub async fn login(&mut self) -> anyhow::Result<()> {
        let s: serde_json::Value = self
            .http
            .get(format!("{}/api/v1/session", self.url))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        self.user_id = s["user"]["id"].as_str().context("user id")?.to_string();
        let prefix: ActorPrefix = s["device"]["actor_prefix"].as_str().context("prefix")?.parse()?;
        self.actor = Some(prefix.new_actor());
        self.prefix = Some(prefix);
        Ok(())
    }

    fn actor(&self) -> ActorId {
        self.actor.clone().expect("login() first")
    }

    pub fn new_case(&self, village: &str, severity: Severity, title: &str) -> NewCase {
        NewCase {
            village: village.into(),
            category: Category::Land,
            severity,
            title: title.into(),
            description: format!("{title}：现场情况记录。"),
            parties: vec![case::Party {
                name: "张三".into(), phone: Some("13800000000".into()), note: None
            }],
            reporter: self.user_id.clone(),
            // By the phone's clock: a fixed past time would predate the device's enrolment,
            // which the server judges implausible (PROTOCOL.md §11).
            reported_at: now_ms() + self.clock_skew.unwrap_or(0),
            location: None,
        }
    }

    /// Record a case locally (offline is fine) and return its id.
    pub fn create(&mut self, c: &NewCase) -> DocId {
        let id = DocId::random();
        let mut doc = Automerge::new().with_actor(self.actor());
        doc.transact::<_, _, AutomergeError>(|tx| c.write(tx)).map_err(|f| f.error).unwrap();
        self.docs.insert(id, Local { doc, acked: vec![] });
        id
    }

    /// Edit a document locally with this session's actor.
    pub fn edit(&mut self, id: DocId, f: impl FnOnce(&mut Transaction<'_>) -> Result<(), AutomergeError>) {
        let actor = self.actor();
        let local = self.docs.get_mut(&id).expect("document on this device");
        local.doc.set_actor(actor);
        local.doc.transact::<_, _, AutomergeError>(|tx| f(tx)).map_err(|f| f.error).unwrap();
    }

    /// Edit `id` from an old copy of it, the document as it was at `heads`, in a writer session
    /// of its own (a tab left open, a copy restored on the phone), and merge the result into
    /// this phone's copy: the next sync pushes a change whose dependencies are `heads`.
    pub fn edit_at(
        &mut self,
        id: DocId,
        heads: &[ChangeHash],
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(), AutomergeError>,
    ) {
        let session = self.prefix.expect("login() first").new_actor();
        let local = self.docs.get_mut(&id).expect("document on this device");
        let mut old = local.doc.fork_at(heads).expect("heads of this document").with_actor(session);
        old.transact::<_, _, AutomergeError>(|tx| f(tx)).map_err(|f| f.error).unwrap();
        let made = old.get_changes(heads);
        local.doc.apply_changes(made).unwrap();
    }

    /// Change a case's status as a person does: with its transition entry by this user.
    /// Add `{sha256, mime, size}` to a case's attachments, as the PWA does when a photo is taken.
    pub fn attach(&mut self, id: DocId, sha256: &str, mime: &str, size: usize) {
        use automerge::transaction::Transactable;
        use automerge::{ObjType, ROOT, ReadDoc};
        self.edit(id, |tx| {
            let list = match tx.get(ROOT, "attachments")? {
                Some((_, list)) => list,
                None => tx.put_object(ROOT, "attachments", ObjType::List)?,
            };
            let at = tx.length(&list);
            let m = tx.insert_object(&list, at, ObjType::Map)?;
            tx.put(&m, "sha256", sha256)?;
            tx.put(&m, "mime", mime)?;
            tx.put(&m, "size", size as i64)?;
            Ok(())
        });
    }

    pub fn set_status(&mut self, id: DocId, to: case::Status) {
        let by = self.user_id.clone();
        self.edit(id, |tx| case::write::transition(tx, &case::write::Move::new(to, &by, now_ms())));
    }

    /// Close a case with its outcome and closing note.
    pub fn close(&mut self, id: DocId, outcome: case::Outcome, note: &str) {
        let by = self.user_id.clone();
        let m = case::write::Move::new(case::Status::Closed, &by, now_ms()).closing(outcome, note);
        self.edit(id, |tx| case::write::transition(tx, &m));
    }

    pub fn case(&self, id: DocId) -> Case {
        case::read_case(&self.docs[&id].doc).expect("a valid case")
    }

    pub fn heads(&self, id: DocId) -> Vec<ChangeHash> {
        self.docs[&id].doc.get_heads()
    }

    pub fn pending(&self) -> usize {
        self.docs.values().filter(|l| l.doc.get_heads() != l.acked).count()
    }

    /// The request the next sync would send, and the heads it pushes per document.
    pub fn build_request(&self) -> (SyncRequest, HashMap<DocId, Vec<ChangeHash>>) {
        let mut sent = HashMap::new();
        let mut req = SyncRequest {
            v: wire::PROTOCOL_VERSION,
            epoch: self.epoch.clone(),
            cursor: self.cursor,
            scope: self.scope.clone(),
            now: self.clock_skew.map(|skew| now_ms() + skew),
            replica: self.replica,
            since: self.since,
            ..Default::default()
        };
        if self.need_have {
            req.have = self
                .docs
                .iter()
                .map(|(id, l)| HaveDoc { doc: *id, heads: wire::hashes(&l.doc.get_heads()) })
                .collect();
            return (req, sent);
        }
        for (id, l) in &self.docs {
            if req.push.len() == wire::MAX_PUSH_DOCS {
                break; // the rest go in the next request
            }
            let heads = l.doc.get_heads();
            if heads == l.acked || self.rejected.contains_key(id) {
                continue;
            }
            let changes = l
                .doc
                .get_changes(&l.acked)
                .into_iter()
                .map(|c| ByteBuf::from(c.raw_bytes().to_vec()))
                .collect();
            req.push.push(PushDoc { doc: *id, changes });
            sent.insert(*id, heads);
        }
        (req, sent)
    }

    pub async fn post(&mut self, body: Vec<u8>) -> anyhow::Result<reqwest::Response> {
        self.bytes_up += body.len();
        self.round_trips += 1;
        Ok(self
            .http
            .post(format!("{}/api/v1/sync", self.url))
            .bearer_auth(&self.token)
            .header("content-type", wire::CONTENT_TYPE)
            .body(body)
            .send()
            .await?)
    }

    /// One round trip. With `lose_response`, the server does the work but the answer never
    /// arrives, as on a dropped 2G connection.
    pub async fn sync_once(&mut self, lose_response: bool) -> anyhow::Result<Option<SyncResponse>> {
        let (req, sent) = self.build_request();
        let started = std::time::Instant::now();
        let res = self.post(wire::encode(&req)).await?;
        if !res.status().is_success() {
            bail!("sync failed: {} {}", res.status(), res.text().await.unwrap_or_default());
        }
        let body = res.bytes().await?;
        self.wire_time += started.elapsed();
        if lose_response {
            return Ok(None);
        }
        self.bytes_down += body.len();
        let resp: SyncResponse = wire::decode(&body)?;
        self.apply(&resp, &sent, !req.have.is_empty())?;
        // A partial replica completes, before its next request, any document the pull reached
        // without the history beneath it (PROTOCOL.md §12).
        self.complete_histories().await?;
        Ok(Some(resp))
    }

    fn apply(
        &mut self,
        resp: &SyncResponse,
        sent: &HashMap<DocId, Vec<ChangeHash>>,
        answered_have: bool,
    ) -> anyhow::Result<()> {
        if resp.reset {
            for l in self.docs.values_mut() {
                l.acked.clear();
            }
            self.cursor = 0;
            self.need_have = true;
        } else {
            for r in &resp.results {
                let Some(l) = self.docs.get_mut(&r.doc) else {
                    continue;
                };
                match r.status {
                    Status::Ok if answered_have => l.acked = l.doc.get_heads(),
                    Status::Ok => l.acked = sent.get(&r.doc).cloned().unwrap_or_default(),
                    Status::NeedChanges => l.acked = r.heads.iter().map(|h| (*h).into()).collect(),
                    Status::Rejected => {
                        self.rejected.insert(r.doc, r.reason.clone().expect("a rejection has a reason"));
                    }
                }
            }
            if answered_have {
                self.need_have = false;
            }
        }
        for d in resp.drop.iter().chain(&resp.evict) {
            // Unsent local changes stay until a push delivers them (into quarantine, if refused).
            let unsent =
                self.docs.get(d).is_some_and(|l| l.doc.get_heads() != l.acked) && !sent.contains_key(d);
            if !unsent && self.docs.remove(d).is_some() {
                self.rejected.remove(d);
                if resp.evict.contains(d) {
                    self.evicted.push(*d);
                } else {
                    self.dropped.push(*d);
                }
            }
        }
        if !resp.scope.is_empty() {
            self.scope = Some(resp.scope.clone());
        }
        for p in &resp.pull {
            let changes =
                p.changes.iter().map(|b| Change::from_bytes(b.to_vec())).collect::<Result<Vec<_>, _>>()?;
            let local =
                self.docs.entry(p.doc).or_insert_with(|| Local { doc: Automerge::new(), acked: vec![] });
            let was_clean = local.doc.get_heads() == local.acked;
            local.doc.apply_changes(changes)?;
            if was_clean {
                local.acked = local.doc.get_heads();
            }
        }
        self.cursor = resp.cursor;
        self.epoch = Some(resp.epoch.clone());
        if resp.replica == Replica::Partial {
            self.since = Some(resp.server_time);
        }
        Ok(())
    }

    /// Sync until there is nothing left to push or pull (bounded).
    pub async fn sync(&mut self) -> anyhow::Result<()> {
        for _ in 0..20 {
            let resp = self.sync_once(false).await?.expect("not lost");
            let settled = !resp.more && !self.need_have && self.build_request().0.push.is_empty();
            if settled {
                return Ok(());
            }
        }
        bail!("sync did not settle in 20 round trips")
    }

    /// What the server made of the last push of `id`: the cell a permission table expects. An
    /// accepted edit must also have been acknowledged, or "accepted" would prove nothing.
    pub fn outcome(&self, id: DocId) -> Outcome {
        match self.rejected.get(&id) {
            Some(r) => Outcome::Refused(r.code),
            None => {
                let local = &self.docs[&id];
                assert_eq!(local.doc.get_heads(), local.acked, "an accepted edit is acknowledged");
                Outcome::Ok
            }
        }
    }
}

/// The server's verdict on one pushed document (see [`SimDevice::outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Refused(wire::RejectCode),
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// How many of the server's own changes to `doc` write any of the root `fields` (a case number,
/// a re-asserted guarded field).
pub fn server_writes(doc: &Automerge, fields: &[&str]) -> usize {
    use automerge::legacy::{Key, ObjectId};
    doc.get_changes(&[])
        .iter()
        .filter(|c| ActorPrefix::SERVER.owns(c.actor_id()))
        .filter(|c| {
            c.decode().operations.iter().any(|op| {
                op.obj == ObjectId::Root && matches!(&op.key, Key::Map(k) if fields.contains(&k.as_str()))
            })
        })
        .count()
}
