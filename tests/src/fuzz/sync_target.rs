//! The same damaged changes sent as whole sync requests to a real server over HTTP, as a
//! device would: the answer must always be a well-formed 200 with one result per document,
//! a damaged document must never cost the valid one beside it, and a damaged request body
//! must be a 4xx — never a 5xx or a dropped connection.

use automerge::ActorId;
use serde_bytes::ByteBuf;
use sync_protocol::DocId;
use sync_protocol::wire::{self, PushDoc, Status, SyncRequest, SyncResponse};

use super::{Corpus, FuzzCase};
use crate::{Backend, OFFICER, SimDevice, TestApp};

pub struct SyncTarget {
    pub app: TestApp,
    officer: SimDevice,
    pub corpus: Corpus,
    /// The officer's session actor: the corpus is written with it, so the server's actor
    /// check lets the damaged changes through to Automerge.
    pub actor: ActorId,
    stored: DocId,
    cursor: u64,
    runs: u64,
}

impl SyncTarget {
    pub async fn start(backend: Backend) -> anyhow::Result<SyncTarget> {
        let app = TestApp::spawn(backend).await;
        let mut officer = app.device(OFFICER);
        officer.login().await?;
        let prefix = officer.prefix.ok_or_else(|| anyhow::anyhow!("no actor prefix"))?;
        let actor = prefix.new_actor();
        let corpus = Corpus::new(actor.clone(), &officer.user_id);
        let stored = DocId::random();
        let mut t = SyncTarget { app, officer, corpus, actor, stored, cursor: 0, runs: 0 };
        let creation = t.corpus.changes[0].clone();
        let res = t.push(vec![PushDoc { doc: stored, changes: vec![ByteBuf::from(creation)] }]).await?;
        anyhow::ensure!(res.results[0].status == Status::Ok, "the stored case was not accepted: {res:?}");
        Ok(t)
    }

    async fn push(&mut self, push: Vec<PushDoc>) -> anyhow::Result<SyncResponse> {
        let req = SyncRequest { v: wire::PROTOCOL_VERSION, cursor: self.cursor, push, ..Default::default() };
        let res = self.officer.post(wire::encode(&req)).await?;
        let status = res.status();
        let body = res.bytes().await?;
        anyhow::ensure!(status == 200, "sync answered {status}: {}", String::from_utf8_lossy(&body));
        let res: SyncResponse = wire::decode(&body)?;
        self.cursor = res.cursor;
        Ok(res)
    }

    /// Send `case` (every 8th time beside a valid new case, every 16th as a damaged body).
    pub async fn run(&mut self, case: &FuzzCase, damage_seed: u64) -> anyhow::Result<()> {
        self.runs += 1;
        let doc = if case.on_created { self.stored } else { DocId::random() };
        let changes = case.changes.iter().cloned().map(ByteBuf::from).collect();
        let mut push = vec![PushDoc { doc, changes }];
        if self.runs.is_multiple_of(16) {
            return self.damaged_body(push, damage_seed).await;
        }
        let companion = self.runs.is_multiple_of(8).then(DocId::random);
        if let Some(other) = companion {
            push.push(PushDoc { doc: other, changes: vec![ByteBuf::from(self.corpus.changes[0].clone())] });
        }
        let res = self.push(push).await?;
        anyhow::ensure!(res.results.len() == 1 + usize::from(companion.is_some()), "results: {res:?}");
        if let Some(r) = res.results.get(1) {
            anyhow::ensure!(r.status == Status::Ok, "the valid document beside a damaged one: {r:?}");
        }
        Ok(())
    }

    async fn damaged_body(&mut self, push: Vec<PushDoc>, seed: u64) -> anyhow::Result<()> {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let req = SyncRequest { v: wire::PROTOCOL_VERSION, cursor: self.cursor, push, ..Default::default() };
        let encoded = wire::encode(&req);
        let body = super::mutate::mutate(&mut rng, &encoded, &[&encoded]);
        let res = self.officer.post(body).await?;
        let status = res.status();
        let text = res.text().await?;
        anyhow::ensure!(status.as_u16() < 500, "a damaged request body answered {status}: {text}");
        Ok(())
    }
}
