//! The quarantine: refused pushes, for administrators to read, release or export.

use base64::Engine;
use serde::Serialize;
use serde_bytes::ByteBuf;
use serde_json::Value;
use sync_protocol::wire::{self, DocResult, Reason, Status};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::merge::release::QuarantineView;
use crate::store::QuarantineEntry;

/// One quarantined push, without its bytes.
#[derive(Serialize, ToSchema)]
pub struct Item {
    pub id: i64,
    pub device_id: i64,
    pub device_label: String,
    pub user_id: String,
    pub user_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub doc: String,
    /// Why the merge refused it (a sync `reason` code).
    pub code: String,
    pub message: String,
    pub received_at: i64,
    #[schema(required = true)]
    pub released_at: Option<i64>,
    #[schema(required = true)]
    pub released_by: Option<String>,
}

impl Item {
    pub fn of(e: &QuarantineEntry) -> Self {
        Item {
            id: e.id,
            device_id: e.device_id,
            device_label: e.device_label.clone(),
            user_id: e.user_id.clone(),
            user_name: e.user_name.clone(),
            unit_code: e.unit_code.clone(),
            unit_name: e.unit_name.clone(),
            doc: e.doc.to_string(),
            code: e.code.clone(),
            message: e.message.clone(),
            received_at: e.received_at,
            released_at: e.released_at,
            released_by: e.released_by.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Items {
    pub items: Vec<Item>,
}

/// The stored document and the document as it would read with the waiting changes applied
/// (each as plain JSON), with why it cannot, when it cannot.
#[derive(Serialize, ToSchema)]
pub struct Document {
    #[schema(required = true)]
    pub stored: Option<Value>,
    #[schema(required = true)]
    pub would_read: Option<Value>,
    /// How many changes wait.
    pub changes: usize,
    #[schema(required = true)]
    pub problem: Option<String>,
}

impl From<QuarantineView> for Document {
    fn from(v: QuarantineView) -> Self {
        Document { stored: v.stored, would_read: v.would_read, changes: v.changes, problem: v.problem }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Shown {
    pub item: Item,
    pub document: Document,
}

/// A release's verdict: `status` as in a sync result, with its `reason` if refused again.
#[derive(Serialize, ToSchema)]
pub struct Released {
    pub doc: String,
    pub status: Status,
    #[schema(required = true)]
    pub reason: Option<Reason>,
}

impl Released {
    pub fn of(r: DocResult) -> Self {
        Released { doc: r.doc.to_string(), status: r.status, reason: r.reason }
    }
}

/// Everything about one item, its changes in base64 (standard alphabet), so that it can be
/// kept, read or pushed again by hand. Served as a download.
#[derive(Serialize, ToSchema)]
pub struct Export {
    pub item: Item,
    pub changes: Vec<String>,
    pub document: Document,
}

impl Export {
    /// `changes`: the item's stored bytes (a CBOR list of changes).
    pub fn of(entry: &QuarantineEntry, changes: &[u8], document: Document) -> Result<Self, AppError> {
        let list: Vec<ByteBuf> = wire::decode(changes)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("quarantined changes do not decode: {e}")))?;
        let changes = list.iter().map(|c| base64::engine::general_purpose::STANDARD.encode(c)).collect();
        Ok(Export { item: Item::of(entry), changes, document })
    }
}
