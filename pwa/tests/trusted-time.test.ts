// Everything the app computes from the time of day — a record's times, overdue and reminder
// states, a campaign's visibility and lateness, the statistics' month — reads the server's clock
// as the phone knows it (PROTOCOL.md §11): `trustedNow()` on the page, the worker's
// `TrustedClock`. The phone's raw clock is read only where an elapsed time is measured on that
// same clock. This test holds the source to that: a new raw reading must be added here with
// the reason it is safe, or routed through the trusted clock.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setPageClockOffset, trustedNow } from '../src/ui/page-clock';
import { campaignShown } from '../src/ui/sweep-data';

const SRC = new URL('../src/', import.meta.url).pathname;

/** File → how many raw clock readings it makes, and why each is safe. */
const RAW_CLOCK: Record<string, [number, string]> = {
  'ui/page-clock.ts': [1, 'the page\'s trusted clock itself: raw reading plus the measured offset'],
  'sync/trusted-clock.ts': [1, 'the worker\'s trusted clock itself'],
  'db/repo.ts': [1, 'the default clock of a repository built without one (tests); the worker passes its trusted clock'],
  'sync/client.ts': [1, 'the last sync, shown only as time elapsed since, on the same clock'],
  'ui/format.ts': [1, 'fmtAgo: time elapsed since the last sync, on the same clock'],
  'ui/syncbar.ts': [1, 'seconds until the next retry, scheduled on the same clock'],
  'sync/scheduler.ts': [1, 'retry back-off timing'],
  'ui/sweep-data.ts': [3, 'throttling the campaign list\'s refresh'],
  'people.ts': [3, 'the people cache\'s age and retry timing'],
  'photos/index.ts': [2, 'retrying a missing photo'],
  'photos/link.ts': [2, 'the age of a link-speed measurement'],
  'photos/store.ts': [2, 'the photo cache\'s eviction order'],
  'worker/wasm-fetch.ts': [1, 'timing the wasm download'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('trusted time in the PWA', () => {
  it('reads the raw clock only where an elapsed time is measured on that same clock', () => {
    const found: Record<string, number> = {};
    for (const path of sources(SRC)) {
      const n = (readFileSync(path, 'utf8').match(/Date\.now\(\)|new Date\(\)/g) ?? []).length;
      if (n > 0) found[relative(SRC, path)] = n;
    }
    const allowed = Object.fromEntries(Object.entries(RAW_CLOCK).map(([f, [n]]) => [f, n]));
    expect(found).toEqual(allowed);
  });
});

describe('a campaign on a phone whose clock is wrong', () => {
  const DAY = 86_400_000;
  const serverNow = Date.UTC(2026, 11, 1, 2, 0);
  const campaign = { window_start: serverNow - 2 * DAY, deadline: serverNow + 3 * DAY };
  afterEach(() => { vi.useRealTimers(); setPageClockOffset(0); });

  it('is shown by the server\'s clock once a sync has measured the offset', () => {
    // The phone's clock says next month: by it, the campaign closed more than a week ago.
    vi.useFakeTimers({ now: serverNow + 30 * DAY });
    expect(campaignShown(campaign, Date.now())).toBe(false);
    setPageClockOffset(-30 * DAY);
    expect(trustedNow()).toBe(serverNow);
    expect(campaignShown(campaign, trustedNow())).toBe(true);
  });

  it('is not shown before its window nor a week after its deadline', () => {
    expect(campaignShown(campaign, campaign.window_start - 1)).toBe(false);
    expect(campaignShown(campaign, campaign.deadline + 7 * DAY - 1)).toBe(true);
    expect(campaignShown(campaign, campaign.deadline + 7 * DAY)).toBe(false);
  });
});
