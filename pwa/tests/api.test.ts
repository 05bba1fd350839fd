// The API funnel: every request carries the current token the same way, and every error answer
// becomes the same `HttpError` (code and message from the server's body).
import { describe, expect, it } from 'vitest';
import { Api } from '../src/api';
import { ApiClient, HttpError, type Fetch } from '../src/api/http';
import { BlobHttpError, HttpBlobApi } from '../src/photos/api';

interface Seen { url: string; init: RequestInit }

/** A server that records each request and answers with `answer`. */
function server(answer: () => Response) {
  const seen: Seen[] = [];
  const fetchFn: Fetch = async (url, init) => { seen.push({ url, init }); return answer(); };
  return { seen, fetchFn };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const headersOf = (s: Seen) => s.init.headers as Record<string, string>;

describe('ApiClient', () => {
  it('sends the token read at the time of each request as a bearer header', async () => {
    let token = 'first';
    const { seen, fetchFn } = server(() => json(200, {}));
    const http = new ApiClient('https://x.test', () => token, fetchFn);
    await http.send('/cases');
    token = 'second';
    await http.send('/cases');
    expect(seen.map((s) => headersOf(s).Authorization)).toEqual(['Bearer first', 'Bearer second']);
    expect(seen[0].url).toBe('https://x.test/api/v1/cases');
    expect(seen[0].init.cache).toBe('no-store');
  });

  it('leaves the header off a public endpoint and marks a JSON body as JSON', async () => {
    const { seen, fetchFn } = server(() => json(200, {}));
    await new ApiClient('', () => 'tok', fetchFn).send('/login', { method: 'POST', auth: false, json: { phone: '1' } });
    expect(headersOf(seen[0])).toEqual({ 'Content-Type': 'application/json' });
    expect(seen[0].init.body).toBe('{"phone":"1"}');
    expect(seen[0].init.method).toBe('POST');
  });

  it("turns an error answer into an HttpError with the server's code, message and Retry-After", async () => {
    const { fetchFn } = server(() => json(429, { code: 'too_many_attempts', message: 'wait' }, { 'Retry-After': '600' }));
    const err = await new ApiClient('', () => 't', fetchFn).send('/login').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const e = err as HttpError;
    expect([e.status, e.code, e.reason, e.retryAfter]).toEqual([429, 'too_many_attempts', 'wait', 600]);
    expect(e.message).toBe('HTTP 429 too_many_attempts: wait');
  });

  it('keeps the status text when the error answer is not JSON', async () => {
    const { fetchFn } = server(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const e = (await new ApiClient('', () => 't', fetchFn).send('/sync').catch((x: unknown) => x)) as HttpError;
    expect([e.status, e.code, e.reason, e.retryAfter]).toEqual([502, 'http_error', 'Bad Gateway', undefined]);
  });

  it('marks a 401 as unauthorized, and nothing else', async () => {
    const answer = (status: number) => new ApiClient('', () => 't', server(() => json(status, { code: 'x', message: 'y' })).fetchFn)
      .send('/session').catch((e: HttpError) => e.unauthorized);
    expect(await answer(401)).toBe(true);
    expect(await answer(403)).toBe(false);
  });

  it('lets a network failure through as it is (the callers tell offline from refused by it)', async () => {
    const http = new ApiClient('', () => 't', async () => { throw new TypeError('Failed to fetch'); });
    await expect(http.send('/cases')).rejects.toBeInstanceOf(TypeError);
  });
});

describe('Api', () => {
  it('refuses a session answer without a user or a device', async () => {
    const api = new Api(() => 't', '', server(() => json(200, { user: { id: 'u' }, device: {} })).fetchFn);
    await expect(api.session()).rejects.toThrow('malformed session');
  });

  it('encodes a document id into the path', async () => {
    const { seen, fetchFn } = server(() => json(200, { entries: [] }));
    await new Api(() => 't', '', fetchFn).caseHistory('a/b c');
    expect(seen[0].url).toBe('/api/v1/cases/a%2Fb%20c/history?format=json');
  });
});

describe('HttpBlobApi', () => {
  it("carries the server's upload position on a refused chunk", async () => {
    const api = new HttpBlobApi('', () => 't', 60_000,
      server(() => json(409, { code: 'wrong_offset', message: 'expected 4096', received: 4096 })).fetchFn);
    const e = (await api.put('ab', 'image/jpeg', 10, 0, new Uint8Array(1)).catch((x: unknown) => x)) as BlobHttpError;
    expect(e).toBeInstanceOf(BlobHttpError);
    expect([e.status, e.code, e.received, e.message]).toEqual([409, 'wrong_offset', 4096, 'HTTP 409 wrong_offset: expected 4096']);
  });
});
