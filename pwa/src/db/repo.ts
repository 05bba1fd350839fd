// Documents and their metadata in IndexedDB. Every read-modify-write is one IDB transaction
// with no non-IDB await inside (Automerge calls are synchronous), so two tabs editing the same
// case both keep their changes: each loads what the other stored before changing it.
import * as A from '@automerge/automerge/slim';
import { applyEdit, newCase, summarize, viewCase, type Author, type CaseDoc } from '../model/case';
import { newDocId, sameHeads } from '../model/ids';
import { kindOf, modelOf, type AnyDoc, type RecordModel } from '../model/kinds';
import type { RecordDetail, RecordDetailOf, RecordEdit, RecordItemOf, RecordKind, RecordKinds } from '../model/record-kinds';
import type { CaseEdit, CaseListItem, CaseSummary, CaseView, Delivery, NewCaseInput, Rejection } from '../model/types';
import type { ChangeBatch, ChangeLimit, DocHeads, SyncStore } from '../sync/client';
import { countUnsynced, kvGet, kvSet, type Db, type DocMeta, type KvKey, type KvValues } from './schema';

type Cached = { doc: AnyDoc; heads: string[] };

export class DocRepo implements SyncStore {
  private cache = new Map<string, Cached>();

  /** `now` is the trusted clock (src/sync/trusted-clock.ts): every time this phone writes. */
  constructor(private db: Db, private actor: string, private author: Author, private now: () => number = () => Date.now()) {}

  // ---- for screens -------------------------------------------------------------------------

  async list(): Promise<CaseListItem[]> {
    const metas = await this.db.getAll('meta');
    return metas.filter((m) => m.kind === 'case').map((m) => ({
      ...(m.summary as CaseSummary),
      doc: m.doc,
      delivery: delivery(m),
      rejection: m.rejected,
    }));
  }

  /** Documents of another kind whose summary could be read (see `summarizeSafe`). */
  async listRecords<K extends RecordKind>(kind: K): Promise<RecordItemOf<K>[]> {
    const metas = await this.db.getAll('meta');
    return metas
      .filter((m) => m.kind === kind && m.summary != null)
      // The stored summary is what this kind's `summarize` made (`summarizeSafe`).
      .map((m) => ({ doc: m.doc, kind, delivery: delivery(m), rejection: m.rejected, summary: m.summary as RecordKinds[K]['summary'] }));
  }

  async viewRecord(id: string): Promise<RecordDetail | null> {
    const tx = this.db.transaction(['docs', 'meta'], 'readonly');
    const meta = await tx.objectStore('meta').get(id);
    if (!meta) return null;
    const doc = await this.loadIn(tx.objectStore('docs'), id, meta);
    await tx.done;
    const model = modelOf(meta.kind);
    if (!doc || !model) return null;
    // One kind's model makes one kind's detail; the union is over the kinds.
    return detailOf(model, id, doc, meta) as RecordDetail;
  }

  /** Pending and refused documents of every kind, for the sync bar. */
  async deliveryCounts(): Promise<{ pending: number; rejected: number }> {
    const metas = await this.db.getAll('meta');
    return {
      pending: metas.filter((m) => !m.rejected && isDirty(m)).length,
      rejected: metas.filter((m) => m.rejected).length,
    };
  }

  async createRecord<K extends RecordKind>(kind: K, input: RecordKinds[K]['input'], now = new Date(this.now())): Promise<string> {
    const model: RecordModel<K> | undefined = modelOf(kind as string) as RecordModel<K> | undefined;
    if (!model) throw new Error(`unknown document kind ${kind}`);
    const made = model.create(this.actor, this.author, input, now);
    const id = made.id ?? newDocId();
    const tx = this.db.transaction(['docs', 'meta'], 'readwrite');
    const docs = tx.objectStore('docs');
    const metas = tx.objectStore('meta');
    const meta = await metas.get(id);
    // A deterministic document the phone already holds (another officer's report pulled
    // earlier): the shared genesis makes this a merge, not a second document.
    const existing = meta ? await this.loadIn(docs, id, meta) : null;
    this.cache.delete(id);
    const doc = existing ? A.merge(existing, made.doc) : made.doc;
    const heads = A.getHeads(doc);
    void docs.put(A.save(doc), id);
    void metas.put({
      doc: id, kind, local_heads: heads, acked_heads: meta?.acked_heads ?? [], rejected: meta?.rejected ?? null,
      summary: model.summarize(doc), updated_at: now.getTime(),
    });
    await tx.done;
    this.cache.set(id, { doc, heads });
    return id;
  }

