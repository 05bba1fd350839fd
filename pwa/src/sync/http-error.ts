// HTTP errors from the API, shared by the page and the worker.

/** The server answered with an error status; `code` is its JSON error code when it sent one. */
export class HttpError extends Error {
  /** `retryAfter`: seconds, from the Retry-After header of a 429 or a 503. */
  constructor(public status: number, public code: string, message: string, public retryAfter?: number) {
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
  const retryAfter = Number(res.headers.get('Retry-After') ?? NaN);
  return new HttpError(res.status, code, message, Number.isFinite(retryAfter) ? retryAfter : undefined);
}
