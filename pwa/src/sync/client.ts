// The client's algorithm of PROTOCOL.md §4 and §5, free of IO: storage and transport are
// interfaces, so tests drive it with an in-memory server and the worker with IndexedDB + fetch.
import type { DocMeta, KvKey, KvValues } from '../db/schema';
import type { TrustedClock } from './trusted-clock';
import type { Rejection } from '../model/types';
import {
  MAX_BODY_BYTES, MAX_CHANGES_PER_DOC, MAX_DOC_BYTES, MAX_ENTRIES_PER_REQUEST, PROTOCOL_VERSION,
  MAX_FETCH, type FetchRequest, type FetchResponse, type HaveDoc, type PushDoc, type Replica,
  type SyncRequest, type SyncResponse,
} from './protocol';

export interface DocHeads { doc: string; heads: string[] }
export interface ChangeLimit { changes: number; bytes: number }
export interface ChangeBatch { changes: Uint8Array[]; heads: string[]; truncated: boolean }

/** What the sync client needs from storage. Each method is atomic on its own. */
export interface SyncStore {
  /** Documents with local changes the server has not acknowledged, not refused ones. */
  dirty(): Promise<DocMeta[]>;
  allHeads(): Promise<DocHeads[]>;
  /** The changes not covered by `since`, dependencies first, and the heads they lead to; at most
   *  `limit` of them (then `truncated`, and `heads` are those of the prefix sent). */
  changesSince(doc: string, since: string[], limit?: ChangeLimit): Promise<ChangeBatch>;
  setAcked(doc: string, heads: string[]): Promise<void>;
  markRejected(doc: string, rejection: Rejection): Promise<void>;
  /** Refused documents, waiting in the server's quarantine, with their local heads. */
  waiting(): Promise<DocHeads[]>;
  /** An administrator released it: deliverable again like any other document. */
  clearRejection(doc: string): Promise<void>;
  resetAcked(): Promise<void>;
  /** Resolves `true` when the document now holds changes whose history it lacks (a partial
   *  replica's pull reached a case it never held, PROTOCOL.md §12). */
  applyPull(doc: string, changes: Uint8Array[]): Promise<boolean | void>;
  /** Delete these documents and everything kept about them; returns how many were here. */
  dropDocs(docs: string[]): Promise<number>;
  getKv<K extends KvKey>(key: K): Promise<KvValues[K] | undefined>;
  setKv<K extends KvKey>(key: K, value: KvValues[K]): Promise<void>;
}

export interface Transport {
  sync(req: SyncRequest): Promise<SyncResponse>;
  /** `POST /api/v1/fetch`; needed by a partial replica only. */
  fetch?(req: FetchRequest): Promise<FetchResponse>;
}

export interface SyncProgress { done: number; total: number }

export interface SyncReport {
  rounds: number;
  pushedDocs: number;
  pulledDocs: number;
  rejected: number;
  /** Refused documents an administrator has since released into the server. */
  released: number;
  reset: boolean;
  /** Documents deleted because the user's scope no longer covers them. */
  dropped: number;
  /** Cases deleted because they left a partial replica's working set. */
  evicted: number;
}

/** Guards against a server that keeps answering `more` or `need_changes` forever. */
const MAX_ROUNDS = 50;

export class SyncClient {
  /** Documents already asked about with `have` since the last reset (in memory on purpose:
   *  after a reload the check simply runs again, which is harmless). */
  private haveAsked = new Set<string>();

  constructor(
    private store: SyncStore,
    private transport: Transport,
    private onProgress: (p: SyncProgress) => void = () => {},
    /** Per document and request (PROTOCOL.md §3); a longer history goes over several requests. */
    private limit: ChangeLimit = { changes: MAX_CHANGES_PER_DOC, bytes: MAX_DOC_BYTES },
    /** Measured by every response and sent with every request (PROTOCOL.md §11). */
    private clock: TrustedClock | null = null,
    /** Wide scopes keep a partial replica (PROTOCOL.md §12); a village keeps all of it. */
    private replica: Replica = 'full',
  ) {}