  /** An edit for the kind it names: refused on a document of another kind. */
  async editRecord(id: string, edit: RecordEdit, now = new Date(this.now())): Promise<boolean> {
    return this.update(id, (doc, kind) => {
      if (kind !== edit.kind) throw new Error(`document ${id} is a ${kind}, not a ${edit.kind}`);
      const model: RecordModel<RecordKind> | undefined = modelOf(kind);
      if (!model) throw new Error(`unknown document kind ${kind}`);
      return model.applyEdit(doc, this.author, edit.edit, now);
    });
  }

  async view(id: string): Promise<(CaseView & { delivery: CaseListItem['delivery']; rejection: Rejection | null; heads: string[] }) | null> {
    const tx = this.db.transaction(['docs', 'meta'], 'readonly');
    const meta = await tx.objectStore('meta').get(id);
    if (!meta) return null;
    const doc = await this.loadIn(tx.objectStore('docs'), id, meta);
    await tx.done;
    if (!doc) return null;
    return {
      ...viewCase(id, doc as A.Doc<CaseDoc>), heads: meta.local_heads,
      delivery: delivery(meta), rejection: meta.rejected,
    };
  }

  async create(input: NewCaseInput, now = new Date(this.now())): Promise<string> {
    const id = newDocId();
    const doc = newCase(this.actor, this.author, input, now);
    const heads = A.getHeads(doc);
    const tx = this.db.transaction(['docs', 'meta'], 'readwrite');
    void tx.objectStore('docs').put(A.save(doc), id);
    void tx.objectStore('meta').put({
      doc: id, kind: 'case', local_heads: heads, acked_heads: [], rejected: null,
      summary: summarize(doc), updated_at: now.getTime(),
    });
    await tx.done;
    this.cache.set(id, { doc, heads });
    return id;
  }

  async edit(id: string, edit: CaseEdit): Promise<boolean> {
    return this.update(id, (doc) => applyEdit(doc as A.Doc<CaseDoc>, this.author.user, edit, new Date(this.now())));
  }

  /** Let a refused document be pushed again (after the user fixed it or the server changed). */
  async clearRejection(id: string): Promise<void> {
    const tx = this.db.transaction('meta', 'readwrite');
    const m = await tx.store.get(id);
    if (m) await tx.store.put({ ...m, rejected: null });
    await tx.done;
  }

  async pendingCount(): Promise<number> {
    return (await this.db.getAll('meta')).filter((m) => !m.rejected && isDirty(m)).length;
  }

  /** What logging out would lose: pending and refused documents, and photos not yet uploaded. */
  async unsyncedCount(): Promise<number> {
    return countUnsynced(this.db);
  }

  // ---- SyncStore ---------------------------------------------------------------------------

  async dirty(): Promise<DocMeta[]> {
    return (await this.db.getAll('meta')).filter((m) => !m.rejected && isDirty(m));
  }

  async waiting(): Promise<DocHeads[]> {
    return (await this.db.getAll('meta')).filter((m) => m.rejected).map((m) => ({ doc: m.doc, heads: m.local_heads }));
  }

  async allHeads(): Promise<DocHeads[]> {
    return (await this.db.getAll('meta')).map((m) => ({ doc: m.doc, heads: m.local_heads }));
  }

