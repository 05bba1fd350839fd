//! Photos and scans over HTTP as the PWA sends them (PROTOCOL.md "Blobs"): chunked uploads,
//! resumption, reads, and the cases that list them.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sync_protocol::DocId;
use sync_protocol::case::Severity;

use crate::{OFFICER, PUTOU, SimDevice, TestApp};

pub const CHUNK: usize = 128 * 1024;

/// Bytes that compress badly, as photos do, behind a JPEG's signature (the server checks that a
/// blob is the type it is declared as).
pub fn photo(len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|_| rand::random::<u8>()).collect();
    bytes[..3].copy_from_slice(&[0xff, 0xd8, 0xff]);
    bytes
}

pub fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What a blob request answered: status, JSON body (Null if none) and raw bytes.
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

pub struct Blobs {
    /// `…/api/v1/blobs`.
    pub url: String,
    http: reqwest::Client,
}

impl Blobs {
    pub fn new(app: &TestApp) -> Self {
        Blobs { url: format!("{}/api/v1/blobs", app.url), http: reqwest::Client::new() }
    }

    pub async fn answer(res: reqwest::Response) -> Answer {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, json, headers, bytes }
    }

    pub async fn put(
        &self,
        token: &str,
        hash: &str,
        mime: &str,
        size: usize,
        offset: usize,
        chunk: &[u8],
    ) -> Answer {
        let res = self
            .http
            .put(format!("{}/{hash}?offset={offset}", self.url))
            .bearer_auth(token)
            .header("content-type", mime)
            .header("anlan-blob-size", size.to_string())
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap();
        Self::answer(res).await
    }

    pub async fn status(&self, token: &str, hash: &str) -> Answer {
        let res =
            self.http.get(format!("{}/{hash}/upload", self.url)).bearer_auth(token).send().await.unwrap();
        Self::answer(res).await
    }

    pub async fn get(&self, token: &str, hash: &str) -> Answer {
        let res = self.http.get(format!("{}/{hash}", self.url)).bearer_auth(token).send().await.unwrap();
        Self::answer(res).await
    }

    /// Upload `bytes` from `from` to the end in `CHUNK`s, asserting each is accepted.
    pub async fn upload_from(&self, token: &str, mime: &str, bytes: &[u8], from: usize) -> Answer {
        let hash = sha(bytes);
        let mut last = None;
        for start in (from..bytes.len()).step_by(CHUNK) {
            let end = (start + CHUNK).min(bytes.len());
            let a = self.put(token, &hash, mime, bytes.len(), start, &bytes[start..end]).await;
            assert_eq!(a.status, StatusCode::OK, "chunk at {start}: {}", a.json);
            assert_eq!(a.json["received"], end);
            last = Some(a);
        }
        last.expect("at least one chunk")
    }
}

/// Add `{sha256, mime, size}` to a case's attachments, as the PWA does when a photo is taken.
pub fn attach(dev: &mut SimDevice, id: DocId, hash: &str, mime: &str, size: usize) {
    dev.edit(id, |tx| {
        let list = match tx.get(ROOT, "attachments")? {
            Some((_, list)) => list,
            None => tx.put_object(ROOT, "attachments", ObjType::List)?,
        };
        let at = tx.length(&list);
        let m = tx.insert_object(&list, at, ObjType::Map)?;
        tx.put(&m, "sha256", hash)?;
        tx.put(&m, "mime", mime)?;
        tx.put(&m, "size", size as i64)?;
        Ok(())
    });
}

/// The demo officer, with a synced case listing a photo of `len` bytes.
pub async fn officer_with_photo(app: &TestApp, len: usize) -> (SimDevice, DocId, Vec<u8>) {
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::General, "坝下渗水"));
    let bytes = photo(len);
    attach(&mut officer, id, &sha(&bytes), "image/jpeg", bytes.len());
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0, "the case is acknowledged before its photo is uploaded");
    (officer, id, bytes)
}
