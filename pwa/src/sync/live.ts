// The live channel of PROTOCOL.md §6: Server-Sent Events read with fetch, because EventSource
// cannot send the Authorization header. Best effort: reconnects with backoff and the caller
// syncs on every (re)connection anyway.
import { HttpError, type ApiClient } from '../api/http';

export interface LiveOptions {
  /** The API with this device's token; the channel is its `/live`. */
  http: ApiClient;
  onFeed: (cursor: number) => void;
  onConnected?: () => void;
  onUnauthorized?: () => void;
}

/** Parse a chunk stream of `text/event-stream` into (event, data) pairs. */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];

  constructor(private emit: (event: string, data: string) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + (this.buf.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.emit(this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // comment, e.g. ": ping"
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}

export class LiveChannel {
  private ctrl: AbortController | null = null;
  private retryMs = 2000;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;

  constructor(private opts: LiveOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.ctrl?.abort();
    this.ctrl = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.ctrl = new AbortController();
    try {
      const res = await this.opts.http.send('/live', { headers: { Accept: 'text/event-stream' }, signal: this.ctrl.signal });
      if (!res.body) throw new Error('live: no body');
      this.retryMs = 2000;
      this.opts.onConnected?.();
      const parser = new SseParser((event, data) => {
        if (event !== 'feed') return;
        try {
          const cursor = Number((JSON.parse(data) as { cursor?: unknown }).cursor);
          if (Number.isFinite(cursor)) this.opts.onFeed(cursor);
        } catch {
          // malformed event: ignore, the next sync catches up anyway
        }
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch (e) {
      if (e instanceof HttpError && e.unauthorized) {
        this.opts.onUnauthorized?.();
        this.stopped = true;
        return;
      }
      // network gone, aborted or another error status: fall through to reconnect
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 5 * 60_000);
  }
}
