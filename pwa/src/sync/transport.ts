// POST /api/v1/sync over fetch, CBOR both ways.
import type { Transport } from './client';
import { decodeResponse, encodeRequest, type SyncRequest, type SyncResponse } from './protocol';

/** The server answered with an error status; `code` is its JSON error code when it sent one. */
export class HttpError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(`HTTP ${status} ${code}: ${message}`);
  }
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export async function readError(res: Response): Promise<HttpError> {
  let code = 'http_error';
  let message = res.statusText;
  try {
    const body = (await res.json()) as { code?: string; message?: string };
    code = body.code ?? code;
    message = body.message ?? message;
  } catch {
    // not JSON: keep the status text
  }
  return new HttpError(res.status, code, message);
}

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
