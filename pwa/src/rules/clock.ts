// Trusted time: a line-by-line port of sync-protocol/src/rules/clock.rs, held to the same
// vectors (sync-protocol/vectors/clock.json). The phone uses it to say when its own clock is
// too far off to be trusted, and to know what the server will make of the times it wrote.

/** How far a phone's clock may be off before its times are corrected. */
export const TOLERANCE_MS = 15 * 60 * 1000;
/** No Anlan record is older than this (2020-01-01T00:00:00+08:00). */
export const EARLIEST_MS = 1_577_808_000_000;

export interface ClockContext {
  /** The server's clock when the push arrived. */
  receipt: number;
  /** The phone's clock reading sent with the push, if any. */
  phone_now?: number;
  /** The later of the device's enrolment and, for an edit, the server's receipt of the document's
   *  creation: a claim more than the tolerance before it is implausible. */
  floor?: number;
}

/** How far the phone's clock is behind the server's (positive: the phone is slow). */
export const offsetOf = (ctx: ClockContext): number | null => (ctx.phone_now === undefined ? null : ctx.receipt - ctx.phone_now);

export const phoneIsOff = (ctx: ClockContext): boolean => {
  const off = offsetOf(ctx);
  return off !== null && Math.abs(off) > TOLERANCE_MS;
};

/** The time the server records for a claimed time: null if the claim stands. */
export function correct(claimed: number, ctx: ClockContext): number | null {
  const floor = Math.min(Math.max(ctx.floor ?? 0, EARLIEST_MS), ctx.receipt);
  const plausible = claimed >= EARLIEST_MS && claimed >= floor - TOLERANCE_MS && claimed <= ctx.receipt + TOLERANCE_MS;
  if (plausible && !phoneIsOff(ctx)) return null;
  const off = offsetOf(ctx);
  const estimate = off !== null && Math.abs(off) > TOLERANCE_MS ? claimed + off : ctx.receipt;
  return Math.min(Math.max(estimate, floor), ctx.receipt);
}
