// POST /api/v1/sync over fetch, CBOR both ways.
import type { Transport } from './client';
import { readError } from './http-error';
import { decodeResponse, encodeRequest, type SyncRequest, type SyncResponse } from './protocol';

export class HttpTransport implements Transport {
  constructor(private base: string, private token: () => string | undefined, private timeoutMs = 60_000) {}

  async sync(req: SyncRequest): Promise<SyncResponse> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.timeoutMs);
    try {
      const body = encodeRequest(req);
      const res = await fetch(`${this.base}/api/v1/sync`, {
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
      return decodeResponse(new Uint8Array(await res.arrayBuffer()));
    } finally {
      clearTimeout(timer);
    }
  }
}
