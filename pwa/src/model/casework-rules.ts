// What screens need of casework without Automerge (which runs only in the worker): the
// outcomes a closure may record and the clock the overdue rule reads.
import type { Clock } from '../rules/overdue';

export const OUTCOMES = ['mediated', 'handled', 'unfounded', 'referred'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What the overdue rule reads of a case. */
export function clockOf(c: { deadline: number | null; status: string; needs_confirmation?: boolean; transitions?: { to: string; at: number }[] }): Clock {
  return { deadline: c.deadline, status: c.status, needs_confirmation: c.needs_confirmation ?? false, transitions: c.transitions ?? [] };
}
