// When to sync (PROTOCOL.md §4): on start, when the network comes back, a few seconds after
// local edits, when the live channel says the feed advanced, periodically, and on demand.
// Failures back off exponentially, 2 s doubling to 5 min. Never more than one sync at a time;
// a trigger during a sync runs one more afterwards. A server that cannot store (`503
// storage_full`) is waited out like a lost network: nothing changes locally, and the retry
// comes no sooner than its Retry-After.

import { HttpError } from '../api/http';

export interface SchedulerState {
  running: boolean;
  online: boolean;
  failures: number;
  nextRetryAt: number | null;
  lastError: string | null;
  unauthorized: boolean;
  /** False after a request failed without any answer from the server (no network, captive
   *  portal, dead link in a valley): `navigator.onLine` alone says true in those cases. */
  reachable: boolean | null;
  /** The last attempt was answered `503 storage_full`: the server cannot store for now. */
  storageFull: boolean;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SchedulerOptions {
  debounceMs?: number;
  periodMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class SyncScheduler {
  readonly state: SchedulerState = { running: false, online: true, failures: 0, nextRetryAt: null, lastError: null, unauthorized: false, reachable: null, storageFull: false };
  private rerun = false;
  private debounceTimer: unknown = null;
  private retryTimer: unknown = null;
  private periodTimer: unknown = null;
  private opts: Required<SchedulerOptions>;

  constructor(
    private run: () => Promise<void>,
    private onState: (s: SchedulerState) => void,
    opts: SchedulerOptions = {},
    private clock: Clock = realClock,
    /** Tells a failure that must not be retried automatically (revoked token). */
    private isFatal: (e: unknown) => boolean = () => false,
    private isUnreachable: (e: unknown) => boolean = (e) => e instanceof TypeError || (e as Error | null)?.name === 'AbortError',
  ) {
    this.opts = { debounceMs: 2000, periodMs: 60_000, minBackoffMs: 2000, maxBackoffMs: 5 * 60_000, ...opts };
  }

  start(): void {
    this.schedulePeriodic();
    this.now();
  }

  stop(): void {
    for (const t of [this.debounceTimer, this.retryTimer, this.periodTimer]) if (t) this.clock.clearTimeout(t);
    this.debounceTimer = this.retryTimer = this.periodTimer = null;
  }

  setOnline(online: boolean): void {
    const cameBack = online && !this.state.online;
    this.state.online = online;
    this.emit();
    if (cameBack) {
      this.state.reachable = null;
      this.state.failures = 0; // a new network deserves a fresh start
      this.now();
    }
  }

  /** Sync as soon as possible (open, online, live event, the button). */
  now(): void {
    if (this.debounceTimer) this.clock.clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.state.nextRetryAt = null;
    this.state.unauthorized = false;
    void this.go();
  }

  /** A local edit happened: sync a little later, so a burst of edits is one request. */
  edited(): void {
    if (this.debounceTimer) this.clock.clearTimeout(this.debounceTimer);
    this.debounceTimer = this.clock.setTimeout(() => {
      this.debounceTimer = null;
      if (!this.retryTimer) void this.go();
    }, this.opts.debounceMs);
  }

  backoffMs(failures: number): number {
    return Math.min(this.opts.minBackoffMs * 2 ** Math.max(0, failures - 1), this.opts.maxBackoffMs);
  }

  private async go(): Promise<void> {
    if (!this.state.online || this.state.unauthorized) return;
    if (this.state.running) {
      this.rerun = true;
      return;
    }
    this.state.running = true;
    this.emit();
    try {
      await this.run();
      this.state.failures = 0;
      this.state.lastError = null;
      this.state.reachable = true;
      this.state.storageFull = false;
    } catch (e) {
      this.state.lastError = e instanceof Error ? e.message : String(e);
      this.state.reachable = !this.isUnreachable(e);
      this.state.storageFull = e instanceof HttpError && e.code === 'storage_full';
      if (this.isFatal(e)) {
        this.state.unauthorized = true;
      } else {
        this.state.failures++;
        const retryAfterMs = e instanceof HttpError && e.retryAfter ? e.retryAfter * 1000 : 0;
        const wait = Math.max(this.backoffMs(this.state.failures), retryAfterMs);
        this.state.nextRetryAt = this.clock.now() + wait;
        this.retryTimer = this.clock.setTimeout(() => {
          this.retryTimer = null;
          this.state.nextRetryAt = null;
          void this.go();
        }, wait);
      }
    } finally {
      this.state.running = false;
      this.emit();
    }
    if (this.rerun && this.state.failures === 0) {
      this.rerun = false;
      void this.go();
    }
  }

  private schedulePeriodic(): void {
    this.periodTimer = this.clock.setTimeout(() => {
      if (!this.retryTimer) void this.go();
      this.schedulePeriodic();
    }, this.opts.periodMs);
  }

  private emit(): void {
    this.onState({ ...this.state });
  }
}
