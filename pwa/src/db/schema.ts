// The IndexedDB schema. Upgrades run in order with `if (oldVersion < n)`, so a phone that
// skipped versions still ends up with every step; never edit a released step, add one.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CaseSummary, Rejection } from '../model/types';
import type { SavedClock } from '../sync/trusted-clock';

export interface DocMeta {
  /** Hyphenated UUID, the same form the server's JSON uses. */
  doc: string;
  /** The document's `kind` ('case', or one in src/model/kinds.ts); 'unknown' until its
   *  creation has arrived. */
  kind: string;
  /** Heads after the latest local edit or applied pull (hex). */
  local_heads: string[];
  /** Heads the server is known to hold. local_heads ≠ acked_heads means "only on this phone". */
  acked_heads: string[];
  /** Set when the server refused the document; it is not pushed again until the user asks. */
  rejected: Rejection | null;
  /** A `CaseSummary` for cases, the kind's own summary otherwise; null when unreadable. */
  summary: CaseSummary | unknown;
  updated_at: number;
}

export interface Session {
  user: { id: string; name: string; role: string };
  unit: { code: string; name: string; path: string | string[] | unknown };
  device: { id: string | number; actor_prefix: string };
  epoch: string;
}

/** Small global values. Keys are fixed; see `KvValues` for each one's type. */
export interface KvValues {
  cursor: number;
  epoch: string;
  token: string;
  session: Session;
  last_sync: number;
  /** Set after an epoch reset until the `have` round has been answered. */
  need_have: boolean;
  /** The read scope's fingerprint from the last response (PROTOCOL.md §10). */
  scope: string;
  lang: 'zh-CN' | 'en';
  /** The people directory (src/people.ts), kept so names show offline. */
  people: PeopleCache;
  /** The phone clock's offset from the server's (src/sync/trusted-clock.ts). */
  clock: SavedClock;
  /** A partial replica's `server_time` of the last stored response (PROTOCOL.md §12); null
   *  once it keeps a whole replica again. */
  since: number | null;
}

/** Someone a case can name, as `GET /api/v1/people` lists them. */
export interface Person { id: string; name: string; role: string; unit_code: string; unit_name: string }
export interface PeopleCache {
  /** Whose directory it is: another person signing in on this phone fetches their own. */
  user: string;
  fetched_at: number;
  people: Person[];
}
export type KvKey = keyof KvValues;

/** A photo or scan, named by the SHA-256 of its bytes (src/photos). */
export interface BlobRecord {
  sha256: string;
  mime: string;
  size: number;
  /** Bytes, not a Blob: every IndexedDB (and fake-indexeddb in tests) stores these alike. */
  bytes: Uint8Array;
  /** `local`: taken here, not yet wholly on the server; `uploaded`: the server has verified
   *  it; `cached`: fetched from the server to be viewed here. Only `local` is ever uploaded. */
  state: 'local' | 'uploaded' | 'cached';
  /** The cases that list it: it is uploaded once one of them is acknowledged. */
  docs: string[];
  created_at: number;
}

export interface AnlanDB extends DBSchema {
  docs: { key: string; value: Uint8Array };
  meta: { key: string; value: DocMeta; indexes: { by_updated: number } };
  kv: { key: string; value: unknown };
  blobs: { key: string; value: BlobRecord; indexes: { by_state: string } };
}

export const DB_NAME = 'anlan';
export const DB_VERSION = 2;

export function openAnlanDb(name = DB_NAME): Promise<IDBPDatabase<AnlanDB>> {
  return openDB<AnlanDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('docs');
        const meta = db.createObjectStore('meta', { keyPath: 'doc' });
        meta.createIndex('by_updated', 'updated_at');
        db.createObjectStore('kv');
      }
      if (oldVersion < 2) {
        const blobs = db.createObjectStore('blobs', { keyPath: 'sha256' });
        blobs.createIndex('by_state', 'state');
      }
    },
    blocked() {
      // Another tab holds an older version open; it reloads on `versionchange` (below).
    },
  }).then((db) => {
    db.addEventListener('versionchange', () => db.close());
    return db;
  });
}

export type Db = IDBPDatabase<AnlanDB>;

export async function kvGet<K extends KvKey>(db: Db, key: K): Promise<KvValues[K] | undefined> {
  return (await db.get('kv', key)) as KvValues[K] | undefined;
}

export async function kvSet<K extends KvKey>(db: Db, key: K, value: KvValues[K]): Promise<void> {
  await db.put('kv', value, key);
}

export async function kvDel(db: Db, key: KvKey): Promise<void> {
  await db.delete('kv', key);
}

/** Documents with changes the server has not acknowledged (refused ones included: they are
 *  not on the server either) and photos not yet uploaded. Reads no document. */
export async function countUnsynced(db: Db): Promise<number> {
  const metas = await db.getAll('meta');
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((h) => b.includes(h));
  const docs = metas.filter((m) => m.rejected || !same(m.local_heads, m.acked_heads)).length;
  return docs + (await localPhotoCount(db));
}

/** Photos taken on this phone that the server does not have whole yet: they exist nowhere else. */
export async function localPhotoCount(db: Db): Promise<number> {
  return db.countFromIndex('blobs', 'by_state', 'local');
}
