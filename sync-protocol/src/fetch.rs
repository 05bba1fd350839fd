//! `POST /api/v1/fetch`: whole documents on demand, for a partial replica (PROTOCOL.md §12).
//! CBOR like the sync messages; the server answers only what the device's scope covers.

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::ids::DocId;
use crate::wire::{Hash, HaveDoc};

/// The most documents and case numbers one fetch may name together.
pub const MAX_FETCH: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FetchRequest {
    pub v: u32,
    /// Documents by id, each with the heads the phone holds (none for a document it lacks):
    /// the answer carries only what those heads do not cover.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub docs: Vec<HaveDoc>,
    /// Cases by their number (`永安-2026-000123`), as a person types or reads it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub case_nos: Vec<String>,
}

impl FetchRequest {
    pub fn len(&self) -> usize {
        self.docs.len() + self.case_nos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FetchResponse {
    /// One per document found in scope, requested ids first, then case numbers.
    pub docs: Vec<FetchedDoc>,
    /// Requested ids the device cannot read: absent and out of scope are one answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<DocId>,
    /// Requested case numbers that name no case the device can read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchedDoc {
    pub doc: DocId,
    /// The changes the request's heads do not cover, in feed order (dependencies first).
    pub changes: Vec<ByteBuf>,
    /// The server's heads for the document: the phone holds all of it once these are applied.
    pub heads: Vec<Hash>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{decode, encode};

    #[test]
    fn a_fetch_round_trips_and_an_empty_answer_is_small() {
        let req = FetchRequest {
            v: 1,
            docs: vec![HaveDoc { doc: DocId([1; 16]), heads: vec![Hash([2; 32])] }],
            case_nos: vec!["永安-2026-000123".into()],
        };
        assert_eq!(decode::<FetchRequest>(&encode(&req)).unwrap(), req);
        assert_eq!(req.len(), 2);
        let res = FetchResponse {
            docs: vec![FetchedDoc {
                doc: DocId([1; 16]),
                changes: vec![ByteBuf::from(vec![1, 2])],
                heads: vec![Hash([3; 32])],
            }],
            missing: vec![DocId([4; 16])],
            unknown: vec!["x".into()],
        };
        assert_eq!(decode::<FetchResponse>(&encode(&res)).unwrap(), res);
        assert!(encode(&FetchResponse::default()).len() < 10);
    }
}
