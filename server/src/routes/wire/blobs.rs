//! Photos and documents attached to cases: resumable uploads by SHA-256.

use serde::Serialize;
use utoipa::ToSchema;

use crate::store::BlobState;

/// Where an upload stands.
#[derive(Serialize, ToSchema)]
pub struct BlobStatus {
    pub sha256: String,
    /// Bytes stored so far: the offset the next chunk must start at.
    pub received: i64,
    #[schema(required = true)]
    pub size: Option<i64>,
    #[schema(required = true)]
    pub mime: Option<String>,
    /// True only once the SHA-256 of the whole matched its name.
    pub complete: bool,
}

impl BlobStatus {
    pub fn of(sha256: &str, s: Option<&BlobState>) -> Self {
        BlobStatus {
            sha256: sha256.to_string(),
            received: s.map_or(0, |s| s.received),
            size: s.map(|s| s.size),
            mime: s.map(|s| s.mime.clone()),
            complete: s.is_some_and(|s| s.complete),
        }
    }
}

/// An upload refused: the error shape plus where the upload stands, so the client knows
/// where to resume (or that it must start again from 0).
#[derive(Serialize, ToSchema, Default)]
pub struct UploadRefusal {
    /// `wrong_offset`, `upload_mismatch`, `hash_mismatch`, `type_mismatch` or `upload_quota`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    /// Bytes of unfinished uploads this device holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<i64>,
}
