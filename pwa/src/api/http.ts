// The one place the app speaks HTTP to its server, page and worker alike: where the API lives,
// how a request carries the device token, and how an error answer becomes an `HttpError`.
// Endpoints (src/api.ts, the sync transport, the live channel, the blob API) build on `ApiClient`
// and never call `fetch` themselves, so the bearer header and the error shape cannot drift.

/** The body of every error the server answers (server/src/error.rs): a machine code, a message,
 *  and for some codes more fields (a blob upload's `received`). */
export interface ErrorBody {
  code?: string;
  message?: string;
  [field: string]: unknown;
}

/** The server answered with an error status; `code` is its JSON error code when it sent one. */
export class HttpError extends Error {
  /** `reason`: the server's message (or the status text). `retryAfter`: seconds, from the
   *  Retry-After header of a 429 or a 503. `body`: the error answer as parsed, for the codes
   *  that carry more than a message. */
  constructor(public status: number, public code: string, readonly reason: string, public retryAfter?: number, public body: ErrorBody = {}) {
    super(`HTTP ${status} ${code}: ${reason}`);
  }
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export async function readError(res: Response): Promise<HttpError> {
  let body: ErrorBody = {};
  try {
    const parsed: unknown = await res.json();
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as ErrorBody;
  } catch {
    // not JSON: keep the status text
  }
  const code = typeof body.code === 'string' ? body.code : 'http_error';
  const message = typeof body.message === 'string' ? body.message : res.statusText;
  const retryAfter = Number(res.headers.get('Retry-After') ?? NaN);
  return new HttpError(res.status, code, message, Number.isFinite(retryAfter) ? retryAfter : undefined, body);
}

/** The header every authenticated request carries. A missing token still sends the header: the
 *  server then answers 401, which the callers already handle as "signed out". */
export function bearer(token: string | undefined): { Authorization: string } {
  return { Authorization: `Bearer ${token ?? ''}` };
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON with its Content-Type. */
  json?: unknown;
  /** A raw body (CBOR, a photo chunk); its Content-Type goes in `headers`. */
  body?: BodyInit;
  headers?: Record<string, string>;
  /** False for the few public endpoints (the push key). */
  auth?: boolean;
  signal?: AbortSignal;
  /** Aborts the request after this long (a 2G link can hang without ever failing). */
  timeoutMs?: number;
  /** Answers are per person and change under us: not cached unless a caller says so. */
  cache?: RequestCache;
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export class ApiClient {
  /** `base`: the origin the API is served from ('' for the page's own). `token`: read on every
   *  request, so a client outlives a token refresh. */
  constructor(
    readonly base: string,
    private token: () => string | undefined = () => undefined,
    private fetchFn: Fetch = (input, init) => fetch(input, init),
  ) {}

  /** The URL of an API path such as `/cases`. */
  url(path: string): string {
    return `${this.base}/api/v1${path}`;
  }

  /** A successful answer, or an `HttpError` for any error status (a network failure stays the
   *  browser's `TypeError`, and a timeout its `AbortError`). */
  async send(path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.auth !== false) Object.assign(headers, bearer(this.token()));
    const ctrl = opts.timeoutMs ? new AbortController() : null;
    const timer = ctrl ? setTimeout(() => ctrl.abort(), opts.timeoutMs) : null;
    try {
      const res = await this.fetchFn(this.url(path), {
        method: opts.method ?? 'GET',
        headers,
        body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
        signal: ctrl?.signal ?? opts.signal,
        cache: opts.cache ?? 'no-store',
      });
      if (!res.ok) throw await readError(res);
      return res;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** The JSON answer of a successful request. */
  async json<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return (await (await this.send(path, opts)).json()) as T;
  }
}
