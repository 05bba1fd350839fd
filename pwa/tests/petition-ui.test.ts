// The petition list's countdown and order, by the shared clock rules.
import { describe, expect, it } from 'vitest';
import { countdown, orderPetitions, atOfDate } from '../src/ui/records-common';
import { dayOfDate, dayStartMs, beijingDay, type Deadline } from '../src/rules/petition';

const at = (date: string, hour: number) => dayStartMs(dayOfDate(date)) + hour * 3_600_000;
const office = (date: string): Deadline => ({ kind: 'reply', owner: 'office', day: dayOfDate(date) });

describe('petition countdown', () => {
  it('counts whole Beijing days: N days left, due today, N days overdue', () => {
    const d = office('2028-02-29');
    expect(countdown(d, at('2028-02-26', 23)).text).toBe('剩余3天');
    expect(countdown(d, at('2028-02-29', 0)).text).toBe('今天到期');
    expect(countdown(d, at('2028-02-29', 23)).cls).toBe('today');
    expect(countdown(d, at('2028-03-02', 1)).text).toBe('已超期2天');
  });

  it("the petitioner's lapsed window ends the item; no deadline is finished", () => {
    const window: Deadline = { kind: 'request_review', owner: 'petitioner', day: dayOfDate('2026-06-30') };
    expect(countdown(window, at('2026-06-30', 20)).text).toBe('今天到期');
    expect(countdown(window, at('2026-07-01', 0))).toMatchObject({ text: '已办结', finished: true });
    expect(countdown(null).finished).toBe(true);
  });

  it('lists open items most overdue first, then finished ones newest first', () => {
    const item = (doc: string, deadline: Deadline | null, received: string) =>
      ({ doc, summary: { deadline, received_at: at(received, 9) } });
    const now = at('2026-05-10', 12);
    const { open, done } = orderPetitions([
      item('later', office('2026-05-20'), '2026-05-01'), item('over', office('2026-05-08'), '2026-03-01'),
      item('old-done', null, '2026-01-01'), item('new-done', null, '2026-04-01'), item('today', office('2026-05-10'), '2026-04-25'),
    ], now);
    expect(open.map((x) => x.doc)).toEqual(['over', 'today', 'later']);
    expect(done.map((x) => x.doc)).toEqual(['new-done', 'old-done']);
  });

  it('a typed past date is recorded at 23:59 Beijing that day, today as now', () => {
    const now = at('2026-05-10', 12);
    expect(atOfDate('2026-05-10', now)).toBe(now);
    expect(beijingDay(atOfDate('2026-05-08', now))).toBe(dayOfDate('2026-05-08'));
    expect(atOfDate('2026-05-08', now)).toBe(at('2026-05-09', 0) - 60_000);
  });
});
