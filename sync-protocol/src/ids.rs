//! Identifiers that cross the wire. Each is parsed once at the boundary and trusted inside.

use std::fmt;
use std::str::FromStr;

use automerge::ActorId;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("a document id is 16 bytes, got {0}")]
    DocIdLength(usize),
    #[error("an actor prefix is 8 bytes, got {0}")]
    PrefixLength(usize),
    #[error("not a valid id: {0}")]
    Syntax(String),
}

/// A record's identity: a random UUID chosen by the device that creates it, so records can be
/// made offline without asking anyone. On the wire it is 16 raw bytes; in JSON and URLs the
/// hyphenated lowercase UUID.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub [u8; 16]);

impl DocId {
    pub fn random() -> Self {
        Self(*uuid::Uuid::new_v4().as_bytes())
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, IdError> {
        <[u8; 16]>::try_from(bytes).map(Self).map_err(|_| IdError::DocIdLength(bytes.len()))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// A document id as stored: sixteen bytes.
impl TryFrom<Vec<u8>> for DocId {
    type Error = IdError;
    fn try_from(bytes: Vec<u8>) -> Result<Self, IdError> {
        Self::from_slice(&bytes)
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        uuid::Uuid::from_bytes(self.0).hyphenated().fmt(f)
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({self})")
    }
}

impl FromStr for DocId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s)
            .map(|u| Self(*u.as_bytes()))
            .map_err(|_| IdError::Syntax(s.chars().take(64).collect()))
    }
}

impl Serialize for DocId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { s.collect_str(self) } else { s.serialize_bytes(&self.0) }
    }
}

impl<'de> Deserialize<'de> for DocId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            s.parse().map_err(serde::de::Error::custom)
        } else {
            let b = serde_bytes::ByteBuf::deserialize(d)?;
            DocId::from_slice(&b).map_err(serde::de::Error::custom)
        }
    }
}

/// The first 8 bytes of every actor id a device may write with. The server issues it with the
/// device token, so it can attribute a change to a device by looking at the change alone.
/// All-zero is reserved for the server's own changes (case numbers).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActorPrefix(pub [u8; 8]);

impl ActorPrefix {
    pub const SERVER: ActorPrefix = ActorPrefix([0; 8]);

    pub fn from_slice(bytes: &[u8]) -> Result<Self, IdError> {
        <[u8; 8]>::try_from(bytes).map(Self).map_err(|_| IdError::PrefixLength(bytes.len()))
    }

    /// Whether `actor` was minted from this prefix. Actors shorter than 9 bytes never match: a
    /// writer session must add its own suffix, or two tabs would reuse (actor, seq) pairs.
    pub fn owns(&self, actor: &ActorId) -> bool {
        let bytes = actor.to_bytes();
        bytes.len() > 8 && bytes[..8] == self.0
    }

    /// A fresh actor for one writer session: prefix ‖ 8 random bytes.
    pub fn new_actor(&self) -> ActorId {
        let mut bytes = self.0.to_vec();
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes()[..8].as_ref());
        ActorId::from(bytes)
    }
}

impl fmt::Display for ActorPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ActorPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorPrefix({self})")
    }
}

impl FromStr for ActorPrefix {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = hex::decode(s).map_err(|_| IdError::Syntax(s.chars().take(32).collect()))?;
        Self::from_slice(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doc_id_round_trips_through_text() {
        let id = DocId::random();
        assert_eq!(id.to_string().parse::<DocId>().unwrap(), id);
        assert!("not-a-uuid".parse::<DocId>().is_err());
    }

    #[test]
    fn a_prefix_owns_only_actors_minted_from_it() {
        let p = ActorPrefix([7; 8]);
        assert!(p.owns(&p.new_actor()));
        assert!(!ActorPrefix([8; 8]).owns(&p.new_actor()));
        // The bare prefix has no session suffix, so it is not a valid writer.
        assert!(!p.owns(&ActorId::from(vec![7u8; 8])));
    }

    #[test]
    fn two_sessions_of_one_device_get_different_actors() {
        let p = ActorPrefix([1; 8]);
        assert_ne!(p.new_actor(), p.new_actor());
    }
}
