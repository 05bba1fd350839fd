import { describe, expect, it } from 'vitest';
import { SyncScheduler, type Clock } from '../src/sync/scheduler';
import { SseParser } from '../src/sync/live';
import { HttpError } from '../src/api/http';

class FakeClock implements Clock {
  t = 0;
  timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  now() { return this.t; }
  setTimeout(fn: () => void, ms: number) { const id = ++this.id; this.timers.set(id, { at: this.t + ms, fn }); return id; }
  clearTimeout(h: unknown) { this.timers.delete(h as number); }
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await flush();
    }
    this.t = end;
  }
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('sync scheduler', () => {
  it('backs off 2 s doubling to 5 min after failures, and resets on success', async () => {
    const clock = new FakeClock();
    let fail = true;
    let runs = 0;
    const s = new SyncScheduler(async () => { runs++; if (fail) throw new Error('down'); }, () => {}, { periodMs: 1e9 }, clock);
    expect([1, 2, 3, 4, 8, 9, 20].map((n) => s.backoffMs(n))).toEqual([2000, 4000, 8000, 16000, 256000, 300000, 300000]);
    s.start();
    await flush();
    expect(runs).toBe(1);
    expect(s.state.nextRetryAt).toBe(2000);
    await clock.advance(2000);
    expect(runs).toBe(2);
    expect(s.state.nextRetryAt).toBe(2000 + 4000);
    fail = false;
    await clock.advance(4000);
    expect(runs).toBe(3);
    expect(s.state.failures).toBe(0);
    expect(s.state.nextRetryAt).toBeNull();
  });

  it('waits out a server that cannot store, no sooner than its Retry-After, and says so calmly', async () => {
    const clock = new FakeClock();
    let full = true;
    let runs = 0;
    const states: boolean[] = [];
    const s = new SyncScheduler(
      async () => { runs++; if (full) throw new HttpError(503, 'storage_full', 'no room', 30); },
      (st) => states.push(st.storageFull),
      { periodMs: 1e9 },
      clock,
    );
    s.start();
    await flush();
    expect(runs).toBe(1);
    expect(s.state.storageFull).toBe(true);
    expect(s.state.unauthorized).toBe(false);
    expect(s.state.reachable).toBe(true);
    expect(s.state.nextRetryAt).toBe(30_000); // Retry-After beats the 2 s first backoff
    await clock.advance(29_999);
    expect(runs).toBe(1);
    await clock.advance(1);
    expect(runs).toBe(2);
    full = false;
    await clock.advance(s.state.nextRetryAt! - clock.now());
    expect(runs).toBe(3);
    expect(s.state.storageFull).toBe(false);
    expect(s.state.failures).toBe(0);
    expect(states.at(-1)).toBe(false);
  });

  it('debounces a burst of edits into one sync', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const s = new SyncScheduler(async () => { runs++; }, () => {}, { debounceMs: 2000, periodMs: 1e9 }, clock);
    for (let i = 0; i < 5; i++) { s.edited(); await clock.advance(500); }
    expect(runs).toBe(0);
    await clock.advance(2000);
    expect(runs).toBe(1);
  });

  it('runs one more sync when triggered during a sync, never two at once', async () => {
    const clock = new FakeClock();
    let running = 0, max = 0, runs = 0;
    let release!: () => void;
    const s = new SyncScheduler(async () => {
      runs++; running++; max = Math.max(max, running);
      await new Promise<void>((r) => { release = r; });
      running--;
    }, () => {}, { periodMs: 1e9 }, clock);
    s.now(); s.now(); s.now();
    await flush();
    release(); await flush(); await flush();
    release(); await flush();
    expect(max).toBe(1);
    expect(runs).toBe(2);
  });

  it('does not try while offline and syncs as soon as the network returns', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const s = new SyncScheduler(async () => { runs++; }, () => {}, { periodMs: 1e9 }, clock);
    s.setOnline(false);
    s.now();
    s.edited();
    await clock.advance(10_000);
    expect(runs).toBe(0);
    s.setOnline(true);
    await flush();
    expect(runs).toBe(1);
  });

  it('stops retrying on a revoked token until asked again', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const s = new SyncScheduler(async () => { runs++; throw new Error('401'); }, () => {}, { periodMs: 1e9 }, clock, () => true);
    s.now();
    await flush();
    expect(s.state.unauthorized).toBe(true);
    await clock.advance(600_000);
    expect(runs).toBe(1);
  });
});

describe('live channel parser', () => {
  it('reads feed events across chunk boundaries and skips pings', () => {
    const got: [string, string][] = [];
    const p = new SseParser((e, d) => got.push([e, d]));
    p.push(': ping\n\nevent: fe');
    p.push('ed\ndata: {"cursor":12}\n');
    p.push('\nevent: feed\r\ndata: {"cursor":13}\r\n\r\n');
    expect(got).toEqual([['feed', '{"cursor":12}'], ['feed', '{"cursor":13}']]);
  });
});
