//! The HTTP API's bodies, one module per noun: what a handler takes and answers is a type here,
//! so the JSON on the wire, the OpenAPI description (`routes::openapi`) and the PWA's generated
//! types (`pwa/src/api/schema.gen.ts`) all come from one definition.
//!
//! Store rows are not serialized directly: each answer is converted here, so a column added to
//! a row does not reach the API unless it is added to the wire type too. Protocol types that
//! travel in the JSON too (a sync verdict, campaign completeness) come from `sync-protocol`,
//! described there. Domain structures that are serde types of their own (the statistics report
//! in `stats::report`, a history's entries in `audit`, the case in `sync_protocol::case`) are
//! carried as they are and described field by field where they are defined.

pub mod admin;
pub mod alerts;
pub mod audit;
pub mod blobs;
pub mod campaigns;
pub mod cases;
pub mod identity;
pub mod quarantine;
pub mod records;
pub mod session;

/// Bytes that are not JSON (a CBOR sync message, a spreadsheet, a photo), described as such.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(#[allow(dead_code)] Vec<u8>);
