// The blob endpoints (sync-protocol/PROTOCOL.md "Blobs") over fetch, from the page.
import { HttpError } from '../sync/http-error';

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

async function blobError(res: Response): Promise<BlobHttpError> {
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string; received?: number };
  return new BlobHttpError(res.status, body.code ?? 'http_error', body.message ?? res.statusText,
    typeof body.received === 'number' ? body.received : undefined);
}

export class HttpBlobApi implements BlobApi {
  constructor(private base: string, private token: () => string, private timeoutMs = 60_000) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.timeoutMs);
    try {
      const headers = { ...(init.headers as Record<string, string>), Authorization: `Bearer ${this.token()}` };
      const res = await fetch(`${this.base}/api/v1/blobs/${path}`, { ...init, headers, signal: ctrl.signal, cache: 'no-store' });
      if (!res.ok) throw await blobError(res);
      return res;
    } finally {
      clearTimeout(timer);
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
