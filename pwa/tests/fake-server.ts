// An in-memory server that follows PROTOCOL.md closely enough to exercise every client path:
// feed (omitting only what the request itself pushed), need_changes on missing dependencies, rejection hooks, paging,
// epochs, and the `have` check. Requests travel through the real CBOR encoding.
import * as A from '@automerge/automerge/slim';
import type { Transport } from '../src/sync/client';
import { HttpError } from '../src/api/http';
import {
  decodeRequest, decodeResponse, encodeRequest, encodeResponse,
  type DocResult, type PullDoc, type SyncRequest, type SyncResponse,
} from '../src/sync/protocol';

interface FeedEntry { doc: string; change: Uint8Array; pusher: string }

export class FakeServer {
  epoch = 'epoch-1';
  feed: FeedEntry[] = [];
  docs = new Map<string, A.Doc<unknown>>();
  /** Feed entries per page, to exercise `more`. */
  pageSize = 1000;
  /** Return a reason to refuse a document's push. */
  rejectIf: (doc: string, changes: Uint8Array[]) => { code: string; message: string } | null = () => null;
  requests: SyncRequest[] = [];
  /** The scope fingerprint every device is told (PROTOCOL.md §10). */
  scope = 'scope-1';
  /** Per older fingerprint: the documents it covered that the current scope does not. */
  drops = new Map<string, string[]>();
  /** Documents outside the current scope: never pulled. */
  hidden = new Set<string>();

  handle(device: string, req: SyncRequest): SyncResponse {
    this.requests.push(req);
    const reset = req.epoch !== undefined && req.epoch !== this.epoch;
    const results: DocResult[] = [];
    const pushedFrom = this.feed.length; // entries from here on are what this request stored
    for (const p of req.push ?? []) results.push(this.push(device, p.doc, p.changes));
    for (const h of req.have ?? []) {
      const doc = this.docs.get(h.doc);
      const heads = doc ? A.getHeads(doc) : [];
      results.push({ doc: h.doc, status: doc && A.hasHeads(doc, h.heads) ? 'ok' : 'need_changes', heads });
    }
    const moved = req.scope !== undefined && req.scope !== this.scope;
    const drop = moved ? this.drops.get(req.scope!) ?? [] : [];
    const from = reset || moved ? 0 : req.cursor;
    const pull = new Map<string, Uint8Array[]>();
    let cursor = from;
    let taken = 0;
    for (let pos = from + 1; pos <= this.feed.length; pos++) {
      if (taken >= this.pageSize) break;
      const e = this.feed[pos - 1];
      cursor = pos;
      taken++;
      if ((e.pusher === device && pos > pushedFrom) || this.hidden.has(e.doc)) continue;
      if (!pull.has(e.doc)) pull.set(e.doc, []);
      pull.get(e.doc)!.push(e.change);
    }
    const pullDocs: PullDoc[] = [...pull].map(([doc, changes]) => ({ doc, changes }));
    return { epoch: this.epoch, reset, results, pull: pullDocs, cursor, more: cursor < this.feed.length, scope: this.scope, drop };
  }

  private push(device: string, id: string, changes: Uint8Array[]): DocResult {
    const before = this.docs.get(id) ?? A.init();
    const reason = this.rejectIf(id, changes);
    if (reason) return { doc: id, status: 'rejected', heads: A.getHeads(before), reason };
    const known = new Set(A.getAllChanges(before).map((c) => A.decodeChange(c).hash));
    const batch = new Set<string>();
    for (const c of changes) {
      const d = A.decodeChange(c);
      if (!d.deps.every((dep) => known.has(dep) || batch.has(dep))) {
        return { doc: id, status: 'need_changes', heads: A.getHeads(before) };
      }
      batch.add(d.hash!);
    }
    const [after] = A.applyChanges(A.clone(before), changes);
    this.docs.set(id, after);
    for (const c of changes) {
      const h = A.decodeChange(c).hash!;
      if (!known.has(h)) {
        known.add(h);
        this.feed.push({ doc: id, change: c, pusher: device });
      }
    }
    return { doc: id, status: 'ok', heads: A.getHeads(after) };
  }

  /** Forget everything after feed position `keep` and take a new epoch: a restore from backup. */
  restoreBackup(keep: number): void {
    this.feed = this.feed.slice(0, keep);
    this.docs.clear();
    for (const e of this.feed) {
      const [d] = A.applyChanges(this.docs.get(e.doc) ?? A.init(), [e.change]);
      this.docs.set(e.doc, d);
    }
    this.epoch = `epoch-${Math.random().toString(36).slice(2)}`;
  }

  transport(device: string): FakeTransport {
    return new FakeTransport(this, device);
  }
}

/** A transport that can be cut: fail before the request arrives, or lose the response. */
export class FakeTransport implements Transport {
  failNext: 'none' | 'before' | 'after' | 'storage_full' = 'none';
  constructor(private server: FakeServer, private device: string) {}

  async sync(req: SyncRequest): Promise<SyncResponse> {
    const mode = this.failNext;
    this.failNext = 'none';
    if (mode === 'before') throw new TypeError('Failed to fetch');
    if (mode === 'storage_full') throw new HttpError(503, 'storage_full', 'the database is full; retry later', 30);
    // Round-trip through CBOR exactly as on the wire.
    const res = this.server.handle(this.device, decodeRequest(encodeRequest(req)));
    const bytes = encodeResponse(res);
    if (mode === 'after') throw new TypeError('network lost while reading the response');
    return decodeResponse(bytes);
  }
}
