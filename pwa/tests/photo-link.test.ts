import { describe, expect, it } from 'vitest';
import { linkIsSlow, measuredKbps, noteKbps } from '../src/photos/link';

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('how fast the link is, for photos', () => {
  it('measures wire bytes over receive time of the large downloads only', () => {
    const kbps = measuredKbps([
      { transferSize: 31_250, responseStart: 1000, responseEnd: 2000 }, // 250 kbit/s
      { transferSize: 500, responseStart: 0, responseEnd: 1 }, // too small to say anything
      { transferSize: 0, responseStart: 0, responseEnd: 5 }, // from a cache
    ]);
    expect(kbps).toBeCloseTo(250, 0);
    expect(measuredKbps([{ transferSize: 0, responseStart: 0, responseEnd: 1 }])).toBeNull();
  });

  it('takes Save-Data, then a recent measurement, then the browser estimate; unknown is fast', () => {
    const store = memory();
    expect(linkIsSlow(undefined, 0, store)).toBe(false);
    expect(linkIsSlow({ effectiveType: '2g' }, 0, store)).toBe(true);
    expect(linkIsSlow({ effectiveType: 'slow-2g' }, 0, store)).toBe(true);
    expect(linkIsSlow({ effectiveType: '4g' }, 0, store)).toBe(false);
    expect(linkIsSlow({ downlink: 0.4 }, 0, store)).toBe(true);
    noteKbps(250, 1000, store);
    expect(linkIsSlow({ effectiveType: '4g' }, 2000, store)).toBe(true);
    expect(linkIsSlow({ effectiveType: '4g' }, 1000 + 86_400_001, store)).toBe(false);
    noteKbps(20_000, 3000, store);
    expect(linkIsSlow({ effectiveType: '2g' }, 4000, store)).toBe(false);
    expect(linkIsSlow({ saveData: true }, 4000, store)).toBe(true);
  });
});
