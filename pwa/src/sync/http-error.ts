// HTTP errors from the API, shared by the page and the worker.

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
