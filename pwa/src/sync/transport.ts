// POST /api/v1/sync, CBOR both ways.
import { ApiClient } from '../api/http';
import type { Transport } from './client';
import { decodeResponse, encodeRequest, type SyncRequest, type SyncResponse } from './protocol';

export class HttpTransport implements Transport {
  private http: ApiClient;

  constructor(base: string, token: () => string | undefined, private timeoutMs = 60_000) {
    this.http = new ApiClient(base, token);
  }

  async sync(req: SyncRequest): Promise<SyncResponse> {
    const res = await this.http.send('/sync', {
      method: 'POST',
      headers: { 'Content-Type': 'application/cbor', Accept: 'application/cbor' },
      body: encodeRequest(req) as BodyInit,
      timeoutMs: this.timeoutMs,
    });
    return decodeResponse(new Uint8Array(await res.arrayBuffer()));
  }
}
