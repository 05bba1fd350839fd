// POST /api/v1/sync and /api/v1/fetch over fetch, CBOR both ways.
import type { Transport } from './client';
import { readError } from './http-error';
import {
  decodeFetchResponse, decodeResponse, encodeFetchRequest, encodeRequest,
  type FetchRequest, type FetchResponse, type SyncRequest, type SyncResponse,
} from './protocol';

export class HttpTransport implements Transport {
  constructor(private base: string, private token: () => string | undefined, private timeoutMs = 60_000) {}

  async sync(req: SyncRequest): Promise<SyncResponse> {
    return decodeResponse(await this.post('sync', encodeRequest(req)));
  }

  async fetch(req: FetchRequest): Promise<FetchResponse> {
    return decodeFetchResponse(await this.post('fetch', encodeFetchRequest(req)));
  }

  private async post(path: 'sync' | 'fetch', body: Uint8Array): Promise<Uint8Array> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.timeoutMs);
    try {
      const res = await fetch(`${this.base}/api/v1/${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/cbor',
          Accept: 'application/cbor',
          Authorization: `Bearer ${this.token() ?? ''}`,
        },
        body: body as BodyInit,
        signal: ctrl.signal,
        cache: 'no-store',
      });
      if (!res.ok) throw await readError(res);
      return new Uint8Array(await res.arrayBuffer());
    } finally {
      clearTimeout(timer);
    }
  }
}
