//! A simulated phone's partial replica (PROTOCOL.md §12): documents fetched on demand, and
//! histories completed when the pull reaches a case the phone never held.

use anyhow::bail;
use automerge::{Automerge, Change, ReadDoc};
use sync_protocol::DocId;
use sync_protocol::fetch::{FetchRequest, FetchResponse};
use sync_protocol::wire::{self, HaveDoc};

use crate::device::{Local, SimDevice};

impl SimDevice {
    /// `POST /api/v1/fetch`; the answer is applied like a pull and returned.
    pub async fn fetch(&mut self, req: &FetchRequest) -> anyhow::Result<FetchResponse> {
        let body = wire::encode(req);
        self.bytes_up += body.len();
        self.round_trips += 1;
        let res = self
            .http
            .post(format!("{}/api/v1/fetch", self.url))
            .bearer_auth(&self.token)
            .header("content-type", wire::CONTENT_TYPE)
            .body(body)
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("fetch failed: {} {}", res.status(), res.text().await.unwrap_or_default());
        }
        let bytes = res.bytes().await?;
        self.bytes_down += bytes.len();
        let res: FetchResponse = wire::decode(&bytes)?;
        for f in &res.docs {
            let changes =
                f.changes.iter().map(|b| Change::from_bytes(b.to_vec())).collect::<Result<Vec<_>, _>>()?;
            let local =
                self.docs.entry(f.doc).or_insert_with(|| Local { doc: Automerge::new(), acked: vec![] });
            let was_clean = local.doc.get_heads() == local.acked;
            local.doc.apply_changes(changes)?;
            if was_clean {
                local.acked = local.doc.get_heads();
            }
            self.fetched.push(f.doc);
        }
        Ok(res)
    }

    /// Open a case by number as a person would: fetched unless held. Returns its id.
    pub async fn open_case_no(&mut self, case_no: &str) -> anyhow::Result<Option<DocId>> {
        let req = FetchRequest {
            v: wire::PROTOCOL_VERSION,
            case_nos: vec![case_no.to_string()],
            ..Default::default()
        };
        Ok(self.fetch(&req).await?.docs.first().map(|d| d.doc))
    }

    /// Fetch what this phone holds of `docs` brought up to the server's heads.
    pub async fn refresh(&mut self, docs: &[DocId]) -> anyhow::Result<FetchResponse> {
        let have = docs
            .iter()
            .map(|d| HaveDoc {
                doc: *d,
                heads: self.docs.get(d).map(|l| wire::hashes(&l.doc.get_heads())).unwrap_or_default(),
            })
            .collect();
        self.fetch(&FetchRequest { v: wire::PROTOCOL_VERSION, docs: have, ..Default::default() }).await
    }

    /// Documents holding pulled changes whose dependencies never arrived: a partial replica's
    /// pull reached them without their history. Fetched with the heads held.
    pub(crate) async fn complete_histories(&mut self) -> anyhow::Result<()> {
        let gaps: Vec<DocId> = self
            .docs
            .iter()
            .filter(|(_, l)| !l.doc.get_missing_deps(&[]).is_empty())
            .map(|(d, _)| *d)
            .collect();
        if gaps.is_empty() {
            return Ok(());
        }
        self.refresh(&gaps).await?;
        if let Some(d) = self.docs.iter().find(|(_, l)| !l.doc.get_missing_deps(&[]).is_empty()) {
            bail!("document {} still lacks history after a fetch", d.0);
        }
        Ok(())
    }
}
