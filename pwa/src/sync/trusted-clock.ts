// The phone's best knowledge of the server's clock (PROTOCOL.md §11). Every sync measures the
// phone's clock against the server's; times are then written by the phone's clock plus that
// offset, offline too. While the app runs, the monotonic clock shows when the wall clock is set
// back (a bad network time, a user fixing it by hand) and the offset absorbs the jump, so the
// times written stay continuous. A forward drift is not taken as a jump: a sleeping phone's
// monotonic clock may stop while its wall clock runs on.
import { TOLERANCE_MS } from '../rules/clock';

/** Smaller differences between the two clocks are noise. */
const JUMP_MS = 60_000;

export interface ClockSources { wall: () => number; mono: () => number }
export interface SavedClock { offset: number; wall_at: number }
export interface ClockState {
  /** A sync has measured the clock since it was last known to jump. */
  measured: boolean;
  /** Add to the phone's clock to get the server's (negative: the phone is fast). */
  offsetMs: number;
  /** Measured, and off by more than the server tolerates. */
  wrong: boolean;
  /** The clock was seen to go backwards: times written since the last sync may be off. */
  jumped: boolean;
}

const browserClock: ClockSources = { wall: () => Date.now(), mono: () => performance.now() };

export class TrustedClock {
  private offset = 0;
  private measured = false;
  private jumped = false;
  private anchorWall: number;
  private anchorMono: number;

  constructor(private src: ClockSources = browserClock) {
    this.anchorWall = src.wall();
    this.anchorMono = src.mono();
  }

  /** Unix ms by the server's clock, as well as this phone knows it. */
  now(): number {
    this.watch();
    // Whole milliseconds: the wire's times are integers (a halved midpoint makes the offset fractional).
    return Math.round(this.src.wall() + this.offset);
  }

  /** A sync answered: `serverTime` was read about halfway between `sentAt` (by [`now`]) and now. */
  observe(serverTime: number, sentAt: number): void {
    const midpoint = (sentAt + this.now()) / 2;
    this.offset += serverTime - midpoint;
    this.measured = true;
    this.jumped = false;
  }

  state(): ClockState {
    this.watch();
    return { measured: this.measured, offsetMs: this.offset, wrong: this.measured && Math.abs(this.offset) > TOLERANCE_MS, jumped: this.jumped };
  }

  save(): SavedClock {
    return { offset: this.offset, wall_at: this.src.wall() };
  }

  /** Take up a saved offset, unless the clock went backwards since it was saved (a reset
   *  after a flat battery): then nothing is known until the next sync. */
  restore(saved: SavedClock | undefined): void {
    if (!saved) return;
    if (this.src.wall() < saved.wall_at - JUMP_MS) {
      this.jumped = true;
      return;
    }
    this.offset = saved.offset;
    this.measured = true;
  }

  private watch(): void {
    const wall = this.src.wall();
    const mono = this.src.mono();
    const drift = wall - this.anchorWall - (mono - this.anchorMono);
    if (drift < -JUMP_MS) {
      this.offset -= drift;
      this.jumped = true;
    }
    this.anchorWall = wall;
    this.anchorMono = mono;
  }
}
