// Document kinds other than the case (petition items, downward visits, sweep reports). The
// repository and the worker handle every kind alike through this interface; each kind's own
// module says how to create, edit, summarise and show it. Add a kind in record-kinds.ts and KINDS.
import type * as A from '@automerge/automerge/slim';
import type { Author } from './case';
import { petitionModel } from './petition';
import { isRecordKind, type RecordKind, type RecordKinds } from './record-kinds';
import { visitModel } from './visit';
import { sweepModel } from './sweep';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDoc = A.Doc<any>;

/** How one kind's documents are made, edited and read (its Automerge side). */
export interface RecordModel<K extends RecordKind> {
  /** The document's `kind` field. */
  kind: K;
  /** A new document. Kinds that address their documents deterministically (sweep reports)
   *  return the id the inputs determine; when the phone already holds that document, the
   *  repository merges the new one into it. Otherwise `id` is null and a random one is used. */
  create(actor: string, author: Author, input: RecordKinds[K]['input'], now: Date): { id: string | null; doc: AnyDoc };
  applyEdit(doc: AnyDoc, author: Author, edit: RecordKinds[K]['edit'], now: Date): AnyDoc;
  /** What lists show without loading the document; kept with its metadata. Throws on a
   *  document that is not (yet) whole, e.g. a pull page that stopped mid-history. */
  summarize(doc: AnyDoc): RecordKinds[K]['summary'];
  /** The record for its detail screen. */
  view(id: string, doc: AnyDoc): RecordKinds[K]['view'];
}

/** Every kind the app knows besides the case, one line each. */
export const KINDS: { [K in RecordKind]: RecordModel<K> } = {
  petition: petitionModel, visit: visitModel, sweep_report: sweepModel,
};

export function modelOf<K extends RecordKind>(kind: K): RecordModel<K>;
export function modelOf(kind: string): RecordModel<RecordKind> | undefined;
export function modelOf(kind: string): RecordModel<RecordKind> | undefined {
  return isRecordKind(kind) ? KINDS[kind] : undefined;
}

/** The `kind` a document declares, without assuming its shape. */
export function kindOf(doc: AnyDoc): string | null {
  const k = (doc as { kind?: unknown }).kind;
  return typeof k === 'string' ? k : k != null ? String(k) : null;
}
