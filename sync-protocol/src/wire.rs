//! The sync messages, as in `PROTOCOL.md`. CBOR (RFC 8949) with short text keys and raw byte
//! strings: a change is sent as its own bytes, never base64.

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::ids::DocId;

/// Bumped only for changes an older peer would misread.
pub const PROTOCOL_VERSION: u32 = 1;
/// The content type of both directions of `POST /api/v1/sync`.
pub const CONTENT_TYPE: &str = "application/cbor";
/// The most documents one request may push; a client with more sends several requests.
pub const MAX_PUSH_DOCS: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub v: u32,
    /// The server epoch this client last saw, `None` on its first sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    /// Highest feed position already pulled (0 = nothing).
    #[serde(default)]
    pub cursor: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub push: Vec<PushDoc>,
    /// Heads of documents the client holds, sent after an epoch reset to learn what the server
    /// lost. Answered in `results` like a push with no changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub have: Vec<HaveDoc>,
    /// The scope fingerprint from the previous response (PROTOCOL.md §10); `None` on the first
    /// sync. When it is not the current one, the response carries `drop` and restarts the pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The phone's clock when it sent the request (Unix ms), by the same clock it writes times
    /// with: the server measures the phone's clock with it and corrects what it claims
    /// (PROTOCOL.md §11). Optional; a client that omits it is judged on plausibility alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<i64>,
    /// Which replica the phone keeps (PROTOCOL.md §12): omitted means the whole scope.
    #[serde(default, skip_serializing_if = "Replica::is_full")]
    pub replica: Replica,
    /// A partial replica's `server_time` of the last response it stored: the server lists in
    /// `evict` what left the working set since. Omitted by a phone that may hold cases outside
    /// its working set from an unknown time (it kept a whole replica until now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
}

/// How much of its scope a phone keeps. A whole county on a phone is tens of megabytes; a
/// county administrator works on a small part of it and fetches the rest when asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replica {
    /// Every record of the scope, as phones have always kept.
    #[default]
    Full,
    /// The working set only (PROTOCOL.md §12); other cases are fetched on demand.
    Partial,
}

