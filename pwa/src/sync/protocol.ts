// The wire messages of PROTOCOL.md §3, and their CBOR encoding. On the wire doc ids are 16
// bytes and hashes 32 bytes; inside the app they are UUID text and hex (Automerge's form), so
// the conversion happens here and nowhere else.
import { Decoder, Encoder } from 'cbor-x';
import { bytesToHex, bytesToUuid, hexToBytes, uuidToBytes } from '../model/ids';

export const PROTOCOL_VERSION = 1;
export const MAX_ENTRIES_PER_REQUEST = 500;
export const MAX_CHANGES_PER_DOC = 2000;
/** Under the server's 4 MiB per document and request. */
export const MAX_DOC_BYTES = 3.5 * 1024 * 1024;
/** Under the server's 8 MiB body limit, with room for framing. */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

export interface PushDoc { doc: string; changes: Uint8Array[] }
export interface HaveDoc { doc: string; heads: string[] }
export interface SyncRequest {
  v: number;
  epoch?: string;
  cursor: number;
  push?: PushDoc[];
  have?: HaveDoc[];
  /** The scope fingerprint of the previous response (PROTOCOL.md §10). */
  scope?: string;
  /** The phone's clock when sending, by the clock it writes times with (PROTOCOL.md §11). */
  now?: number;
  /** A partial replica (PROTOCOL.md §12): only the working set is pulled. */
  replica?: Replica;
  /** A partial replica's `server_time` of the last response it stored. */
  since?: number;
}

export type Replica = 'full' | 'partial';

export type RejectCode = 'out_of_scope' | 'bad_change' | 'foreign_actor' | 'schema' | 'forbidden' | 'duplicate_seq' | 'too_large';
export interface Reason { code: RejectCode | string; message: string }

/** One per push/have entry, as a discriminated union on `status`. */
export type DocResult =
  | { doc: string; status: 'ok'; heads: string[] }
  | { doc: string; status: 'need_changes'; heads: string[] }
  | { doc: string; status: 'rejected'; heads: string[]; reason: Reason };

export interface PullDoc { doc: string; changes: Uint8Array[] }
export interface SyncResponse {
  epoch: string;
  reset: boolean;
  results: DocResult[];
  pull: PullDoc[];
  cursor: number;
  more: boolean;
  /** The device's current scope fingerprint (decoded as '' from a server that predates scopes). */
  scope?: string;
  /** Documents the previous scope covered and this one does not: delete them. */
  drop?: string[];
  /** The server's clock when it answered (0 from a server that predates §11). */
  server_time?: number;
  /** The replica the server served ('full' from a server that predates §12). */
  replica?: Replica;
  /** Cases that left a partial replica's working set: delete them like `drop`. */
  evict?: string[];
}

/** `POST /api/v1/fetch` (PROTOCOL.md §12): whole documents on demand. */
export interface FetchRequest { docs?: HaveDoc[]; case_nos?: string[] }
export interface FetchedDoc { doc: string; changes: Uint8Array[]; heads: string[] }
export interface FetchResponse { docs: FetchedDoc[]; missing: string[]; unknown: string[] }
export const MAX_FETCH = 100;

export class ProtocolError extends Error {}

// Byte strings stay plain CBOR major type 2 (no typed-array tags); maps decode to objects.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

export function encodeRequest(req: SyncRequest): Uint8Array {
  const wire: Record<string, unknown> = { v: req.v, cursor: req.cursor };
  if (req.epoch !== undefined) wire.epoch = req.epoch;
  if (req.scope !== undefined) wire.scope = req.scope;
  // A BigInt, so cbor-x writes an integer: a number past 2^32 would go out as a float, which the
  // server refuses (PROTOCOL.md: `now` is an integer of milliseconds).
  if (req.now !== undefined) wire.now = BigInt(Math.round(req.now));
  if (req.replica === 'partial') wire.replica = 'partial';
  if (req.since !== undefined) wire.since = BigInt(Math.round(req.since));
  if (req.push?.length) wire.push = req.push.map((p) => ({ doc: uuidToBytes(p.doc), changes: p.changes.map(plain) }));
  if (req.have?.length) wire.have = req.have.map((h) => ({ doc: uuidToBytes(h.doc), heads: h.heads.map(hexToBytes) }));
  return encoder.encode(wire);
}

/** Decode and check a response; anything malformed is a ProtocolError, never a half-read object. */
export function decodeResponse(bytes: Uint8Array): SyncResponse {
  let raw: unknown;
  try {
    raw = decoder.decode(bytes);
  } catch (e) {
    throw new ProtocolError(`response is not CBOR: ${(e as Error).message}`);
  }
  if (!isObj(raw)) throw new ProtocolError('response is not a map');
  const epoch = raw.epoch;
  const cursor = raw.cursor;
  if (typeof epoch !== 'string') throw new ProtocolError('epoch missing');
  if (typeof cursor !== 'number' && typeof cursor !== 'bigint') throw new ProtocolError('cursor missing');
  return {
    epoch,
    reset: raw.reset === true,
    results: arr(raw.results, 'results').map(decodeResult),
    pull: arr(raw.pull, 'pull').map((p) => {
      if (!isObj(p)) throw new ProtocolError('pull entry is not a map');
      return { doc: docId(p.doc), changes: arr(p.changes, 'changes').map(bytesOf) };
    }),
    cursor: Number(cursor),
    more: raw.more === true,
    scope: typeof raw.scope === 'string' ? raw.scope : '',
    drop: arr(raw.drop, 'drop').map(docId),
    server_time: typeof raw.server_time === 'number' || typeof raw.server_time === 'bigint' ? Number(raw.server_time) : 0,
    replica: raw.replica === 'partial' ? 'partial' : 'full',
    evict: arr(raw.evict, 'evict').map(docId),
  };
}

