//! Trusted time: what the server makes of a time a phone claims (PROTOCOL.md §11). The PWA's
//! `pwa/src/rules/clock.ts` is a line-by-line port; both run `sync-protocol/vectors/clock.json`.
//!
//! A phone writes times from its own clock, and cheap phones' clocks are wrong: reset to 1970
//! after a flat battery, years ahead after a bad update, never synchronised while offline. The
//! server knows two things the phone does not: when it received the push (`receipt`), and — when
//! the request carries the phone's clock reading (`now`) — how far that clock is off right now.
//!
//! The rule, per claimed time of a push:
//! 1. If the phone's clock is off by more than [`TOLERANCE_MS`] at the push, every time the push
//!    writes is taken to be off by the same amount: corrected by the offset. (A phone that
//!    already corrects its own clock sends `now` by that corrected clock, so its offset is ~0.)
//! 2. Otherwise a time is trusted if it is no earlier than [`EARLIEST_MS`] and lies within
//!    `[floor − tolerance, receipt + tolerance]`, where `floor` is the later of the device's
//!    enrolment and, for an edit, the server's receipt of the document's creation. Outside it,
//!    it is corrected: a phone cannot have written anything before it was enrolled, nor edited
//!    a document before the document existed, so such a time is most likely a clock that was
//!    wrong when it was written and has since been put right (else rule 1 would catch it). A
//!    date typed for an earlier event looks the same; it is corrected too, its claim is kept
//!    beside the correction, and a petition's waits for a leader to confirm it from the
//!    register. The tolerance below the floor is the one above `receipt`: a phone a few
//!    minutes slow that writes just after its enrolment is not at fault.
//! 3. A corrected time is the offset-corrected estimate when there is one, else the receipt
//!    time, and is kept within `[floor, receipt]`: a time the server has to estimate is never
//!    put before what it knows came first, nor after the push arrived.

use serde::{Deserialize, Serialize};

/// How far a phone's clock may be off before its times are corrected: a phone on network time
/// is within seconds; a phone set by hand within minutes.
pub const TOLERANCE_MS: i64 = 15 * 60 * 1000;
/// No Anlan record is older than this (2020-01-01T00:00:00+08:00).
pub const EARLIEST_MS: i64 = 1_577_808_000_000;

/// What the server knows when it judges a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockContext {
    /// The server's clock when the push arrived (Unix ms).
    pub receipt: i64,
    /// The phone's clock reading sent with the push (`now` in the request), if any.
    #[serde(default)]
    pub phone_now: Option<i64>,
    /// Nothing the push writes can have happened before this: the device's enrolment and, for
    /// an edit, the server's receipt of the document's creation. A claim more than the
    /// tolerance before it is implausible; a corrected time is never put before it.
    #[serde(default)]
    pub floor: i64,
}

impl ClockContext {
    /// How far the phone's clock is behind the server's (positive: the phone is slow).
    pub fn offset(&self) -> Option<i64> {
        self.phone_now.map(|p| self.receipt - p)
    }

    /// The phone's clock is off by more than the tolerance right now.
    pub fn phone_is_off(&self) -> bool {
        self.offset().is_some_and(|o| o.abs() > TOLERANCE_MS)
    }

    fn floor(&self) -> i64 {
        self.floor.max(EARLIEST_MS)
    }
}

/// The time to record for a claimed time: `None` if the claim is trusted as it stands.
pub fn correct(claimed: i64, ctx: &ClockContext) -> Option<i64> {
    let floor = ctx.floor().min(ctx.receipt);
    let plausible = claimed >= EARLIEST_MS
        && claimed >= floor.saturating_sub(TOLERANCE_MS)
        && claimed <= ctx.receipt + TOLERANCE_MS;
    if plausible && !ctx.phone_is_off() {
        return None;
    }
    let estimate = match ctx.offset() {
        Some(off) if off.abs() > TOLERANCE_MS => claimed.saturating_add(off),
        _ => ctx.receipt,
    };
    Some(estimate.clamp(floor, ctx.receipt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Vectors {
        cases: Vec<Vector>,
    }

    #[derive(Deserialize)]
    struct Vector {
        name: String,
        claimed: i64,
        context: ClockContext,
        expect: Option<i64>,
    }

    #[test]
    fn every_shared_vector_holds() {
        let v: Vectors = serde_json::from_str(include_str!("../../vectors/clock.json")).unwrap();
        assert!(v.cases.len() >= 8);
        for c in v.cases {
            assert_eq!(correct(c.claimed, &c.context), c.expect, "{}", c.name);
        }
    }
}
