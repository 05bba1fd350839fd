// Messages between the page and the Automerge worker, as discriminated unions.
import type { ClockState } from '../sync/trusted-clock';
import type { Session } from '../db/schema';
import type { CaseEdit, CaseListItem, CaseView, Delivery, NewCaseInput, Rejection } from '../model/types';
import type { NewRecord, RecordDetail, RecordEdit, RecordKind, RecordListItem } from '../model/record-kinds';
export type CaseDetail = CaseView & { delivery: Delivery; rejection: Rejection | null; heads: string[] };

/** Each request kind with its argument and its answer. */
export interface Calls {
  init: { arg: { base: string; token: string; session: Session }; ret: void };
  list: { arg: void; ret: CaseListItem[] };
  view: { arg: { doc: string }; ret: CaseDetail | null };
  /** A case this phone does not hold (a partial replica, PROTOCOL.md §12), by id or number,
   *  fetched from the server: its id, or null when none in scope answers. */
  fetchCase: { arg: { doc?: string; caseNo?: string }; ret: string | null };
  create: { arg: { input: NewCaseInput }; ret: string };
  edit: { arg: { doc: string; edit: CaseEdit }; ret: boolean };
  clearRejection: { arg: { doc: string }; ret: void };
  /** Documents of other kinds (src/model/record-kinds.ts): petitions, visits, sweep reports,
   *  each told apart by its `kind`. */
  records: { arg: { kind: RecordKind }; ret: RecordListItem[] };
  viewRecord: { arg: { doc: string }; ret: RecordDetail | null };
  createRecord: { arg: NewRecord; ret: string };
  editRecord: { arg: { doc: string } & RecordEdit; ret: boolean };
  syncNow: { arg: void; ret: void };
  setOnline: { arg: { online: boolean }; ret: void };
  unsyncedCount: { arg: void; ret: number };
  shutdown: { arg: void; ret: void };
}
export type CallName = keyof Calls;

export interface Request<K extends CallName = CallName> { id: number; call: K; arg: Calls[K]['arg'] }

export type Reply =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

export interface SyncStatus {
  online: boolean;
  /** False when the last attempt got no answer at all. */
  reachable: boolean | null;
  running: boolean;
  pending: number;
  rejected: number;
  lastSync: number | null;
  nextRetryAt: number | null;
  lastError: string | null;
  unauthorized: boolean;
  /** The server answered that it cannot store for now; the phone keeps everything and retries. */
  storageFull: boolean;
  progress: { done: number; total: number } | null;
  /** The phone's clock against the server's (src/sync/trusted-clock.ts). */
  clock: ClockState;
}

export type WorkerEvent =
  | { type: 'changed'; doc: string | null }
  | { type: 'sync'; status: SyncStatus }
  /** The server answered 401 `device_revoked`: the page wipes local data. */
  | { type: 'revoked' }
  /** The Automerge wasm arriving: bytes on the wire so far, of the total. */
  | { type: 'loading'; got: number; total: number }
  | { type: 'ready' };

export type FromWorker = Reply | WorkerEvent;

export const isReply = (m: FromWorker): m is Reply => m.type === 'reply';
