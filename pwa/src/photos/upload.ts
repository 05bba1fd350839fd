// Uploading one blob in chunks, resumable: ask the server where it stands, go on from there.
// A connection dropped mid-chunk costs that chunk, never what the server already holds.
import { BlobHttpError, type BlobApi } from './api';

export const CHUNK_SIZE = 128 * 1024;

export interface BlobToSend { sha256: string; mime: string; size: number; bytes: Uint8Array }

/** What one upload did: where it started (the server's offset) and how many bytes it sent. */
export interface UploadReport { resumedFrom: number; sent: number }

export async function uploadBlob(
  b: BlobToSend,
  api: BlobApi,
  onProgress: (received: number) => void = () => {},
  chunkSize = CHUNK_SIZE,
): Promise<UploadReport> {
  let state = await api.status(b.sha256);
  const report = { resumedFrom: state.received, sent: 0 };
  let offset = state.received;
  onProgress(offset);
  // Another tab or phone may be uploading the same photo: follow the server's offset a few
  // times, then let the caller back off rather than ping-pong.
  let moved = 0;
  while (!state.complete) {
    const chunk = b.bytes.subarray(offset, Math.min(offset + chunkSize, b.size));
    try {
      state = await api.put(b.sha256, b.mime, b.size, offset, chunk);
      report.sent += chunk.length;
      moved = 0;
    } catch (e) {
      if (e instanceof BlobHttpError && e.code === 'wrong_offset' && e.received !== undefined && moved++ < 5) {
        offset = e.received;
        continue;
      }
      throw e;
    }
    offset = state.received;
    onProgress(offset);
  }
  return report;
}
