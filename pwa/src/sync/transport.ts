// POST /api/v1/sync and /api/v1/fetch, CBOR both ways.
import { ApiClient } from '../api/http';
import type { Transport } from './client';
import {
  decodeFetchResponse, decodeResponse, encodeFetchRequest, encodeRequest,
  type FetchRequest, type FetchResponse, type SyncRequest, type SyncResponse,
} from './protocol';

export class HttpTransport implements Transport {
  private http: ApiClient;

  constructor(base: string, token: () => string | undefined, private timeoutMs = 60_000) {
    this.http = new ApiClient(base, token);
  }

  async sync(req: SyncRequest): Promise<SyncResponse> {
    return decodeResponse(await this.post('/sync', encodeRequest(req)));
  }

  async fetch(req: FetchRequest): Promise<FetchResponse> {
    return decodeFetchResponse(await this.post('/fetch', encodeFetchRequest(req)));
  }

  private async post(path: '/sync' | '/fetch', body: Uint8Array): Promise<Uint8Array> {
    const res = await this.http.send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/cbor', Accept: 'application/cbor' },
      body: body as BodyInit,
      timeoutMs: this.timeoutMs,
    });
    return new Uint8Array(await res.arrayBuffer());
  }
}
