//! A city's history for the scale benchmark (issue 14 §2, BENCHMARKS.md "A city's history").
//!
//! **Route.** Every case is made by phones' changes (the officer who reports it, the township
//! leader who acknowledges and assigns it, the officer who handles and resolves it, the leader
//! who closes it), and every change reaches the database through the server's own merge:
//! [`anlan_server::merge::Merger::replay`], the function the sync route calls
//! ([`Merger::sync`]) with the request's receipt time given instead of read from the clock.
//! Judging, permissions, clock rules, numbering, stamping, projection and the commit are the
//! server's; only the route's layer is skipped (token lookup, the device's remembered scope,
//! metrics). `tests/tests/all/history.rs` checks that a history replayed this way stores the
//! same rows as the same requests posted to `/api/v1/sync` over HTTP.
//!
//! What differs from a real history, on purpose:
//! - the phones never pull (each request's cursor is past the end of the feed): their later
//!   edits are concurrent with the server's case-number change instead of after it, which
//!   Automerge merges to the same document. Pulling every township's feed would make the
//!   generator cost grow with the history;
//! - the devices are enrolled at the start of the history (their `created_at` is set back),
//!   as the clock rules would otherwise correct every time before the enrolment;
//! - the alert outbox rows the history's urgent cases raise are marked done at their creation
//!   (the delivery worker is not part of the history; the measured server would otherwise
//!   start by delivering five years of alerts).
//!
//! [`Merger::sync`]: anlan_server::merge::Merger::sync
//! [`Merger::replay`]: anlan_server::merge::Merger::replay

mod life;
mod roster;

pub use life::{Day, History, Request};
pub use roster::{Actor, Roster, Shape, backdate, county_code};

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// Midnight in Beijing (UTC+8) of the day holding `ms`.
pub fn beijing_midnight(ms: i64) -> i64 {
    const EIGHT_HOURS: i64 = 8 * 3_600_000;
    (ms + EIGHT_HOURS).div_euclid(DAY_MS) * DAY_MS - EIGHT_HOURS
}
