// The blob endpoints (sync-protocol/PROTOCOL.md "Blobs"), from the page.
import { ApiClient, HttpError, type Fetch } from '../api/http';

/** Where an upload stands on the server. */
export interface UploadState { received: number; complete: boolean }

/** An error answer; `received` is where the server stands when it says (409, 422). */
export class BlobHttpError extends HttpError {
  constructor(status: number, code: string, message: string, public received?: number) {
    super(status, code, message);
  }
}

export interface BlobApi {
  status(sha256: string): Promise<UploadState>;
  put(sha256: string, mime: string, size: number, offset: number, chunk: Uint8Array): Promise<UploadState>;
}

export class HttpBlobApi implements BlobApi {
  private http: ApiClient;

  constructor(base: string, token: () => string, private timeoutMs = 60_000, fetchFn?: Fetch) {
    this.http = new ApiClient(base, token, fetchFn);
  }

  /** An error answer becomes a `BlobHttpError`, carrying where the server stands. */
  private async request(path: string, init: { method?: 'PUT'; headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Response> {
    try {
      return await this.http.send(`/blobs/${path}`, { ...init, timeoutMs: this.timeoutMs });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      const received = e.body.received;
      throw new BlobHttpError(e.status, e.code, e.reason, typeof received === 'number' ? received : undefined);
    }
  }

  async status(sha256: string): Promise<UploadState> {
    return (await (await this.request(`${sha256}/upload`)).json()) as UploadState;
  }

  async put(sha256: string, mime: string, size: number, offset: number, chunk: Uint8Array): Promise<UploadState> {
    const res = await this.request(`${sha256}?offset=${offset}`, {
      method: 'PUT',
      headers: { 'Content-Type': mime, 'Anlan-Blob-Size': String(size) },
      body: chunk as BodyInit,
    });
    return (await res.json()) as UploadState;
  }

  /** A complete blob's bytes, for viewing. */
  async get(sha256: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.request(sha256)).arrayBuffer());
  }
}
