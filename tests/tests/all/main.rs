//! Every integration test, one binary: the server is linked once instead of once per file.
//! Run one area with `cargo test -p anlan-tests --test all <module>::` (e.g. `sync::`).

mod admin_api;
mod alert_crash;
mod alert_plan;
mod alerts;
mod audit;
mod authority;
mod authority_property;
mod backups;
mod bad_input;
mod blob_uploads;
mod blobs;
mod channels;
mod clock;
mod clock_records;
mod config;
mod convergence;
mod deadlines;
mod exposure;
mod feed;
mod fuzz;
mod https;
mod identity;
mod lifecycle;
mod logs;
mod merge_limits;
mod migrate;
mod openapi;
mod panicking_changes;
mod partial_replica;
mod people;
mod permissions;
mod petition_clock;
mod petitions;
mod processes;
mod proxy;
mod push_delivery;
mod push_endpoints;
mod quarantine;
mod receipts;
mod record_alerts;
mod restore;
mod revocation;
mod roster;
mod scope;
mod stats;
mod storage_full;
mod sweep_remind;
/// Helpers shared by `sweeps` and `sweep_remind`.
#[path = "sweeps/support.rs"]
mod sweep_support;
mod sweeps;
mod sync;
mod trust;
mod unit_location;
mod upgrade;
