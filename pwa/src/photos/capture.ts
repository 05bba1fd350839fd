// A photo as the phone keeps it: downscaled (longest side 1600 px, JPEG 0.8 — a few hundred KiB
// instead of several MiB, which matters on 2G) and named by its SHA-256. Re-encoding also drops
// the camera's EXIF, GPS position included.

export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The size to draw at: never larger than the original, longest side at most `max`. */
export function fitWithin(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export async function downscale(file: Blob): Promise<{ bytes: Uint8Array; mime: string }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const { width, height } = fitWithin(bitmap.width, bitmap.height);
  let out: Blob;
  try {
    if (typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(width, height);
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
      out = await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
    } else {
      const canvas = document.createElement('canvas');
      Object.assign(canvas, { width, height });
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
      out = await new Promise<Blob>((resolve, reject) =>
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/jpeg', QUALITY));
    }
  } finally {
    bitmap.close();
  }
  return { bytes: new Uint8Array(await out.arrayBuffer()), mime: 'image/jpeg' };
}
