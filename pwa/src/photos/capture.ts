// A photo as the phone keeps it: downscaled (longest side 1600 px, JPEG 0.8 — a few hundred KiB
// instead of several MiB) and named by its SHA-256. On a slow link (photos/link.ts) smaller
// still: 1024 px, WebP where the browser encodes it (JPEG otherwise), quality 0.5 — a quarter of
// the bytes, still legible for a wall crack or a boundary stone. Re-encoding also drops the
// camera's EXIF, GPS position included.

export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

/** How to encode: for a good link, or for a slow one. */
export interface Encoding { maxSide: number; quality: number; types: string[] }
export const FOR_FAST: Encoding = { maxSide: MAX_SIDE, quality: QUALITY, types: ['image/jpeg'] };
export const FOR_SLOW: Encoding = { maxSide: 1024, quality: 0.5, types: ['image/webp', 'image/jpeg'] };

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
 *  produce (asked for WebP, a browser that cannot answers PNG: then the next type is tried). */
export async function downscale(file: Blob, enc: Encoding = FOR_FAST): Promise<{ bytes: Uint8Array; mime: string }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const { width, height } = fitWithin(bitmap.width, bitmap.height, enc.maxSide);
  let encode: (type: string) => Promise<Blob>;
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
    encode = (type) => canvas.convertToBlob({ type, quality: enc.quality });
  } else {
    const canvas = document.createElement('canvas');
    Object.assign(canvas, { width, height });
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
    encode = (type) => new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), type, enc.quality));
  }
  bitmap.close();
  for (const type of enc.types) {
    const out = await encode(type);
    if (out.type === type) return { bytes: new Uint8Array(await out.arrayBuffer()), mime: type };
  }
  throw new Error(`this browser cannot encode ${enc.types.join(' or ')}`);
}
