// The Automerge wasm is most of a first install (≈ 0.8 MB on the wire): fetched here rather than
// by Automerge itself, so the page can say how much has arrived ("n / m KB") instead of a bare
// spinner on 2G.

/** Bytes as they cross the network: `got` of `total`. */
export type Progress = (got: number, total: number) => void;

/** The file's bytes, reporting progress at most every `everyMs`. `rawSize` is the file's own
 *  size (known at build time): a compressed response's Content-Length counts wire bytes while the
 *  stream yields decoded ones, so the decoded count is scaled to the wire. */
export async function fetchWithProgress(url: string, rawSize: number, report: Progress, everyMs = 250): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  const wire = Number(res.headers.get('content-length')) || 0;
  const encoded = !!res.headers.get('content-encoding') && wire > 0 && rawSize > 0;
  const total = encoded ? wire : wire || rawSize;
  const scale = encoded ? wire / rawSize : 1;
  const chunks: Uint8Array[] = [];
  let got = 0;
  let last = 0;
  const reader = res.body.getReader();
  report(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
    const now = Date.now();
    if (now - last >= everyMs) {
      last = now;
      report(Math.min(total, Math.round(got * scale)), total);
    }
  }
  report(total, total);
  const out = new Uint8Array(got);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
