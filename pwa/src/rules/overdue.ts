// When a case is overdue (限期化解): a line-by-line port of sync-protocol/src/rules/overdue.rs,
// held to the same vectors (sync-protocol/vectors/overdue.json). A deadline is a calendar day in
// Beijing time: a deadline of 2027-02-28 is overdue from 2027-03-01 00:00 +08:00, and the
// reminder is due from 00:00 of the day before. The clock stops at the first move into
// resolved/closed since the last reopening; a closure awaiting confirmation is still open.
import { beijingDay, dayStartMs } from './petition';

export type DeadlineState = 'none' | 'on_track' | 'due_soon' | 'overdue' | 'settled_on_time' | 'settled_late';

export interface Clock {
  deadline: number | null;
  status: string;
  needs_confirmation: boolean;
  /** `to` and `at` of every transition, in document order. */
  transitions: { to: string; at: number }[];
}

const settling = (s: string) => s === 'resolved' || s === 'closed';

export const overdueFrom = (deadline: number) => dayStartMs(beijingDay(deadline) + 1);
export const remindFrom = (deadline: number) => dayStartMs(beijingDay(deadline) - 1);
/** The canonical timestamp of a deadline day `YYYY-MM-DD` (00:00 Beijing time). */
export const deadlineOfDay = (day: number) => dayStartMs(day);

export function settled(c: Clock): boolean {
  return settling(c.status) && !c.needs_confirmation;
}

export function settledAt(c: Clock): number | null {
  if (!settled(c)) return null;
  const moves = [...c.transitions].sort((a, b) => a.at - b.at); // stable, as in Rust
  let since: number | null = null;
  for (const m of moves) since = settling(m.to) ? (since ?? m.at) : null;
  return since;
}

export function deadlineState(c: Clock, now: number): DeadlineState {
  if (c.deadline == null) return 'none';
  const due = overdueFrom(c.deadline);
  if (settled(c)) {
    const at = settledAt(c);
    return at != null && at >= due ? 'settled_late' : 'settled_on_time';
  }
  if (now >= due) return 'overdue';
  if (now >= remindFrom(c.deadline)) return 'due_soon';
  return 'on_track';
}
