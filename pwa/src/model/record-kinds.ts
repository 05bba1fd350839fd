// The kinds of document besides the case, as the screens and the worker's messages see them:
// each kind's name, what creating one takes, its edits, the summary lists show and the view its
// screen shows. No Automerge here (the screens import it; Automerge runs only in the worker):
// the kinds' Automerge code is in petition.ts, visit.ts and sweep.ts, tied to these by kinds.ts.
import type { NewPetitionInput, PetitionEdit, PetitionSummary, PetitionView } from './petition-steps';
import type { NewSweepInput, SweepEdit, SweepSummary, SweepView } from './sweep';
import type { Delivery, Rejection } from './types';
import type { NewVisitInput, VisitEdit, VisitSummary, VisitView } from './visit';

/** The `kind` field of each document kind, as the server's schema names it. */
export const PETITION_KIND = 'petition';
export const VISIT_KIND = 'visit';
export const SWEEP_KIND = 'sweep_report';

/** Per kind: what creating takes, an edit, the list summary and the detail view. */
export interface RecordKinds {
  [PETITION_KIND]: { input: NewPetitionInput; edit: PetitionEdit; summary: PetitionSummary; view: PetitionView };
  [VISIT_KIND]: { input: NewVisitInput; edit: VisitEdit; summary: VisitSummary; view: VisitView };
  [SWEEP_KIND]: { input: NewSweepInput; edit: SweepEdit; summary: SweepSummary; view: SweepView };
}
export type RecordKind = keyof RecordKinds;

export const RECORD_KINDS: readonly RecordKind[] = [PETITION_KIND, VISIT_KIND, SWEEP_KIND];

export const isRecordKind = (k: unknown): k is RecordKind => (RECORD_KINDS as readonly unknown[]).includes(k);

/** A document of kind `K` as lists see it. */
export interface RecordItemOf<K extends RecordKind> { doc: string; kind: K; delivery: Delivery; rejection: Rejection | null; summary: RecordKinds[K]['summary'] }
/** A document of kind `K` for its detail screen. */
export interface RecordDetailOf<K extends RecordKind> extends RecordItemOf<K> { heads: string[]; view: RecordKinds[K]['view'] }

/** Unions over the kinds, told apart by `kind`. */
export type RecordListItem = { [K in RecordKind]: RecordItemOf<K> }[RecordKind];
export type RecordDetail = { [K in RecordKind]: RecordDetailOf<K> }[RecordKind];
export type NewRecord = { [K in RecordKind]: { kind: K; input: RecordKinds[K]['input'] } }[RecordKind];
/** An edit names the kind it is for: the worker refuses it on a document of another kind. */
export type RecordEdit = { [K in RecordKind]: { kind: K; edit: RecordKinds[K]['edit'] } }[RecordKind];

/** The items of one kind, typed as that kind. */
export function itemsOf<K extends RecordKind>(kind: K, items: readonly RecordListItem[]): RecordItemOf<K>[] {
  return items.filter((i): i is RecordListItem & RecordItemOf<K> => i.kind === kind);
}

/** The record if it is of `kind`, typed as that kind. */
export function detailOf<K extends RecordKind>(kind: K, d: RecordDetail | null | undefined): RecordDetailOf<K> | null {
  return d && d.kind === kind ? (d as RecordDetailOf<K>) : null;
}
