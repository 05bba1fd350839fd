// Sweep reports (排查报告): one document per (campaign, village), with the types and the
// genesis change of sync-protocol/src/sweep/. The genesis bytes must equal the Rust builder's:
// tests/sweep.test.ts writes them to sync-protocol/vectors/sweep-genesis.json, which the Rust
// suite checks. Two officers reporting offline for one village build the same genesis, add
// their own changes on top, and the documents merge into one report.
import * as A from '@automerge/automerge/slim';
import { bytesToHex } from './ids';
import type { Author } from './case';
import type { RecordModel } from './kinds';

import { reportId } from './sweep-id';
import { SWEEP_KIND } from './record-kinds';
export const NIL_TEXT = '无新增矛盾纠纷';

type IS = A.ImmutableString;
export interface SweepDoc {
  schema_version: number;
  kind: IS;
  campaign: IS;
  village: IS;
  found: Record<string, { by: IS; at: Date }>;
  nil: Record<string, Date>;
  notes: string;
  reporters: Record<string, Date>;
}

export type SweepState = 'found' | 'nil' | 'open';
export interface SweepSummary { campaign: string; village: string; state: SweepState; found: number; nil: boolean }
export interface SweepView extends SweepSummary { doc: string; cases: { case: string; by: string; at: number }[]; nilBy: string[]; notes: string; reporters: string[] }

export interface NewSweepInput { campaign: string; village: string; nil?: boolean; found?: string[]; notes?: string }
export type SweepEdit = { op: 'found'; case: string } | { op: 'nil' } | { op: 'notes'; text: string };

const im = (s: string) => new A.ImmutableString(s);
const str = (v: unknown) => (v instanceof A.ImmutableString ? v.val : String(v ?? ''));


/** A document holding only the genesis change: actor = document id, seq 1, time 0. */
export function genesis(campaign: string, village: string): A.Doc<SweepDoc> {
  const actor = reportId(campaign, village).replace(/-/g, '');
  return A.change(A.init<SweepDoc>({ actor }), { time: 0 }, (d) => {
    d.schema_version = 1;
    d.kind = im(SWEEP_KIND);
    d.campaign = im(campaign);
    d.village = im(village);
    d.found = {};
    d.nil = {};
    d.notes = '';
    d.reporters = {};
  });
}

function put(d: SweepDoc, user: string, e: SweepEdit, now: Date) {
  if (e.op === 'found') d.found[e.case] = { by: im(user), at: now };
  else if (e.op === 'nil') d.nil[user] = now;
  else if (e.text) A.splice(d, ['notes'], d.notes.length, 0, e.text);
  d.reporters[user] = now;
}

/** Edits made together are one change: one sync, one entry in the history. */
function edit(doc: A.Doc<SweepDoc>, user: string, edits: SweepEdit[], now: Date): A.Doc<SweepDoc> {
  if (edits.length === 0) return doc;
  return A.change(doc, { time: Math.floor(now.getTime() / 1000) }, (d) => {
    for (const e of edits) put(d, user, e, now);
  });
}

export function newReport(actor: string, author: Author, input: NewSweepInput, now: Date): { id: string; doc: A.Doc<SweepDoc> } {
  const id = reportId(input.campaign, input.village);
  const edits: SweepEdit[] = (input.found ?? []).map((c) => ({ op: 'found', case: c }) as SweepEdit);
  if (input.nil) edits.push({ op: 'nil' });
  if (input.notes) edits.push({ op: 'notes', text: input.notes });
  return { id, doc: edit(A.clone(genesis(input.campaign, input.village), { actor }), author.user, edits, now) };
}

export function summarizeReport(doc: A.Doc<SweepDoc>): SweepSummary {
  if (doc.kind == null || doc.found == null || doc.nil == null) throw new Error('not a whole sweep report');
  const found = Object.keys(doc.found).length;
  const nil = Object.keys(doc.nil).length > 0;
  return {
    campaign: str(doc.campaign), village: str(doc.village), found, nil,
    state: found > 0 ? 'found' : nil ? 'nil' : 'open',
  };
}

export function viewReport(id: string, doc: A.Doc<SweepDoc>): SweepView {
  return {
    ...summarizeReport(doc), doc: id,
    cases: Object.entries(doc.found).map(([c, f]) => ({ case: c, by: str(f.by), at: f.at.getTime() }))
      .sort((a, b) => a.at - b.at),
    nilBy: Object.keys(doc.nil).sort(), notes: String(doc.notes ?? ''), reporters: Object.keys(doc.reporters ?? {}).sort(),
  };
}

export const sweepModel: RecordModel<typeof SWEEP_KIND> = {
  kind: SWEEP_KIND,
  create: (actor, author, input, now) => newReport(actor, author, input, now),
  applyEdit: (doc, author, e, now) => edit(doc as A.Doc<SweepDoc>, author.user, [e], now),
  summarize: (doc) => summarizeReport(doc as A.Doc<SweepDoc>),
  view: (id, doc) => viewReport(id, doc as A.Doc<SweepDoc>),
};

/** The genesis change's bytes, for the shared test vector. */
export function genesisBytes(campaign: string, village: string): { doc: string; change: string; hash: string } {
  const doc = genesis(campaign, village);
  const [change] = A.getAllChanges(doc);
  return { doc: reportId(campaign, village), change: bytesToHex(change), hash: A.getHeads(doc)[0] };
}
