// The statutory clock of a petition item (信访工作条例): a line-by-line port of
// sync-protocol/src/rules/petition.rs, held to the same vectors (sync-protocol/vectors/petition.json).
//
// Days are calendar days in Beijing time (UTC+8). The day something happens is day 0; "within N
// days" is up to the end of day N (before 00:00 Beijing of day N + 1). daysLeft = deadline day −
// today: 0 on the last day, negative when overdue.

import { DAY_MS, beijingDay, dateString, dayOfDate, dayStartMs } from './calendar';

export { DAY_MS };
export const DECIDE_DAYS = 15;
export const HANDLE_DAYS = 60;
export const MAX_EXTENSION_DAYS = 30;
export const REQUEST_DAYS = 30;
export const ANSWER_DAYS = 30;

export type Stage = 'awaiting_decision' | 'not_accepted' | 'handling' | 'replied' | 'review_requested'
  | 'reviewed' | 'rereview_requested' | 'rereviewed';
export type DeadlineKind = 'decide' | 'reply' | 'request_review' | 'answer_review' | 'request_rereview'
  | 'answer_rereview';
export type Owner = 'office' | 'petitioner';
export type ClockErrorCode = 'wrong_stage' | 'before_previous' | 'already_extended' | 'extension_days'
  | 'extension_too_late' | 'late';

export type PetitionEvent =
  | { event: 'accept' | 'decline' | 'reply' | 'request_review' | 'answer_review' | 'request_rereview' | 'answer_rereview'; at: number }
  | { event: 'extend'; at: number; days: number };

export interface Deadline { kind: DeadlineKind; owner: Owner; day: number }

export interface Clock {
  received: number;
  decision: { accepted: boolean; at: number } | null;
  extension: { at: number; days: number } | null;
  reply: number | null;
  reviewRequested: number | null;
  reviewAnswered: number | null;
  rereviewRequested: number | null;
  rereviewAnswered: number | null;
}

export class ClockError extends Error {
  constructor(readonly code: ClockErrorCode, message: string) { super(message); }
}

// Callers of the petition rules read days through them; the arithmetic is the calendar's.
export { beijingDay, dateString, dayOfDate, dayStartMs };

export function dueMs(d: Deadline): number { return dayStartMs(d.day + 1); }
export function daysLeft(d: Deadline, nowMs: number): number { return d.day - beijingDay(nowMs); }
/** Days left before a deadline given as its due instant (00:00 of the day after its last day). */
export function daysLeftTo(dueMs: number, nowMs: number): number { return beijingDay(dueMs - 1) - beijingDay(nowMs); }

export function newClock(received: number): Clock {
  return { received, decision: null, extension: null, reply: null, reviewRequested: null, reviewAnswered: null,
    rereviewRequested: null, rereviewAnswered: null };
}

export function stage(c: Clock): Stage {
  if (c.rereviewAnswered !== null) return 'rereviewed';
  if (c.rereviewRequested !== null) return 'rereview_requested';
  if (c.reviewAnswered !== null) return 'reviewed';
  if (c.reviewRequested !== null) return 'review_requested';
  if (c.reply !== null) return 'replied';
  if (c.decision) return c.decision.accepted ? 'handling' : 'not_accepted';
  return 'awaiting_decision';
}

export function deadline(c: Clock): Deadline | null {
  const d = (kind: DeadlineKind, owner: Owner, from: number, days: number): Deadline =>
    ({ kind, owner, day: beijingDay(from) + days });
  switch (stage(c)) {
    case 'awaiting_decision': return d('decide', 'office', c.received, DECIDE_DAYS);
    case 'handling': return d('reply', 'office', c.decision!.at, HANDLE_DAYS + (c.extension?.days ?? 0));
    case 'replied': return d('request_review', 'petitioner', c.reply!, REQUEST_DAYS);
    case 'review_requested': return d('answer_review', 'office', c.reviewRequested!, ANSWER_DAYS);
    case 'reviewed': return d('request_rereview', 'petitioner', c.reviewAnswered!, REQUEST_DAYS);
    case 'rereview_requested': return d('answer_rereview', 'office', c.rereviewRequested!, ANSWER_DAYS);
    default: return null;
  }
}

/** Has the item ended at `now`: no step left, or the petitioner's window has closed? */
export function finished(c: Clock, nowMs: number): boolean {
  const d = deadline(c);
  return d === null || (d.owner === 'petitioner' && daysLeft(d, nowMs) < 0);
}

function lastAt(c: Clock): number {
  return Math.max(...[c.received, c.decision?.at, c.extension?.at, c.reply, c.reviewRequested, c.reviewAnswered,
    c.rereviewRequested, c.rereviewAnswered].filter((t): t is number => typeof t === 'number'));
}

function within(event: string, from: number, at: number): void {
  const day = beijingDay(at) - beijingDay(from);
  if (day > REQUEST_DAYS) throw new ClockError('late', `${event}: asked on day ${day}, the window is ${REQUEST_DAYS} days`);
}

/** The clock after one more step; throws a ClockError saying why the step cannot be taken. */
export function apply(c: Clock, e: PetitionEvent): Clock {
  const st = stage(c);
  const wrong = () => new ClockError('wrong_stage', `${e.event}: not possible at stage ${st}`);
  if (e.at < lastAt(c)) throw new ClockError('before_previous', `${e.event}: dated before the step it follows`);
  const next = { ...c };
  switch (e.event) {
    case 'accept': case 'decline':
      if (st !== 'awaiting_decision') throw wrong();
      next.decision = { accepted: e.event === 'accept', at: e.at };
      break;
    case 'extend': {
      if (st !== 'handling') throw wrong();
      if (c.extension) throw new ClockError('already_extended', 'extension: the handling period is extended once only');
      if (!(e.days >= 1 && e.days <= MAX_EXTENSION_DAYS && Number.isInteger(e.days))) {
        throw new ClockError('extension_days', `extension: ${e.days} days, 1 to ${MAX_EXTENSION_DAYS} allowed`);
      }
      const day = beijingDay(e.at) - beijingDay(c.decision!.at);
      if (day > HANDLE_DAYS) {
        throw new ClockError('extension_too_late', `extension: decided on day ${day} of handling, after the ${HANDLE_DAYS} days ran out`);
      }
      next.extension = { at: e.at, days: e.days };
      break;
    }
    case 'reply':
      if (st !== 'handling') throw wrong();
      next.reply = e.at;
      break;
    case 'request_review':
      if (st !== 'replied') throw wrong();
      within(e.event, c.reply!, e.at);
      next.reviewRequested = e.at;
      break;
    case 'answer_review':
      if (st !== 'review_requested') throw wrong();
      next.reviewAnswered = e.at;
      break;
    case 'request_rereview':
      if (st !== 'reviewed') throw wrong();
      within(e.event, c.reviewAnswered!, e.at);
      next.rereviewRequested = e.at;
      break;
    case 'answer_rereview':
      if (st !== 'rereview_requested') throw wrong();
      next.rereviewAnswered = e.at;
      break;
  }
  return next;
}

const ORDER: Record<PetitionEvent['event'], number> = {
  accept: 0, decline: 0, extend: 1, reply: 2, request_review: 3, answer_review: 4, request_rereview: 5, answer_rereview: 6,
};

/** Rebuild a clock from recorded steps in any order, applied in the statutory order. */
export function replay(received: number, events: PetitionEvent[]): Clock {
  return [...events].sort((a, b) => ORDER[a.event] - ORDER[b.event]).reduce(apply, newClock(received));
}