  async changesSince(id: string, since: string[], limit: ChangeLimit = { changes: Infinity, bytes: Infinity }): Promise<ChangeBatch> {
    const tx = this.db.transaction(['docs', 'meta'], 'readonly');
    const meta = await tx.objectStore('meta').get(id);
    const doc = meta ? await this.loadIn(tx.objectStore('docs'), id, meta) : null;
    await tx.done;
    if (!doc) return { changes: [], heads: [], truncated: false };
    const all = A.getChangesSince(doc, since);
    let n = 0;
    let bytes = 0;
    while (n < all.length && n < limit.changes && (n === 0 || bytes + all[n].byteLength <= limit.bytes)) bytes += all[n++].byteLength;
    if (n === all.length) return { changes: all, heads: A.getHeads(doc), truncated: false };
    // A prefix in dependency order: its heads are the changes (and old heads) nothing in it depends on.
    const prefix = all.slice(0, n);
    const decoded = prefix.map((c) => A.decodeChange(c));
    const deps = new Set(decoded.flatMap((c) => c.deps));
    const heads = [...since.filter((h) => !deps.has(h)), ...decoded.map((c) => c.hash!).filter((h) => !deps.has(h))];
    return { changes: prefix, heads, truncated: true };
  }

  async setAcked(id: string, heads: string[]): Promise<void> {
    const tx = this.db.transaction('meta', 'readwrite');
    const m = await tx.store.get(id);
    if (m) await tx.store.put({ ...m, acked_heads: heads });
    await tx.done;
  }

  async markRejected(id: string, rejection: Rejection): Promise<void> {
    const tx = this.db.transaction('meta', 'readwrite');
    const m = await tx.store.get(id);
    if (m) await tx.store.put({ ...m, rejected: rejection });
    await tx.done;
  }

  async resetAcked(): Promise<void> {
    const tx = this.db.transaction('meta', 'readwrite');
    for (const m of await tx.store.getAll()) await tx.store.put({ ...m, acked_heads: [] });
    await tx.done;
  }

  /** Resolves `true` when changes arrived whose history this phone lacks (PROTOCOL.md §12):
   *  Automerge holds them back, and the caller fetches the document. */
  async applyPull(id: string, changes: Uint8Array[]): Promise<boolean> {
    const tx = this.db.transaction(['docs', 'meta'], 'readwrite');
    const docs = tx.objectStore('docs');
    const metas = tx.objectStore('meta');
    const meta = await metas.get(id);
    const before = meta ? await this.loadIn(docs, id, meta) : A.init<AnyDoc>({ actor: this.actor });
    this.cache.delete(id); // applyChanges outdates `before`; re-cached only once stored
    const [doc] = A.applyChanges(before ?? A.init<AnyDoc>({ actor: this.actor }), changes);
    const heads = A.getHeads(doc);
    const lacking = A.getMissingDeps(doc, []).length > 0;
    if (meta && sameHeads(heads, meta.local_heads)) {
      await tx.done;
      return lacking; // nothing new was applied
    }
    const wasClean = !meta || sameHeads(meta.local_heads, meta.acked_heads);
    void docs.put(A.save(doc), id);
    // A page of the feed can stop mid-history: until the creation arrives, the kind is unknown.
    const kind = kindOf(doc) ?? meta?.kind ?? 'unknown';
    void metas.put({
      doc: id, kind, local_heads: heads,
      acked_heads: wasClean ? heads : meta!.acked_heads,
      rejected: meta?.rejected ?? null,
      summary: summarizeSafe(kind, doc, meta), updated_at: this.now(),
    });
    await tx.done;
    this.cache.set(id, { doc, heads });
    return lacking;
  }

