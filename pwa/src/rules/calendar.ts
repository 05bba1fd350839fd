// The Beijing calendar (UTC+8, no daylight saving): the twin of sync-protocol/src/calendar.rs.
// Both run sync-protocol/vectors/calendar.json, so a day, half-month or month means the same on
// the phone as on the server, whatever zone the phone is set to.

export const DAY_MS = 86_400_000;
export const BEIJING_OFFSET_MS = 8 * 3_600_000;
export const BEIJING_ZONE = 'Asia/Shanghai';

/** The Beijing calendar day of an instant, as days since 1970-01-01. */
export const beijingDay = (ms: number) => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
/** 00:00 Beijing time of `day`, Unix ms. */
export const dayStartMs = (day: number) => day * DAY_MS - BEIJING_OFFSET_MS;

/** `YYYY-MM-DD` of a day number. */
export const dateString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The day number of a `YYYY-MM-DD` date. */
export function dayOfDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** The Beijing wall clock of an instant, read with UTC getters. */
const wall = (ms: number) => new Date(ms + BEIJING_OFFSET_MS);

export const beijingDate = (ms: number) => dateString(beijingDay(ms));
export const beijingYear = (ms: number) => wall(ms).getUTCFullYear();
export const beijingHour = (ms: number) => wall(ms).getUTCHours();
/** `YYYY-MM-DD HH:MM`. */
export const beijingMinute = (ms: number) => wall(ms).toISOString().slice(0, 16).replace('T', ' ');
/** RFC 3339 with milliseconds and +08:00. */
export const beijingRfc3339 = (ms: number) => `${wall(ms).toISOString().slice(0, 23)}+08:00`;

export interface HalfMonth { key: string; year: number; month: number; half: 1 | 2; start: number; end: number }

/** The half-month (1st–15th or 16th–last) containing `ms`, `[start, end)`. */
export function halfMonth(ms: number): HalfMonth {
  const w = wall(ms);
  const [y, m] = [w.getUTCFullYear(), w.getUTCMonth() + 1];
  const half = w.getUTCDate() <= 15 ? 1 : 2;
  const first = half === 1 ? Date.UTC(y, m - 1, 1) : Date.UTC(y, m - 1, 16);
  const next = half === 1 ? Date.UTC(y, m - 1, 16) : Date.UTC(y, m, 1);
  return {
    key: `${y}-${String(m).padStart(2, '0')}-${half}`, year: y, month: m, half,
    start: first - BEIJING_OFFSET_MS, end: next - BEIJING_OFFSET_MS,
  };
}

/** The whole Beijing month containing `ms`, shifted by `offset` months, as first and last dates. */
export function monthDates(ms: number, offset: number): [string, string] {
  const w = wall(ms);
  const first = new Date(Date.UTC(w.getUTCFullYear(), w.getUTCMonth() + offset, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
  return [first.toISOString().slice(0, 10), last.toISOString().slice(0, 10)];
}
