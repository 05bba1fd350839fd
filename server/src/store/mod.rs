//! Persistence in domain verbs. The only module that names sqlx.
//!
//! One implementation, [`SqlStore`], serves SQLite and PostgreSQL through sqlx's `Any` driver:
//! the queries are the same text on both, and the few real differences (how a commit is
//! serialised, how replicas are told the feed moved) live in [`Dialect`]. Two copies of every
//! query would be two places for them to drift apart. Migrations are per backend.

mod ack_links;
mod admin;
mod alert_plan;
mod alerts;
mod assign;
mod audit;
mod authors;
mod blobs;
mod campaign_reminders;
mod campaigns;
mod commit;
pub mod copy;
mod doc_bytes;
mod feed;
mod feed_notice;
pub mod identity;
mod locations;
mod notices;
mod people;
mod petitions;
mod pools;
mod quarantine;
mod receipts;
mod records;
mod reminders;
mod reprojection;
mod scope;
mod space;
mod sql;
mod stats;
mod uploads;
mod working_set;

#[cfg(test)]
mod durability_tests;
#[cfg(any(test, feature = "fault-injection"))]
mod faults;
#[cfg(test)]
mod plan_tests;
#[cfg(any(test, feature = "fault-injection"))]
mod probes;
#[cfg(any(test, feature = "fault-injection"))]
pub use faults::Faults;

pub use ack_links::{LinkUse, LinkView};
pub use admin::token_hash;
pub use alert_plan::STANDBY;
pub use alerts::{DeliveryLogRow, DeliveryOutcome, DigestDue, DueDelivery};
pub use assign::Assignee;
pub use audit::{ChangeAuthor, LoggedChange};
pub use blobs::BlobState;
pub use campaign_reminders::{ClaimedReminder, ManualClaim};
pub use campaigns::{CampaignInfo, NewCampaign, ReminderLogRow, RosterEntry, StoredReport};
pub use doc_bytes::logs_after_sql;
pub use feed_notice::{FeedNotice, decode_notice};
pub use locations::LatLon;
pub use people::UserListing;
pub use pools::Flush;
pub use quarantine::QuarantineEntry;
pub use receipts::ReceiptEffect;
pub use records::RecordListing;
pub use reprojection::DocLog;
pub use scope::Scope;
pub use space::{Free, FreeSpaceFloor, RETRY_AFTER_SECS, Refusal, Space, parse_bytes};
pub use sql::{Dialect, SqlStore, device_scope_sql, now_ms};
pub use stats::{CaseListRow, FINAL_STATUSES, StatCase, StatRecord, StatsWindow};
pub use uploads::{Chunk, ChunkOutcome, UploadLimits, expire_uploads_every, sniff};
pub use working_set::RECENT_MS;

use std::collections::HashMap;

use sync_protocol::{ActorPrefix, DocId, UnitKind};

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0} not found")]
    NotFound(String),
    /// The database or its disk has no room for this write now; retry later.
    #[error("{0}")]
    StorageFull(String),
}

/// The device behind a bearer token, with what the request needs to know about its user.
#[derive(Debug, Clone)]
pub struct DeviceAuth {
    pub device_id: i64,
    pub actor_prefix: ActorPrefix,
    pub revoked: bool,
    /// Retired by its user: the next successful sync is its last, then it is revoked.
    pub retiring: bool,
    pub user_id: String,
    pub user_name: String,
    pub role: String,
    pub unit_code: String,
    pub unit_name: String,
    /// The user's own unit's path (their scope's first path).
    pub unit_path: String,
    /// What the user may read: see [`Scope`]. Loaded with the device, so a move or a newly
    /// named handler takes effect on the next request.
    pub scope: Scope,
    /// When the device was enrolled (server clock): nothing it writes happened before.
    pub enrolled_at: i64,
}

impl DeviceAuth {
    /// Is this unit's subtree in the user's scope? For deciding about units and people; a
    /// decision about one document must use [`DeviceAuth::covers_doc`].
    pub fn covers(&self, unit_path: &str) -> bool {
        self.scope.covers_path(unit_path)
    }

    /// May the user see this document (filed under `unit_path`)?
    pub fn covers_doc(&self, unit_path: &str, doc: DocId) -> bool {
        self.scope.covers(unit_path, doc)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub path: String,
}

impl Unit {
    /// Is this unit of `kind`? Units keep their kind as stored text.
    pub fn is(&self, kind: UnitKind) -> bool {
        self.kind == kind.as_str()
    }
}

/// What the merge layer needs to know about a stored document before loading it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocMeta {
    pub unit_code: String,
    pub unit_path: String,
    pub version: i64,
    pub tail_count: i64,
    /// The server's clock when the document's first change arrived.
    pub created_at: i64,
}

