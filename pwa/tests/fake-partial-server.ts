// The fake server's partial replicas (PROTOCOL.md §12): a working set chosen by the test, the
// `evict` list, and `POST /api/v1/fetch`. Responses go through the real CBOR encoding.
import * as A from '@automerge/automerge/slim';
import type { Transport } from '../src/sync/client';
import {
  decodeFetchResponse, encodeFetchResponse,
  type FetchRequest, type FetchResponse, type SyncRequest, type SyncResponse,
} from '../src/sync/protocol';
import { FakeServer } from './fake-server';

export class PartialServer extends FakeServer {
  /** Cases outside the working set: a partial pull leaves them out. */
  outside = new Set<string>();
  /** Cases that left the working set since the phone's `since`. */
  leaving: string[] = [];
  /** Case numbers, as a person would type them. */
  numbers = new Map<string, string>();
  fetches: FetchRequest[] = [];
  /** Fail the next fetch, as a dropped connection would. */
  failFetch = false;
  private clock = 1_800_000_000_000;

  override handle(device: string, req: SyncRequest): SyncResponse {
    if (req.replica !== 'partial') return super.handle(device, req);
    const hidden = new Set(this.hidden);
    for (const d of this.outside) this.hidden.add(d);
    try {
      const res = super.handle(device, req);
      const fresh = req.since === undefined && req.cursor === 0 && !req.have?.length;
      const evict = fresh ? [] : req.since === undefined ? [...this.outside] : this.leaving.splice(0);
      return { ...res, replica: 'partial', evict, server_time: ++this.clock };
    } finally {
      this.hidden = hidden;
    }
  }

  fetch(req: FetchRequest): FetchResponse {
    this.fetches.push(req);
    const res: FetchResponse = { docs: [], missing: [], unknown: [] };
    const send = (doc: string, heads: string[]) => {
      const d = this.docs.get(doc);
      if (!d || this.hidden.has(doc)) return false;
      res.docs.push({ doc, changes: A.getChangesSince(d, heads), heads: A.getHeads(d) });
      return true;
    };
    for (const h of req.docs ?? []) if (!send(h.doc, h.heads)) res.missing.push(h.doc);
    for (const n of req.case_nos ?? []) {
      const doc = this.numbers.get(n);
      if (!doc || !send(doc, [])) res.unknown.push(n);
    }
    return res;
  }

  partialTransport(device: string): Transport & { fetch(req: FetchRequest): Promise<FetchResponse> } {
    const inner = this.transport(device);
    return {
      sync: (req: SyncRequest) => inner.sync(req),
      fetch: async (req: FetchRequest) => {
        if (this.failFetch) {
          this.failFetch = false;
          throw new TypeError('Failed to fetch');
        }
        return decodeFetchResponse(encodeFetchResponse(this.fetch(req)));
      },
    };
  }
}
