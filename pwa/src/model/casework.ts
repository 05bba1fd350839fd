// Leaders' casework in the case document (mirrors sync-protocol/src/case/casework.rs): every
// status change appends its transition {from, to, by, at, outcome?, note?} in the same change,
// as the server demands; closing records the outcome and closing note, reopening clears them.
import * as A from '@automerge/automerge/slim';

export { OUTCOMES, clockOf, type Outcome } from './casework-rules';
import type { Outcome } from './casework-rules';

export interface Transition { from: string; to: string; by: string; at: number; outcome: string | null; note: string | null }

export interface CaseworkView {
  transitions: Transition[];
  outcome: string | null;
  closing_note: string | null;
  resolution_plan: string;
  /** Two closures with different outcomes: not closed until the responsible leader confirms. */
  needs_confirmation: boolean;
  /** Mediation entries and the agreement (attachment hash) each names. */
  agreements: { entry: string; sha256: string }[];
}

export type CaseworkEdit =
  | { op: 'close'; outcome: Outcome; note: string }
  | { op: 'confirm_closure'; outcome: string; note: string }
  | { op: 'set_plan'; text: string }
  | { op: 'chase'; text: string };

type IS = A.ImmutableString;
interface Doc {
  status: IS;
  transitions?: { from: IS; to: IS; by: IS; at: Date; outcome?: IS; note?: IS }[];
  outcome?: IS | null;
  closing_note?: IS | null;
  resolution_plan?: string;
  timeline: { id: IS; kind: IS; at: Date; by: IS; text: IS; attachment?: IS }[];
}

const im = (s: string) => new A.ImmutableString(s);
const str = (v: unknown): string | null =>
  v == null ? null : v instanceof A.ImmutableString ? v.val : typeof v === 'string' ? v : String(v);

/** Change the status with its transition entry. Call inside `A.change`. */
export function moveStatus(d: Doc, user: string, to: string, now: Date, outcome?: string, note?: string): void {
  const from = str(d.status) ?? 'reported';
  if (!d.transitions) d.transitions = [];
  const e: NonNullable<Doc['transitions']>[number] = { from: im(from), to: im(to), by: im(user), at: now };
  if (outcome && to === 'closed') e.outcome = im(outcome);
  if (note) e.note = im(note.slice(0, 2000));
  d.transitions.push(e);
  d.status = im(to);
  if (to === 'closed') {
    d.outcome = outcome ? im(outcome) : null;
    d.closing_note = note ? im(note.slice(0, 2000)) : null;
  } else if (from === 'closed') {
    d.outcome = null;
    d.closing_note = null;
  }
}

/** Apply a casework edit inside `A.change`; false when `edit` is not one. */
export function applyCasework(d: Doc, user: string, edit: { op: string }, now: Date): boolean {
  const e = edit as CaseworkEdit;
  const entry = (kind: string, text: string) =>
    ({ id: im(crypto.randomUUID()), kind: im(kind), at: now, by: im(user), text: im(text.slice(0, 2000)) });
  switch (e.op) {
    case 'close': moveStatus(d, user, 'closed', now, e.outcome, e.note); return true;
    case 'confirm_closure':
      d.outcome = im(e.outcome);
      d.closing_note = im(e.note);
      return true;
    case 'set_plan':
      if (typeof d.resolution_plan === 'string') A.updateText(d as A.Doc<Doc>, ['resolution_plan'], e.text.slice(0, 5000));
      else d.resolution_plan = e.text.slice(0, 5000);
      return true;
    case 'chase': d.timeline.push(entry('chase', e.text)); return true;
    default: return false;
  }
}

export function caseworkView(doc: Doc, conflictFields: string[]): CaseworkView {
  const closed = str(doc.status) === 'closed' || conflictFields.includes('status');
  return {
    transitions: (doc.transitions ?? []).map((t) => ({
      from: str(t.from) ?? '', to: str(t.to) ?? '', by: str(t.by) ?? '',
      at: t.at instanceof Date ? t.at.getTime() : 0, outcome: str(t.outcome), note: str(t.note),
    })),
    outcome: str(doc.outcome),
    closing_note: str(doc.closing_note),
    resolution_plan: typeof doc.resolution_plan === 'string' ? doc.resolution_plan : '',
    needs_confirmation: closed && conflictFields.includes('outcome'),
    agreements: (doc.timeline ?? []).flatMap((e) => {
      const sha256 = str(e.attachment);
      return sha256 ? [{ entry: str(e.id) ?? '', sha256 }] : [];
    }),
  };
}