/// A document's bytes: the snapshot (if any) and every change logged after it.
#[derive(Debug, Clone, Default)]
pub struct DocBytes {
    pub snapshot: Option<Vec<u8>>,
    pub tail: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct NewChange {
    pub hash: [u8; 32],
    pub actor: Vec<u8>,
    pub bytes: Vec<u8>,
    /// `None` for changes the server writes itself.
    pub device_id: Option<i64>,
}

/// One document's part of a batch commit.
#[derive(Debug, Clone)]
pub struct DocCommit {
    pub doc: DocId,
    pub kind: String,
    pub unit_code: String,
    pub unit_path: String,
    /// `None`: the document must not exist yet.
    pub expected_version: Option<i64>,
    pub changes: Vec<NewChange>,
    pub heads: Vec<u8>,
    /// A full save() including `changes`; resets the tail.
    pub snapshot: Option<Vec<u8>>,
    pub case: Option<CaseRow>,
    /// The case's photo links (`doc_blobs`) may no longer say what its attachments say, and
    /// are rewritten: `false` only when the change left the attachments as they were.
    pub relink: bool,
    /// The projection of a document of another kind (petition, visit, sweep report).
    pub record: Option<RecordRow>,
    pub outbox: Vec<OutboxItem>,
    /// The user whose change moved the case out of `reported`: every alert about it is then
    /// marked acknowledged (and escalation stops, as it looks at the case's status).
    pub acknowledged_by: Option<Acknowledgement>,
}

/// Who moved a case out of `reported`, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub user: String,
    pub via: AckVia,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckVia {
    /// In the app, by a synced change.
    App,
    /// With the `/a/<code>` link of an alert SMS.
    SmsLink,
}

impl AckVia {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::SmsLink => "sms_link",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub case_no: Option<String>,
    pub village: String,
    pub unit_path: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub title: String,
    pub reporter: String,
    pub reported_at: i64,
    pub responsible_leader: Option<String>,
    pub handler: Option<String>,
    pub deadline: Option<i64>,
    pub conflicts: bool,
    /// When the case was settled (`stats::resolution`), `None` while it is not: what a month's
    /// statistics select by instead of reading the jurisdiction's whole history.
    pub settled_at: Option<i64>,
    /// The SHA-256 of every attachment: who can see the case may upload and read these blobs.
    pub attachments: Vec<String>,
    /// The whole case as JSON, as the API serves it (`routes::wire::cases::CaseView`).
    pub body: String,
}

/// The projection of a record of a kind other than the case: a few columns every kind fills
/// the way it needs for its queries, and the whole record as JSON.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordRow {
    /// Set by the judge from the document's `kind`.
    pub kind: String,
    /// What the record belongs to beyond its unit: the campaign of a sweep report, say.
    pub ref_key: Option<String>,
    pub status: Option<String>,
    /// The next deadline that matters (a petition's statutory clock), Unix ms.
    pub due_at: Option<i64>,
    /// When the record happened (a visit's date, a report's submission), Unix ms.
    pub at: Option<i64>,
    /// The person it is about or by (the visiting leader, the reporting officer).
    pub person: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub event: sync_protocol::outbox::OutboxEvent,
    /// Unique per cause: a second row with the same cause is never written.
    pub cause: String,
}

#[derive(Debug)]
pub enum CommitOutcome {
    /// Durable. Per document: its new version; and the highest feed position written.
    Committed { versions: HashMap<DocId, i64>, high: i64 },
    /// These documents moved since they were read; nothing was written.
    Conflict(Vec<DocId>),
}

#[derive(Debug, Clone)]
pub struct QuarantineItem {
    pub device_id: i64,
    pub doc: DocId,
    pub code: String,
    pub message: String,
    pub changes: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct FeedPage {
    /// (doc, change bytes) in feed order.
    pub changes: Vec<(DocId, Vec<u8>)>,
    pub cursor: i64,
    pub more: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: String,
    pub unit_code: String,
}

#[derive(Debug, Clone)]
pub struct IssuedDevice {
    pub device_id: i64,
    pub token: String,
    pub actor_prefix: ActorPrefix,
}
