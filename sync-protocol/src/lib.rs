//! Anlan's shared vocabulary: what a record looks like and how records travel.
//!
//! # Layout
//! - [`ids`]: newtypes for document ids, actor prefixes and change hashes, parsed at the edge.
//! - [`schema`]: typed reads of Automerge values; the error every validator returns.
//! - [`calendar`]: the Beijing calendar — days, half-months, months, years — for everyone.
//! - [`case`]: the incident/dispute case document — typed view, validator, writer helpers.
//! - [`sweep`]: the sweep report — deterministic id and genesis, reader, completeness.
//! - [`petition`], [`visit`]: the petition item (信访事项) and the downward visit (下访).
//! - [`roles`]: who is who — `Role`, `UnitKind`, a role's rank and every rule on a role alone.
//! - [`corrections`]: a record's times the server corrected for a wrong clock, with the claims.
//! - [`outbox`]: what the server owes people (alerts, reminders), one typed event per cause.
//! - [`rules`]: rules the PWA runs too, held to shared vectors (the petition's statutory clock).
//! - [`wire`]: the `POST /api/v1/sync` request and response, CBOR encoded.
//! - [`fetch`]: `POST /api/v1/fetch`, whole documents on demand for a partial replica.
//!
//! This crate does no IO. The server and the test devices bring their own; the PWA speaks the
//! same bytes from TypeScript following `PROTOCOL.md` beside this file.

pub mod calendar;
pub mod case;
pub mod corrections;
pub mod fetch;
pub mod ids;
pub mod outbox;
pub mod petition;
pub mod roles;
pub mod rules;
pub mod schema;
pub mod schema_doc;
pub mod sweep;
pub mod visit;
pub mod wire;

pub use ids::{ActorPrefix, DocId, IdError};
pub use roles::{Rank, Role, UnitKind};
pub use schema::SchemaError;
