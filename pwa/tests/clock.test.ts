// The trusted-time rule's shared vectors (the file the Rust rule is tested with), and the
// phone's own clock keeping.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { correct, type ClockContext } from '../src/rules/clock';
import { TrustedClock } from '../src/sync/trusted-clock';

interface Vector { name: string; claimed: number; context: ClockContext; expect: number | null }
const FILE = new URL('../../sync-protocol/vectors/clock.json', import.meta.url);
const { cases } = JSON.parse(readFileSync(FILE, 'utf8')) as { cases: Vector[] };

describe('trusted time rule (shared vectors)', () => {
  it('has vectors for fast, slow, jumped and unread clocks', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });
  for (const v of cases) {
    it(v.name, () => expect(correct(v.claimed, v.context)).toBe(v.expect));
  }
});

/** A phone whose wall clock and monotonic clock the test moves by hand. */
function fakePhone(wall: number) {
  const t = { wall, mono: 1000 };
  const clock = new TrustedClock({ wall: () => t.wall, mono: () => t.mono });
  const pass = (ms: number) => { t.wall += ms; t.mono += ms; };
  return { t, clock, pass };
}

const YEAR = 365 * 86_400_000;
const SERVER = 1_796_000_000_000;

describe('TrustedClock', () => {
  it('writes by the phone clock until a sync measures it', () => {
    const { clock } = fakePhone(SERVER + 3 * YEAR);
    expect(clock.now()).toBe(SERVER + 3 * YEAR);
    expect(clock.state().measured).toBe(false);
  });

  it('applies the offset a sync measured, including while offline afterwards', () => {
    const { clock, pass } = fakePhone(SERVER + 3 * YEAR);
    const sent = clock.now();
    pass(400);
    clock.observe(SERVER + 200, sent);
    expect(Math.abs(clock.now() - (SERVER + 400))).toBeLessThan(5);
    pass(3_600_000);
    expect(Math.abs(clock.now() - (SERVER + 400 + 3_600_000))).toBeLessThan(5);
    expect(clock.state().wrong).toBe(true);
    expect(Math.round(clock.state().offsetMs / YEAR)).toBe(-3);
  });

  it('keeps trusted time continuous when the wall clock jumps while the app runs', () => {
    const { t, clock, pass } = fakePhone(SERVER);
    clock.observe(SERVER, clock.now());
    pass(60_000);
    t.wall -= YEAR; // the user (or a bad network time) sets the clock a year back
    pass(60_000);
    expect(Math.abs(clock.now() - (SERVER + 120_000))).toBeLessThan(5);
    expect(clock.state().jumped).toBe(true);
  });

  it('does not call a clock within the tolerance wrong', () => {
    const { clock } = fakePhone(SERVER + 10 * 60_000);
    clock.observe(SERVER, clock.now());
    expect(clock.state().wrong).toBe(false);
  });

  it('restores a saved offset and forgets it when the clock went backwards across restarts', () => {
    const { clock } = fakePhone(SERVER + YEAR);
    clock.observe(SERVER, clock.now());
    const saved = clock.save();
    const again = fakePhone(SERVER + YEAR + 60_000);
    again.clock.restore(saved);
    expect(Math.abs(again.clock.now() - (SERVER + 60_000))).toBeLessThan(5);
    const reset = fakePhone(31_536_000_000); // a flat battery: the clock restarted in 1971
    reset.clock.restore(saved);
    expect(reset.clock.state().measured).toBe(false);
    expect(reset.clock.state().jumped).toBe(true);
  });
});