  /** Documents by id (with the heads held here) or cases by number, fetched and stored.
   *  Returns the ids the server sent; absent and out of scope are alike not sent. */
  async fetchDocs(req: FetchRequest): Promise<string[]> {
    if (!this.transport.fetch) throw new Error('this transport cannot fetch documents');
    const got: string[] = [];
    const items: FetchRequest[] = [...(req.docs ?? []).map((d) => ({ docs: [d] })), ...(req.case_nos ?? []).map((n) => ({ case_nos: [n] }))];
    for (let i = 0; i < items.length; i += MAX_FETCH) {
      const part = items.slice(i, i + MAX_FETCH);
      const res = await this.transport.fetch({ docs: part.flatMap((p) => p.docs ?? []), case_nos: part.flatMap((p) => p.case_nos ?? []) });
      for (const d of res.docs) {
        if (d.changes.length > 0) await this.store.applyPull(d.doc, d.changes);
        got.push(d.doc);
      }
    }
    return got;
  }

  /** Sync until nothing is left to do. Throws on transport failure, having changed nothing
   *  that the failed request would have changed. */
  async sync(): Promise<SyncReport> {
    const report: SyncReport = { rounds: 0, pushedDocs: 0, pulledDocs: 0, rejected: 0, released: 0, reset: false, dropped: 0, evicted: 0 };
    const total = (await this.store.dirty()).length;
    this.onProgress({ done: 0, total });
    while (report.rounds < MAX_ROUNDS) {
      report.rounds++;
      const again = await this.round(report);
      this.onProgress({ done: Math.min(report.pushedDocs, total), total });
      if (!again) break;
    }
    // The phone's own clock: only ever shown as time elapsed since (fmtAgo), on the same clock.
    await this.store.setKv('last_sync', Date.now());
    return report;
  }

  /** One request and its response. Returns true when another round is needed at once. */
  private async round(report: SyncReport): Promise<boolean> {
    const epoch = await this.store.getKv('epoch');
    const cursor = (await this.store.getKv('cursor')) ?? 0;
    const needHave = (await this.store.getKv('need_have')) === true;
    const scope = await this.store.getKv('scope');

    const since = (await this.store.getKv('since')) ?? null;
    const req: SyncRequest = { v: PROTOCOL_VERSION, cursor };
    if (this.replica === 'partial') {
      req.replica = 'partial';
      // Without `since` (a phone that kept everything until now) the server lists every
      // case outside the working set; the cursor stays, as everything up to it is here.
      if (since !== null) req.since = since;
    } else if (since !== null) {
      req.cursor = 0; // back to a whole replica: what the working set left out comes again
    }
    if (epoch !== undefined) req.epoch = epoch;
    if (scope) req.scope = scope;
    const sent = new Map<string, string[]>();
    let moreLocal = false;
    // Refused documents wait for an administrator (PROTOCOL.md §3). Once a sync, ask with
    // `have` whether the server now holds all of one: then it was released.
    const waiting = new Set<string>();

    if (needHave) {
      const have = await this.haveBatch();
      req.have = have.entries;
      for (const h of have.entries) sent.set(h.doc, h.heads);
      moreLocal = have.more;
    } else {
      const push = await this.pushBatch();
      req.push = push.entries;
      for (const [doc, heads] of push.sent) sent.set(doc, heads);
      moreLocal = push.more;
      if (report.rounds === 1) {
        const room = MAX_ENTRIES_PER_REQUEST - push.entries.length;
        const ask = (await this.store.waiting()).slice(0, Math.max(0, room));
        if (ask.length > 0) req.have = ask;
        for (const h of ask) {
          waiting.add(h.doc);
          sent.set(h.doc, h.heads);
        }
      }
    }

    if (this.clock) req.now = this.clock.now();
    const res = await this.transport.sync(req);
    if (this.clock && req.now !== undefined && res.server_time) {
      this.clock.observe(res.server_time, req.now);
      await this.store.setKv('clock', this.clock.save());
    }

    if (res.reset) {
      // §5: nothing is known to be on the server any more. The pull of this response is
      // applied as usual; then every document is checked with `have`.
      report.reset = true;
      this.haveAsked.clear();
      await this.store.resetAcked();
      await this.store.setKv('need_have', true);
      await this.store.setKv('epoch', res.epoch);
      await this.applyScope(res, req, report);
      await this.applyPull(res, report);
      await this.store.setKv('cursor', res.cursor);
      await this.store.setKv('since', res.replica === 'partial' ? res.server_time ?? null : null);
      return true;
    }

    let needChanges = false;
    const entries = [...(req.push ?? []), ...(req.have ?? [])];
    for (const r of res.results) {
      if (!entries.some((e) => e.doc === r.doc)) continue; // a result for something not asked
      if (waiting.has(r.doc)) {
        // Anything but `ok` means still waiting: the answer says nothing else about it.
        if (r.status === 'ok') {
          await this.store.clearRejection(r.doc);
          await this.store.setAcked(r.doc, sent.get(r.doc) ?? r.heads);
          report.released++;
        }
        continue;
      }
      switch (r.status) {
        case 'ok':
          await this.store.setAcked(r.doc, sent.get(r.doc) ?? r.heads);
          if (req.push) report.pushedDocs++;
          break;
        case 'need_changes':
          await this.store.setAcked(r.doc, r.heads);
          needChanges = true;
          break;
        case 'rejected':
          await this.store.markRejected(r.doc, { code: String(r.reason.code), message: r.reason.message, heads: sent.get(r.doc) ?? [] });
          report.rejected++;
          break;
      }
    }

    await this.applyScope(res, req, report);
    await this.applyPull(res, report);
    // Only now, with the pull stored, may the cursor move.
    await this.store.setKv('cursor', res.cursor);
    await this.store.setKv('since', res.replica === 'partial' ? res.server_time ?? null : null);
    await this.store.setKv('epoch', res.epoch);
    if (needHave && !moreLocal) {
      await this.store.setKv('need_have', false);
      this.haveAsked.clear();
    }
    return res.more || needChanges || moreLocal || (needHave && !moreLocal && (await this.store.dirty()).length > 0);
  }