export function encodeFetchRequest(req: FetchRequest): Uint8Array {
  const wire: Record<string, unknown> = { v: PROTOCOL_VERSION };
  if (req.docs?.length) wire.docs = req.docs.map((h) => ({ doc: uuidToBytes(h.doc), heads: h.heads.map(hexToBytes) }));
  if (req.case_nos?.length) wire.case_nos = req.case_nos;
  return encoder.encode(wire);
}

export function decodeFetchResponse(bytes: Uint8Array): FetchResponse {
  let raw: unknown;
  try {
    raw = decoder.decode(bytes);
  } catch (e) {
    throw new ProtocolError(`response is not CBOR: ${(e as Error).message}`);
  }
  if (!isObj(raw)) throw new ProtocolError('response is not a map');
  return {
    docs: arr(raw.docs, 'docs').map((d) => {
      if (!isObj(d)) throw new ProtocolError('fetched entry is not a map');
      return { doc: docId(d.doc), changes: arr(d.changes, 'changes').map(bytesOf), heads: arr(d.heads, 'heads').map(hash) };
    }),
    missing: arr(raw.missing, 'missing').map(docId),
    unknown: arr(raw.unknown, 'unknown').map((u) => String(u)),
  };
}

/** Fake-server helper: the server's side of a fetch. */
export function encodeFetchResponse(res: FetchResponse): Uint8Array {
  return encoder.encode({
    docs: res.docs.map((d) => ({ doc: uuidToBytes(d.doc), changes: d.changes.map(plain), heads: d.heads.map(hexToBytes) })),
    ...(res.missing.length ? { missing: res.missing.map(uuidToBytes) } : {}),
    ...(res.unknown.length ? { unknown: res.unknown } : {}),
  });
}

/** Test helper and fake-server helper: the server's side of the encoding. */
export function encodeResponse(res: SyncResponse): Uint8Array {
  return encoder.encode({
    epoch: res.epoch, reset: res.reset, cursor: res.cursor, more: res.more,
    results: res.results.map((r) => ({
      doc: uuidToBytes(r.doc), status: r.status, heads: r.heads.map(hexToBytes),
      ...(r.status === 'rejected' ? { reason: r.reason } : {}),
    })),
    pull: res.pull.map((p) => ({ doc: uuidToBytes(p.doc), changes: p.changes.map(plain) })),
    ...(res.scope !== undefined ? { scope: res.scope } : {}),
    ...(res.drop?.length ? { drop: res.drop.map(uuidToBytes) } : {}),
    ...(res.server_time ? { server_time: res.server_time } : {}),
    ...(res.replica === 'partial' ? { replica: 'partial' } : {}),
    ...(res.evict?.length ? { evict: res.evict.map(uuidToBytes) } : {}),
  });
}

export function decodeRequest(bytes: Uint8Array): SyncRequest {
  const raw = decoder.decode(bytes) as Record<string, unknown>;
  const out: SyncRequest = { v: Number(raw.v), cursor: Number(raw.cursor ?? 0) };
  if (typeof raw.epoch === 'string') out.epoch = raw.epoch;
  if (typeof raw.scope === 'string') out.scope = raw.scope;
  if (typeof raw.now === 'number') out.now = raw.now;
  if (raw.replica === 'partial') out.replica = 'partial';
  if (typeof raw.since === 'number' || typeof raw.since === 'bigint') out.since = Number(raw.since);
  if (raw.push) out.push = arr(raw.push, 'push').map((p) => ({ doc: docId((p as any).doc), changes: arr((p as any).changes, 'changes').map(bytesOf) }));
  if (raw.have) out.have = arr(raw.have, 'have').map((h) => ({ doc: docId((h as any).doc), heads: arr((h as any).heads, 'heads').map(hash) }));
  return out;
}

function decodeResult(r: unknown): DocResult {
  if (!isObj(r)) throw new ProtocolError('result is not a map');
  const doc = docId(r.doc);
  const heads = arr(r.heads ?? [], 'heads').map(hash);
  switch (r.status) {
    case 'ok':
    case 'need_changes':
      return { doc, status: r.status, heads };
    case 'rejected': {
      const reason = isObj(r.reason)
        ? { code: String(r.reason.code ?? 'unknown'), message: String(r.reason.message ?? '') }
        : { code: 'unknown', message: '' };
      return { doc, status: 'rejected', heads, reason };
    }
    default:
      throw new ProtocolError(`unknown result status ${String(r.status)}`);
  }
}

export const isOk = (r: DocResult): r is Extract<DocResult, { status: 'ok' }> => r.status === 'ok';
export const isNeedChanges = (r: DocResult): r is Extract<DocResult, { status: 'need_changes' }> => r.status === 'need_changes';
export const isRejected = (r: DocResult): r is Extract<DocResult, { status: 'rejected' }> => r.status === 'rejected';

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}
function arr(x: unknown, what: string): unknown[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) throw new ProtocolError(`${what} is not an array`);
  return x;
}
function bytesOf(x: unknown): Uint8Array {
  if (!(x instanceof Uint8Array)) throw new ProtocolError('expected a byte string');
  return plain(x);
}
/** A plain Uint8Array view (cbor-x gives Buffers in Node; Automerge and IDB want the base type). */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
function docId(x: unknown): string {
  const b = bytesOf(x);
  if (b.length !== 16) throw new ProtocolError(`doc id is ${b.length} bytes, expected 16`);
  return bytesToUuid(b);
}
function hash(x: unknown): string {
  const b = bytesOf(x);
  if (b.length !== 32) throw new ProtocolError(`hash is ${b.length} bytes, expected 32`);
  return bytesToHex(b);
}
