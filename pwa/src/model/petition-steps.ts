// A petition's steps and edits as plain values, without Automerge (which runs only in the
// worker): what the screens show and check before asking the worker to write.
import { replay, type Clock, type Deadline, type PetitionEvent, type Stage } from '../rules/petition';

export const SOURCES = ['visit', 'phone', 'reception_day', 'mailbox', 'letter'] as const;
export type Source = (typeof SOURCES)[number];

export interface NewPetitionInput {
  village: string; source: Source; name: string; phone: string | null; id_no: string | null;
  request: string; received_at: number;
}
export type Which = 'review' | 'rereview';
export type PetitionEdit =
  | { op: 'decide'; accepted: boolean; at: number; note?: string }
  | { op: 'extend'; at: number; days: number; reason: string }
  | { op: 'reply'; at: number; text: string }
  | { op: 'request_review'; which: Which; at: number }
  | { op: 'answer_review'; which: Which; at: number; answer: string }
  | { op: 'link_case'; case: string };

/** A date the server corrected; the clock counts from it once a leader has confirmed it. */
export interface DateCorrection { field: string; claimed: number; corrected: number; confirmed: number | null; confirmed_by: string | null }

export interface PetitionSummary {
  village: string; source: Source; name: string; received_at: number; stage: Stage; deadline: Deadline | null;
  request: string;
  /** Corrected dates no leader has confirmed yet: the deadline is provisional meanwhile. */
  pending_dates: number;
}
export interface PetitionView extends PetitionSummary, Steps {
  doc: string; phone: string | null; id_no: string | null; recorded_by: string; cases: string[];
  clock_corrections: DateCorrection[];
}

/** The recorded steps as plain numbers: what the detail screen shows and the clock is built from. */
export interface Steps {
  received_at: number;
  decision: { accepted: boolean; at: number; note: string | null } | null;
  extension: { at: number; days: number; reason: string } | null;
  reply: { at: number; text: string } | null;
  review: { requested_at: number; answered_at: number | null; answer: string | null } | null;
  rereview: { requested_at: number; answered_at: number | null; answer: string | null } | null;
}

/** The clock recorded steps make (the server refuses documents where this throws). */
export function clockOfSteps(s: Steps): Clock {
  const out: PetitionEvent[] = [];
  if (s.decision) out.push({ event: s.decision.accepted ? 'accept' : 'decline', at: s.decision.at });
  if (s.extension) out.push({ event: 'extend', at: s.extension.at, days: s.extension.days });
  if (s.reply) out.push({ event: 'reply', at: s.reply.at });
  for (const [r, ask, answer] of [[s.review, 'request_review', 'answer_review'], [s.rereview, 'request_rereview', 'answer_rereview']] as const) {
    if (!r) continue;
    out.push({ event: ask, at: r.requested_at });
    if (r.answered_at !== null) out.push({ event: answer, at: r.answered_at });
  }
  return replay(s.received_at, out);
}

/** The clock step an edit records, if it is one. */
export function eventOf(e: PetitionEdit): PetitionEvent | null {
  switch (e.op) {
    case 'decide': return { event: e.accepted ? 'accept' : 'decline', at: e.at };
    case 'extend': return { event: 'extend', at: e.at, days: e.days };
    case 'reply': return { event: 'reply', at: e.at };
    case 'request_review': return { event: e.which === 'review' ? 'request_review' : 'request_rereview', at: e.at };
    case 'answer_review': return { event: e.which === 'review' ? 'answer_review' : 'answer_rereview', at: e.at };
    default: return null;
  }
}
