// How fast this phone's link is, for choosing how small to make a photo: what the browser says
// (Network Information API: Save-Data, effective type) and what the phone measured itself on
// its last large transfers (resource timing), remembered for a day because photos are often
// taken offline and uploaded later over the same kind of link.

const KEY = 'anlan.link-kbps';
const DAY_MS = 86_400_000;
/** Below this many kbit/s a photo is made smaller: 2G and poor 3G. */
export const SLOW_KBPS = 1000;

interface NetInfo { saveData?: boolean; effectiveType?: string; downlink?: number }

/** Throughput of the page's large downloads so far (wire bytes over receive time), in kbit/s. */
export function measuredKbps(entries: { transferSize: number; responseStart: number; responseEnd: number }[]): number | null {
  const big = entries.filter((e) => e.transferSize >= 30_000 && e.responseEnd > e.responseStart);
  if (!big.length) return null;
  const bytes = big.reduce((n, e) => n + e.transferSize, 0);
  const ms = big.reduce((n, e) => n + (e.responseEnd - e.responseStart), 0);
  return (bytes * 8) / ms; // bits per ms = kbit/s
}

/** Remember a measurement (the page's own downloads, or an upload's chunks). */
export function noteKbps(kbps: number, now = Date.now(), store: Pick<Storage, 'setItem'> = localStorage): void {
  if (Number.isFinite(kbps) && kbps > 0) store.setItem(KEY, JSON.stringify({ kbps, at: now }));
}

function remembered(now: number, store: Pick<Storage, 'getItem'>): number | null {
  try {
    const v = JSON.parse(store.getItem(KEY) ?? 'null') as { kbps: number; at: number } | null;
    return v && now - v.at < DAY_MS ? v.kbps : null;
  } catch {
    return null;
  }
}

/** Whether to encode photos for a slow link. Save-Data wins; then the phone's own recent
 *  measurement; then the browser's estimate; unknown counts as fast. */
export function linkIsSlow(net: NetInfo | undefined, now = Date.now(), store: Pick<Storage, 'getItem'> = localStorage): boolean {
  if (net?.saveData) return true;
  const kbps = remembered(now, store);
  if (kbps !== null) return kbps < SLOW_KBPS;
  if (net?.effectiveType) return /(^|-)2g$|^3g$/.test(net.effectiveType);
  return net?.downlink !== undefined && net.downlink * 1000 < SLOW_KBPS;
}

/** Measure from the resource timing the page has, and remember it. */
export function measureLink(): void {
  const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  const kbps = measuredKbps(entries);
  if (kbps !== null) noteKbps(kbps);
}

export const netInfo = (): NetInfo | undefined => (navigator as Navigator & { connection?: NetInfo }).connection;