  async dropDocs(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const tx = this.db.transaction(['docs', 'meta', 'blobs'], 'readwrite');
    const metas = tx.objectStore('meta');
    const docs = tx.objectStore('docs');
    const blobs = tx.objectStore('blobs');
    const held = await Promise.all(ids.map((id) => metas.getKey(id)));
    for (const id of ids) {
      void metas.delete(id);
      void docs.delete(id);
    }
    // Photos go with their cases. Fetched copies are not linked to a case, so every one goes:
    // they are a cache, fetched again on demand while still in scope. A photo taken here and
    // not yet uploaded stays — it exists nowhere else.
    const gone = new Set(ids);
    for (const b of await blobs.getAll()) {
      const docsLeft = b.docs.filter((d) => !gone.has(d));
      if (b.state === 'cached' || (b.state === 'uploaded' && docsLeft.length === 0 && b.docs.length > 0)) {
        void blobs.delete(b.sha256);
      } else if (docsLeft.length !== b.docs.length) {
        void blobs.put({ ...b, docs: docsLeft });
      }
    }
    await tx.done;
    for (const id of ids) this.cache.delete(id);
    return held.filter((k) => k !== undefined).length;
  }

  getKv<K extends KvKey>(key: K): Promise<KvValues[K] | undefined> {
    return kvGet(this.db, key);
  }

  setKv<K extends KvKey>(key: K, value: KvValues[K]): Promise<void> {
    return kvSet(this.db, key, value);
  }

  // ---- internals ---------------------------------------------------------------------------

  private async update(id: string, fn: (doc: AnyDoc, kind: string) => AnyDoc): Promise<boolean> {
    const tx = this.db.transaction(['docs', 'meta'], 'readwrite');
    const docs = tx.objectStore('docs');
    const metas = tx.objectStore('meta');
    const meta = await metas.get(id);
    if (!meta) throw new Error(`no such document ${id}`);
    const before = await this.loadIn(docs, id, meta);
    if (!before) throw new Error(`document ${id} has metadata but no bytes`);
    this.cache.delete(id); // a change outdates `before`; re-cached only once stored
    const doc = fn(before, meta.kind);
    const heads = A.getHeads(doc);
    if (sameHeads(heads, meta.local_heads)) {
      await tx.done;
      return false;
    }
    void docs.put(A.save(doc), id);
    void metas.put({ ...meta, local_heads: heads, summary: summarizeSafe(meta.kind, doc, meta), updated_at: this.now() });
    await tx.done;
    this.cache.set(id, { doc, heads });
    return true;
  }

  /** The document as stored, from the cache when it is current. */
  private async loadIn(
    docs: { get(key: string): Promise<Uint8Array | undefined> },
    id: string,
    meta: DocMeta,
  ): Promise<AnyDoc | null> {
    const hit = this.cache.get(id);
    if (hit && sameHeads(hit.heads, meta.local_heads)) return hit.doc;
    const bytes = await docs.get(id);
    if (!bytes) return null;
    const doc = A.load<AnyDoc>(bytes, { actor: this.actor });
    this.cache.set(id, { doc, heads: A.getHeads(doc) });
    return doc;
  }
}

function isDirty(m: DocMeta): boolean {
  return !sameHeads(m.local_heads, m.acked_heads);
}

function delivery(m: DocMeta): Delivery {
  return m.rejected ? 'rejected' : isDirty(m) ? 'local' : 'sent';
}

/** A document whose creation has not arrived yet (a pull page cut mid-history) has no fields;
 *  a kind this version of the app does not know is kept and synced, just not listed. */
function summarizeSafe(kind: string, doc: AnyDoc, meta: DocMeta | undefined): unknown {
  try {
    if (kind === 'case') return summarize(doc as A.Doc<CaseDoc>);
    const model = modelOf(kind);
    return model ? model.summarize(doc) : null;
  } catch {
    if (meta?.summary != null) return meta.summary;
    return kind === 'case' ? summarize({} as A.Doc<CaseDoc>) : null;
  }
}

function detailOf<K extends RecordKind>(model: RecordModel<K>, id: string, doc: AnyDoc, meta: DocMeta): RecordDetailOf<K> {
  return {
    doc: id, kind: model.kind, delivery: delivery(meta), rejection: meta.rejected,
    summary: meta.summary as RecordKinds[K]['summary'], heads: meta.local_heads, view: model.view(id, doc),
  };
}
