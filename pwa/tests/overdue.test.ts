// The overdue rule's shared vectors: the same file the Rust rules module is tested with.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dayOfDate, dayStartMs } from '../src/rules/petition';
import { deadlineOfDay, deadlineState, overdueFrom, remindFrom } from '../src/rules/overdue';

interface Vector {
  name: string; deadline?: string; deadline_at?: string; status: string; now: string;
  needs_confirmation?: boolean; transitions?: { to: string; at: string }[]; expect: string;
}

const FILE = new URL('../../sync-protocol/vectors/overdue.json', import.meta.url);
const { vectors } = JSON.parse(readFileSync(FILE, 'utf8')) as { vectors: Vector[] };

/** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`, Beijing local time → Unix ms. */
function beijing(s: string): number {
  const secs = s.length > 10 ? Number(s.slice(11, 13)) * 3600 + Number(s.slice(14, 16)) * 60 + Number(s.slice(17, 19)) : 0;
  return dayStartMs(dayOfDate(s.slice(0, 10))) + secs * 1000;
}

describe('overdue rule (shared vectors)', () => {
  it('has the vectors the issue asks for', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(20);
    expect(vectors.some((v) => v.deadline === '2028-02-29')).toBe(true);
  });
  for (const v of vectors) {
    it(v.name, () => {
      const deadline = v.deadline_at ?? v.deadline;
      const got = deadlineState({
        deadline: deadline ? beijing(deadline) : null,
        status: v.status,
        needs_confirmation: v.needs_confirmation ?? false,
        transitions: (v.transitions ?? []).map((t) => ({ to: t.to, at: beijing(t.at) })),
      }, beijing(v.now));
      expect(got).toBe(v.expect);
    });
  }
  it('agrees with ISO time in +08:00, whatever the machine\'s zone', () => {
    const d = Date.parse('2027-02-28T00:30:00+08:00');
    expect(overdueFrom(d)).toBe(Date.parse('2027-03-01T00:00:00+08:00'));
    expect(remindFrom(d)).toBe(Date.parse('2027-02-27T00:00:00+08:00'));
    expect(deadlineOfDay(dayOfDate('2028-02-29'))).toBe(Date.parse('2028-02-29T00:00:00+08:00'));
  });
});
