// Downward visits (下访) with the exact Automerge types sync-protocol/src/visit.rs reads.
import * as A from '@automerge/automerge/slim';
import type { Author } from './case';
import type { RecordModel } from './kinds';
import { VISIT_KIND } from './record-kinds';

type IS = A.ImmutableString;
export interface VisitDoc {
  schema_version: number; kind: IS; village: IS; leader: IS; recorded_by: IS; date: Date;
  people_met: IS[]; cases: IS[]; resolved: number; notes: string;
  /** Written only by the server when the recording phone's clock was wrong (PROTOCOL.md §11.1). */
  clock_corrections?: { field: IS; claimed: Date; corrected: Date }[];
}
export interface NewVisitInput {
  village: string; leader: string; date: number; people_met: string[]; cases: string[]; resolved: number; notes: string;
}
export type VisitEdit = { op: 'notes'; text: string } | { op: 'person'; name: string } | { op: 'resolved'; n: number } | { op: 'link_case'; case: string };
export interface VisitSummary {
  village: string; leader: string; date: number; people: number; found: number; resolved: number;
  /** The date the phone claimed, when the server corrected it for a wrong clock. */
  claimed_date: number | null;
}
export interface VisitView extends VisitSummary { doc: string; people_met: string[]; cases: string[]; notes: string; recorded_by: string }

const im = (s: string) => new A.ImmutableString(s);
const str = (v: unknown) => (v instanceof A.ImmutableString ? v.val : v == null ? '' : String(v));

function checkResolved(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new Error('resolved: 0 to 1000');
}

export function newVisit(actor: string, author: Author, input: NewVisitInput, now: Date): A.Doc<VisitDoc> {
  if (!input.leader.trim()) throw new Error('leader: must not be empty');
  if (input.date > now.getTime() + 86_400_000) throw new Error('date: a visit is recorded once it has happened');
  checkResolved(input.resolved);
  return A.change(A.init<VisitDoc>({ actor }), { time: Math.floor(now.getTime() / 1000) }, (d) => {
    d.schema_version = 1;
    d.kind = im(VISIT_KIND);
    d.village = im(input.village);
    d.leader = im(input.leader.trim());
    d.recorded_by = im(author.user);
    d.date = new Date(input.date);
    d.people_met = input.people_met.map((p) => p.trim()).filter(Boolean).map(im);
    d.cases = input.cases.map(im);
    d.resolved = input.resolved;
    d.notes = input.notes;
  });
}

export function editVisit(doc: A.Doc<VisitDoc>, e: VisitEdit, now: Date): A.Doc<VisitDoc> {
  if (e.op === 'resolved') checkResolved(e.n);
  return A.change(doc, { time: Math.floor(now.getTime() / 1000) }, (d) => {
    if (e.op === 'notes') A.splice(d, ['notes'], d.notes.length, 0, e.text);
    else if (e.op === 'person') d.people_met.push(im(e.name.trim()));
    else if (e.op === 'resolved') d.resolved = e.n;
    else d.cases.push(im(e.case));
  });
}

export function summarizeVisit(d: A.Doc<VisitDoc>): VisitSummary {
  if (d.kind == null || !(d.date instanceof Date) || d.people_met == null) throw new Error('not a whole visit');
  const corrected = (d.clock_corrections ?? []).find((c) => str(c.field) === 'date');
  return {
    village: str(d.village), leader: str(d.leader), date: d.date.getTime(), people: d.people_met.length,
    found: (d.cases ?? []).length, resolved: d.resolved,
    claimed_date: corrected?.claimed instanceof Date ? corrected.claimed.getTime() : null,
  };
}

export function viewVisit(id: string, d: A.Doc<VisitDoc>): VisitView {
  return {
    ...summarizeVisit(d), doc: id, people_met: d.people_met.map(str), cases: (d.cases ?? []).map(str),
    notes: String(d.notes ?? ''), recorded_by: str(d.recorded_by),
  };
}

export const visitModel: RecordModel<typeof VISIT_KIND> = {
  kind: VISIT_KIND,
  create: (actor, author, input, now) => ({ id: null, doc: newVisit(actor, author, input, now) }),
  applyEdit: (doc, _author, e, now) => editVisit(doc as A.Doc<VisitDoc>, e, now),
  summarize: (doc) => summarizeVisit(doc as A.Doc<VisitDoc>),
  view: (id, doc) => viewVisit(id, doc as A.Doc<VisitDoc>),
};
