// A photo as the phone keeps it: downscaled (longest side 1600 px, JPEG 0.8 — a few hundred KiB
// instead of several MiB) and named by its SHA-256. On a slow link (photos/link.ts) smaller
// still: WebP where the browser encodes it (JPEG otherwise) within a byte budget, so two photos
// cross a 250 kbit/s link in seconds, not minutes. A camera photo usually fits the budget at
// 1024 px, quality 0.5; a picture that compresses badly (foliage, gravel, noise) is made smaller
// until it fits, never below 640 px on its longest side — still legible for a wall crack or a
// boundary stone. Re-encoding also drops the camera's EXIF, GPS position included.

export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

/** How to encode: for a good link, or for a slow one. With `maxBytes`, a result above it is
 *  encoded again smaller (`nextAttempt`), down to `minSide`. */
export interface Encoding { maxSide: number; quality: number; types: string[]; maxBytes?: number; minSide?: number }
export const FOR_FAST: Encoding = { maxSide: MAX_SIDE, quality: QUALITY, types: ['image/jpeg'] };
/** 100 KiB: two photos and their requests within 15 s at 250 kbit/s and 800 ms round trips. */
export const FOR_SLOW: Encoding = { maxSide: 1024, quality: 0.5, types: ['image/webp', 'image/jpeg'], maxBytes: 100 * 1024, minSide: 640 };

/** One encoding tried: longest side, quality, and the bytes it gave. */
export interface Attempt { side: number; quality: number; bytes: number }

/** What to try after `last` came out above the budget, or null to keep it. Bytes grow roughly
 *  with the pixel count, so the second try scales the side by √(budget / bytes) with a margin
 *  (one more encode instead of a ladder of them: each costs a second on a cheap phone); should
 *  that still miss, the last try is the smallest side at a low quality. */
export function nextAttempt(enc: Encoding, tried: Attempt[]): { side: number; quality: number } | null {
  const last = tried.at(-1);
  const min = Math.min(enc.minSide ?? enc.maxSide, enc.maxSide);
  if (!last || enc.maxBytes === undefined || last.bytes <= enc.maxBytes) return null;
  if (tried.length === 1) {
    const side = Math.round(last.side * Math.sqrt(enc.maxBytes / last.bytes) * 0.9);
    if (side > min) return { side, quality: last.quality };
  }
  if (last.side > min || last.quality > 0.3) return { side: min, quality: Math.min(last.quality, 0.3) };
  return null;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The size to draw at: never larger than the original, longest side at most `max`. */
export function fitWithin(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Draw the picture at its new size and encode it in the first of `enc.types` the browser can
 *  produce (asked for WebP, a browser that cannot answers PNG: then the next type is tried);
 *  again smaller while above `enc.maxBytes` (see `nextAttempt`). */
export async function downscale(file: Blob, enc: Encoding = FOR_FAST): Promise<{ bytes: Uint8Array; mime: string; width: number; height: number }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const tried: Attempt[] = [];
    let next: { side: number; quality: number } | null = { side: Math.min(enc.maxSide, Math.max(bitmap.width, bitmap.height)), quality: enc.quality };
    let out: { bytes: Uint8Array; mime: string; width: number; height: number } | null = null;
    while (next) {
      const { width, height } = fitWithin(bitmap.width, bitmap.height, next.side);
      out = { ...(await encodeOnce(bitmap, width, height, next.quality, enc.types)), width, height };
      tried.push({ side: Math.max(width, height), quality: next.quality, bytes: out.bytes.length });
      next = nextAttempt(enc, tried);
    }
    return out!;
  } finally {
    bitmap.close();
  }
}

async function encodeOnce(bitmap: ImageBitmap, width: number, height: number, quality: number, types: string[]): Promise<{ bytes: Uint8Array; mime: string }> {
  let encode: (type: string) => Promise<Blob>;
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
    encode = (type) => canvas.convertToBlob({ type, quality });
  } else {
    const canvas = document.createElement('canvas');
    Object.assign(canvas, { width, height });
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
    encode = (type) => new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), type, quality));
  }
  for (const type of types) {
    const out = await encode(type);
    if (out.type === type) return { bytes: new Uint8Array(await out.arrayBuffer()), mime: type };
  }
  throw new Error(`this browser cannot encode ${types.join(' or ')}`);
}
