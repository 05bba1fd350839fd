/// <reference lib="webworker" />
// Automerge lives here, off the main thread, so typing never waits on a merge or a save.
// The worker owns the documents, the sync client, its scheduler and the live channel.
import * as A from '@automerge/automerge/slim';
import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import { DocRepo } from '../db/repo';
import { openAnlanDb, type Db } from '../db/schema';
import { newActor } from '../model/ids';
import { SyncClient } from '../sync/client';
import { replicaFor } from '../sync/replica';
import type { Replica } from '../sync/protocol';
import { LiveChannel } from '../sync/live';
import { SyncScheduler, type SchedulerState } from '../sync/scheduler';
import { ApiClient, HttpError } from '../api/http';
import { HttpTransport } from '../sync/transport';
import type { RecordListItem } from '../model/record-kinds';
import { TrustedClock } from '../sync/trusted-clock';
import { fetchWithProgress } from './wasm-fetch';
import type { CallName, Calls, FromWorker, Request, SyncStatus } from './rpc';

declare const self: DedicatedWorkerGlobalScope;

// Progress goes to the page while the wasm downloads (a first install on 2G takes a while).
const wasmReady = A.initializeWasm(fetchWithProgress(wasmUrl, __AUTOMERGE_WASM_BYTES__, (got, total) => post({ type: 'loading', got, total })));
let db: Db | null = null;
let repo: DocRepo | null = null;
let scheduler: SyncScheduler | null = null;
let live: LiveChannel | null = null;
let client: SyncClient | null = null;
let replica: Replica = 'full';
let token: string | undefined;
let lastState: SchedulerState | null = null;
let progress: SyncStatus['progress'] = null;
let knownCursor = 0;
const clock = new TrustedClock();
const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('anlan-docs') : null;

function post(m: FromWorker): void {
  self.postMessage(m);
}

function changed(doc: string | null, fromOtherTab = false): void {
  post({ type: 'changed', doc });
  if (!fromOtherTab) channel?.postMessage({ doc });
}

channel?.addEventListener('message', (e: MessageEvent<{ doc: string | null }>) => {
  changed(e.data.doc, true);
  void emitStatus();
});

async function emitStatus(): Promise<void> {
  if (!repo || !lastState) return;
  const counts = await repo.deliveryCounts();
  post({
    type: 'sync',
    status: {
      online: lastState.online,
      reachable: lastState.reachable,
      running: lastState.running,
      pending: counts.pending,
      rejected: counts.rejected,
      lastSync: (await repo.getKv('last_sync')) ?? null,
      nextRetryAt: lastState.nextRetryAt,
      lastError: lastState.lastError,
      unauthorized: lastState.unauthorized,
      storageFull: lastState.storageFull,
      progress,
      clock: clock.state(),
    },
  });
}

const handlers: { [K in CallName]: (arg: Calls[K]['arg']) => Promise<Calls[K]['ret']> } = {
  async init({ base, token: tok, session }) {
    await wasmReady;
    token = tok;
    db = await openAnlanDb();
    // A fresh actor for every worker, i.e. every tab: two sessions must never share one.
    const actor = newActor(session.device.actor_prefix.toLowerCase());
    repo = new DocRepo(db, actor, { user: session.user.id, village: session.unit.code }, () => clock.now());
    const r = repo;
    knownCursor = (await r.getKv('cursor')) ?? 0;
    clock.restore(await r.getKv('clock'));
    const c = new SyncClient(
      r,
      new HttpTransport(base, () => token),
      (p) => {
        progress = p.total > 1 ? p : null;
        void emitStatus();
      },
      undefined,
      clock,
      (replica = replicaFor(session)),
    );
    client = c;
    scheduler = new SyncScheduler(
      async () => {
        const report = await c.sync();
        progress = null;
        knownCursor = (await r.getKv('cursor')) ?? knownCursor;
        if (report.pulledDocs > 0 || report.pushedDocs > 0 || report.rejected > 0 || report.released > 0 || report.reset || report.dropped > 0 || report.evicted > 0) changed(null);
      },
      (s) => {
        lastState = s;
        void emitStatus();
      },
      {},
      undefined,
      (e) => {
        if (e instanceof HttpError && e.code === 'device_revoked') post({ type: 'revoked' });
        return e instanceof HttpError && e.unauthorized;
      },
    );
    scheduler.setOnline(navigator.onLine);
    live = new LiveChannel({
      http: new ApiClient(base, () => token),
      onConnected: () => scheduler?.now(),
      onFeed: (cursor) => {
        if (cursor > knownCursor) scheduler?.now();
      },
    });
    scheduler.start();
    if (navigator.onLine) live.start();
  },
  async list() {
    return need(repo).list();
  },
  async view({ doc }) {
    return need(repo).view(doc);
  },
  async fetchCase({ doc, caseNo }) {
    const r = need(repo);
    const heads = doc ? (await r.allHeads()).find((h) => h.doc === doc)?.heads : undefined;
    // A whole replica's copy is kept current by the feed: no request for it.
    if (doc && heads && replica === 'full') return doc;
    const got = await need(client).fetchDocs(doc ? { docs: [{ doc, heads: heads ?? [] }] } : { case_nos: caseNo ? [caseNo] : [] });
    if (got[0]) changed(got[0]);
    return got[0] ?? null;
  },
  async create({ input }) {
    const id = await need(repo).create(input);
    changed(id);
    scheduler?.edited();
    void emitStatus();
    return id;
  },
  async edit({ doc, edit }) {
    const did = await need(repo).edit(doc, edit);
    if (did) {
      changed(doc);
      scheduler?.edited();
      void emitStatus();
    }
    return did;
  },
  async records({ kind }) {
    return (await need(repo).listRecords(kind)) as RecordListItem[];
  },
  async viewRecord({ doc }) {
    return need(repo).viewRecord(doc);
  },
  async createRecord(rec) {
    const id = await need(repo).createRecord(rec.kind, rec.input);
    changed(id);
    scheduler?.edited();
    void emitStatus();
    return id;
  },
  async editRecord({ doc, ...edit }) {
    const did = await need(repo).editRecord(doc, edit);
    if (did) {
      changed(doc);
      scheduler?.edited();
      void emitStatus();
    }
    return did;
  },
  async clearRejection({ doc }) {
    await need(repo).clearRejection(doc);
    changed(doc);
    scheduler?.now();
  },
  async syncNow() {
    scheduler?.now();
  },
  async setOnline({ online }) {
    scheduler?.setOnline(online);
    if (online) live?.start();
    else live?.stop();
  },
  async unsyncedCount() {
    return need(repo).unsyncedCount();
  },
  async shutdown() {
    scheduler?.stop();
    live?.stop();
    db?.close();
    db = repo = scheduler = live = client = null;
  },
};

function need<T>(x: T | null): T {
  if (!x) throw new Error('worker not initialised');
  return x;
}

self.addEventListener('message', async (e: MessageEvent<Request>) => {
  const { id, call, arg } = e.data;
  try {
    const value = await (handlers[call] as (a: unknown) => Promise<unknown>)(arg);
    post({ type: 'reply', id, ok: true, value });
  } catch (err) {
    post({ type: 'reply', id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});

post({ type: 'ready' });
