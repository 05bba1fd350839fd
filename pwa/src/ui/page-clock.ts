// The page's reading of the server's clock: the worker measures the phone's clock at every sync
// (sync/trusted-clock.ts) and reports the offset with the sync status; dates the page computes
// (a petition's "today", a visit's date) use it, so a phone whose clock is off still writes the
// right day once it has synced.
let offsetMs = 0;

export function setPageClockOffset(ms: number): void {
  offsetMs = Number.isFinite(ms) ? ms : 0;
}

/** Unix ms by the server's clock, as well as this phone knows it. */
export function trustedNow(): number {
  return Math.round(Date.now() + offsetMs);
}
