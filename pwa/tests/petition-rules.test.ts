// The petition clock's shared vectors: the same file the Rust rules module is tested with.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ClockError, apply, dateString, dayOfDate, dayStartMs, daysLeft, daysLeftTo, deadline, dueMs, finished, newClock, replay, stage,
  type Clock, type PetitionEvent,
} from '../src/rules/petition';

interface Vector {
  name: string; received: string; replay?: boolean;
  events: { event: PetitionEvent['event']; at: string; days?: number }[];
  error?: { index: number; code: string };
  expect?: {
    stage: string;
    deadline: { kind: string; owner: string; date: string; due_ms: number } | null;
    countdown: { now: string; days_left: number | null; finished: boolean }[];
  };
}

const FILE = new URL('../../sync-protocol/vectors/petition.json', import.meta.url);
const { vectors } = JSON.parse(readFileSync(FILE, 'utf8')) as { vectors: Vector[] };

/** `YYYY-MM-DDTHH:MM` Beijing local time → Unix ms. */
function beijing(s: string): number {
  return dayStartMs(dayOfDate(s.slice(0, 10))) + (Number(s.slice(11, 13)) * 60 + Number(s.slice(14, 16))) * 60_000;
}

function toEvent(e: Vector['events'][number]): PetitionEvent {
  return e.event === 'extend' ? { event: 'extend', at: beijing(e.at), days: e.days! } : { event: e.event, at: beijing(e.at) } as PetitionEvent;
}

function run(v: Vector): { clock: Clock } | { index: number; error: ClockError } {
  const received = beijing(v.received);
  const events = v.events.map(toEvent);
  if (v.replay) {
    try { return { clock: replay(received, events) }; } catch (e) { return { index: 0, error: e as ClockError }; }
  }
  let clock = newClock(received);
  for (const [index, e] of events.entries()) {
    try { clock = apply(clock, e); } catch (error) { return { index, error: error as ClockError }; }
  }
  return { clock };
}

describe('petition clock vectors', () => {
  it('the file holds every stage', () => expect(vectors.length).toBeGreaterThanOrEqual(30));
  for (const v of vectors) {
    it(v.name, () => {
      const r = run(v);
      if (v.error) {
        expect('error' in r, 'expected a refusal').toBe(true);
        if ('error' in r) {
          expect(r.error).toBeInstanceOf(ClockError);
          expect([r.index, r.error.code]).toEqual([v.error.index, v.error.code]);
        }
        return;
      }
      if (!('clock' in r)) throw r.error;
      const want = v.expect!;
      expect(stage(r.clock)).toBe(want.stage);
      const d = deadline(r.clock);
      expect(d && { kind: d.kind, owner: d.owner, date: dateString(d.day), due_ms: dueMs(d) }).toEqual(want.deadline);
      for (const c of want.countdown) {
        const now = beijing(c.now);
        expect(d ? daysLeft(d, now) : null, c.now).toBe(c.days_left);
        expect(d ? daysLeftTo(dueMs(d), now) : null, c.now).toBe(c.days_left);
        expect(finished(r.clock, now), c.now).toBe(c.finished);
      }
    });
  }
});

describe('Beijing days', () => {
  it('midnight Beijing is 16:00 UTC the day before', () => {
    expect(dayStartMs(dayOfDate('2026-01-01'))).toBe(1_767_196_800_000);
    expect(dateString(dayOfDate('2028-02-29') + 1)).toBe('2028-03-01');
  });
});