  /** §10: delete what the scope no longer covers, then remember the new fingerprint. A lost
   *  response leaves the old fingerprint stored, so the server repeats the same drop. */
  private async applyScope(res: SyncResponse, req: SyncRequest, report: SyncReport): Promise<void> {
    const evict = new Set(res.evict ?? []);
    const drop = [...(res.drop ?? []), ...evict];
    if (drop.length > 0) {
      // Local changes not pushed in this request would be lost with the document: keep those
      // until a later push delivers them (the server then refuses them into its quarantine).
      const pushed = new Set((req.push ?? []).map((p) => p.doc));
      const unsent = new Set((await this.store.dirty()).map((m) => m.doc).filter((d) => !pushed.has(d)));
      const gone = drop.filter((d) => !unsent.has(d));
      report.dropped += await this.store.dropDocs(gone.filter((d) => !evict.has(d)));
      report.evicted += await this.store.dropDocs(gone.filter((d) => evict.has(d)));
      for (const d of drop) this.haveAsked.delete(d);
    }
    if (res.scope) await this.store.setKv('scope', res.scope);
  }

  private async applyPull(res: SyncResponse, report: SyncReport): Promise<void> {
    const incomplete: string[] = [];
    for (const p of res.pull) {
      if (p.changes.length === 0) continue;
      if (await this.store.applyPull(p.doc, p.changes)) incomplete.push(p.doc);
      report.pulledDocs++;
    }
    if (incomplete.length === 0) return;
    // §12: a case came back into the working set with history this phone never held. Fetched
    // before the cursor moves, so a failure here repeats the whole pull.
    const held = new Map((await this.store.allHeads()).map((h) => [h.doc, h.heads]));
    await this.fetchDocs({ docs: incomplete.map((doc) => ({ doc, heads: held.get(doc) ?? [] })) });
  }

  private async pushBatch(): Promise<{ entries: PushDoc[]; sent: Map<string, string[]>; more: boolean }> {
    const dirty = await this.store.dirty();
    const entries: PushDoc[] = [];
    const sent = new Map<string, string[]>();
    let bytes = 0;
    let more = false;
    for (const m of dirty) {
      if (entries.length >= MAX_ENTRIES_PER_REQUEST) { more = true; break; }
      const { changes, heads, truncated } = await this.store.changesSince(m.doc, m.acked_heads, this.limit);
      if (truncated) more = true;
      if (changes.length === 0) {
        // The server already covers everything here (acked heads ahead of ours).
        await this.store.setAcked(m.doc, m.local_heads);
        continue;
      }
      const size = changes.reduce((n, c) => n + c.byteLength + 4, 40);
      if (entries.length > 0 && bytes + size > MAX_BODY_BYTES) { more = true; break; }
      bytes += size;
      entries.push({ doc: m.doc, changes });
      sent.set(m.doc, heads);
    }
    return { entries, sent, more };
  }

  private async haveBatch(): Promise<{ entries: HaveDoc[]; more: boolean }> {
    const all = (await this.store.allHeads()).filter((h) => h.heads.length > 0 && !this.haveAsked.has(h.doc));
    const entries = all.slice(0, MAX_ENTRIES_PER_REQUEST);
    for (const e of entries) this.haveAsked.add(e.doc);
    return { entries, more: all.length > entries.length };
  }
}
