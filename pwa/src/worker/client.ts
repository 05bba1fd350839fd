// The page's handle on the Automerge worker: typed calls and a stream of events.
import type { CallName, Calls, FromWorker, WorkerEvent } from './rpc';
import { isReply } from './rpc';

export class WorkerClient {
  private worker: Worker;
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listeners = new Set<(e: WorkerEvent) => void>();
  /** Settles when `init` does: every other call waits for it, so screens may ask before the
   *  Automerge wasm has arrived (a first install on 2G) and get their answer once it has. */
  private initialised: Promise<unknown> = Promise.resolve();

  constructor() {
    this.worker = new Worker(new URL('./am.worker.ts', import.meta.url), { type: 'module', name: 'automerge' });
    this.worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (isReply(m)) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(m.error));
      } else {
        for (const l of this.listeners) l(m);
      }
    });
  }

  call<K extends CallName>(call: K, ...arg: Calls[K]['arg'] extends void ? [] : [Calls[K]['arg']]): Promise<Calls[K]['ret']> {
    if (call === 'init') {
      const p = this.send(call, arg[0]);
      this.initialised = p.catch(() => undefined);
      return p;
    }
    // Going offline or asking for a sync never waits: the worker applies them once it can.
    if (call === 'setOnline' || call === 'syncNow' || call === 'shutdown') return this.send(call, arg[0]);
    return this.initialised.then(() => this.send(call, arg[0]));
  }

  private send<K extends CallName>(call: K, arg: unknown): Promise<Calls[K]['ret']> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, call, arg });
    });
  }

  on(listener: (e: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
