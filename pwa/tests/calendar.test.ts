// The Beijing calendar's shared vectors: the same file sync-protocol/src/calendar.rs runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  beijingDate, beijingDay, beijingHour, beijingMinute, beijingRfc3339, beijingYear, dayStartMs, halfMonth, monthDates,
} from '../src/rules/calendar';

interface Vector {
  name: string; at: number; date: string; year: number; hour: number; day_start: number; minute: string;
  rfc3339: string; half_month: { key: string; start: number; end: number }; month: string[]; previous_month: string[];
}

const FILE = new URL('../../sync-protocol/vectors/calendar.json', import.meta.url);
const { vectors } = JSON.parse(readFileSync(FILE, 'utf8')) as { vectors: Vector[] };

describe('Beijing calendar (shared vectors)', () => {
  it('has month ends, leap days and midnight edges', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
    expect(vectors.some((v) => v.date === '2028-02-29')).toBe(true);
  });
  for (const v of vectors) {
    it(v.name, () => {
      const h = halfMonth(v.at);
      expect({
        date: beijingDate(v.at), year: beijingYear(v.at), hour: beijingHour(v.at), day_start: dayStartMs(beijingDay(v.at)),
        minute: beijingMinute(v.at), rfc3339: beijingRfc3339(v.at),
        half_month: { key: h.key, start: h.start, end: h.end }, month: monthDates(v.at, 0), previous_month: monthDates(v.at, -1),
      }).toEqual({
        date: v.date, year: v.year, hour: v.hour, day_start: v.day_start, minute: v.minute, rfc3339: v.rfc3339,
        half_month: v.half_month, month: v.month, previous_month: v.previous_month,
      });
    });
  }
});