impl Replica {
    pub fn is_full(&self) -> bool {
        *self == Replica::Full
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushDoc {
    pub doc: DocId,
    pub changes: Vec<ByteBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HaveDoc {
    pub doc: DocId,
    pub heads: Vec<Hash>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub epoch: String,
    /// True when the request's epoch was not this one: the server was restored from a backup.
    /// The cursor was ignored (the pull starts from 0) and the client must re-check every
    /// document with `have`.
    #[serde(default)]
    pub reset: bool,
    pub results: Vec<DocResult>,
    pub pull: Vec<PullDoc>,
    pub cursor: u64,
    /// More of the feed is waiting: sync again at once.
    pub more: bool,
    /// The fingerprint of the device's current read scope: send it back in the next request.
    #[serde(default)]
    pub scope: String,
    /// Documents the device's previous scope covered and this one does not: delete them, with
    /// their metadata, before storing `scope` (PROTOCOL.md §10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<DocId>,
    /// The server's clock when it answered (Unix ms): a client keeps its own clock's offset
    /// from it and writes times corrected by that offset (PROTOCOL.md §11).
    #[serde(default)]
    pub server_time: i64,
    /// The replica the server served: `partial` only when the request asked for it. A server
    /// that predates partial replicas omits it, and the client then holds a whole replica.
    #[serde(default, skip_serializing_if = "Replica::is_full")]
    pub replica: Replica,
    /// Partial replicas: cases that left the working set (PROTOCOL.md §12). Delete them like
    /// `drop`, keeping any with undelivered changes; they stay readable through a fetch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evict: Vec<DocId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocResult {
    pub doc: DocId,
    pub status: Status,
    /// The server's heads for the document after this request (empty if it has none).
    pub heads: Vec<Hash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Everything pushed is durably stored (or was already).
    Ok,
    /// Nothing of this document's push was stored; see `reason`. The bytes are quarantined.
    Rejected,
    /// Some pushed change depends on changes the server lacks. Nothing was stored; push
    /// every change not covered by `heads`.
    NeedChanges,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: RejectCode,
    /// For people: which field and why, in English.
    pub message: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The document is not in this device's jurisdiction, or does not exist: the two are
    /// deliberately indistinguishable.
    OutOfScope,
    /// A change's bytes do not decode.
    BadChange,
    /// A new change carries an actor that is not this device's prefix.
    ForeignActor,
    /// The document after the change breaks the schema (`message` names the field).
    Schema,
    /// The change touches a field this person's role may not change (docs/permissions.md).
    Forbidden,
    /// Two different changes claim one (actor, seq): a client bug that would wedge the document.
    DuplicateSeq,
    /// Too many changes or bytes for one document in one request.
    TooLarge,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullDoc {
    pub doc: DocId,
    /// In feed order, so a change's dependencies always come before it.
    pub changes: Vec<ByteBuf>,
}

/// A change hash on the wire: 32 raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl From<ChangeHash> for Hash {
    fn from(h: ChangeHash) -> Self {
        Hash(h.0)
    }
}

impl From<Hash> for ChangeHash {
    fn from(h: Hash) -> Self {
        ChangeHash(h.0)
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let b = ByteBuf::deserialize(d)?;
        <[u8; 32]>::try_from(b.as_slice())
            .map(Hash)
            .map_err(|_| serde::de::Error::custom(format!("a change hash is 32 bytes, got {}", b.len())))
    }
}

pub fn hashes(heads: &[ChangeHash]) -> Vec<Hash> {
    heads.iter().copied().map(Hash::from).collect()
}

#[derive(Debug, thiserror::Error)]
#[error("malformed CBOR message: {0}")]
pub struct DecodeError(String);

pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    ciborium::into_writer(msg, &mut out).expect("writing CBOR to a Vec cannot fail");
    out
}

pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, DecodeError> {
    ciborium::from_reader(bytes).map_err(|e| DecodeError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_and_carries_changes_as_raw_bytes() {
        let change = vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3];
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            epoch: Some("e1".into()),
            cursor: 42,
            push: vec![PushDoc { doc: DocId([9; 16]), changes: vec![ByteBuf::from(change.clone())] }],
            have: vec![],
            scope: Some("5c0fe".into()),
            now: Some(1_796_000_000_000),
            replica: Replica::Partial,
            since: Some(1_795_000_000_000),
        };
        let bytes = encode(&req);
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), req);
        // The change appears verbatim: a CBOR byte string, not base64 text.
        assert!(bytes.windows(change.len()).any(|w| w == change.as_slice()));
    }

    #[test]
    fn a_response_round_trips_with_its_scope_and_drop_list_and_omits_an_empty_drop() {
        let res = SyncResponse {
            epoch: "e".into(),
            scope: "ab12".into(),
            drop: vec![DocId([3; 16]), DocId([4; 16])],
            ..Default::default()
        };
        assert_eq!(decode::<SyncResponse>(&encode(&res)).unwrap(), res);
        let quiet = SyncResponse { epoch: "e".into(), scope: "ab12".into(), ..Default::default() };
        let bytes = encode(&quiet);
        assert!(!bytes.windows(4).any(|w| w == b"drop"));
        // A response from before scopes existed still decodes: no scope, nothing to drop.
        #[derive(Serialize)]
        struct Old {
            epoch: String,
            results: Vec<DocResult>,
            pull: Vec<PullDoc>,
            cursor: u64,
            more: bool,
        }
        let old = encode(&Old { epoch: "e".into(), results: vec![], pull: vec![], cursor: 3, more: false });
        let back: SyncResponse = decode(&old).unwrap();
        assert!(back.scope.is_empty() && back.drop.is_empty());
    }

    #[test]
    fn a_whole_replica_says_nothing_of_replicas_and_a_partial_one_is_named() {
        let full = encode(&SyncRequest { v: 1, ..Default::default() });
        assert!(!full.windows(7).any(|w| w == b"replica"));
        let partial = SyncRequest { v: 1, replica: Replica::Partial, ..Default::default() };
        let bytes = encode(&partial);
        assert!(bytes.windows(7).any(|w| w == b"partial"));
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), partial);
        // A response from a server without partial replicas reads as a whole replica.
        let old = encode(&SyncResponse { epoch: "e".into(), ..Default::default() });
        assert_eq!(decode::<SyncResponse>(&old).unwrap().replica, Replica::Full);
    }

    #[test]
    fn an_empty_sync_is_small() {
        let req = SyncRequest {
            v: 1,
            epoch: Some("0123456789abcdef0123456789abcdef".into()),
            cursor: 123_456,
            scope: Some("0123456789abcdef".into()),
            ..Default::default()
        };
        assert!(encode(&req).len() < 80, "{} bytes", encode(&req).len());
    }

    #[test]
    fn garbage_and_truncated_messages_are_errors_not_panics() {
        assert!(decode::<SyncRequest>(b"\xff\x00garbage").is_err());
        let full = encode(&SyncRequest { v: 1, cursor: 5, ..Default::default() });
        for cut in 0..full.len() {
            assert!(decode::<SyncRequest>(&full[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn a_hash_of_the_wrong_length_is_refused() {
        #[derive(Serialize)]
        struct BadHave {
            doc: ByteBuf,
            heads: Vec<ByteBuf>,
        }
        #[derive(Serialize)]
        struct Req {
            v: u32,
            have: Vec<BadHave>,
        }
        let bytes = encode(&Req {
            v: 1,
            have: vec![BadHave { doc: ByteBuf::from(vec![1; 16]), heads: vec![ByteBuf::from(vec![1; 31])] }],
        });
        assert!(decode::<SyncRequest>(&bytes).is_err());
    }
}
