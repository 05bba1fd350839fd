// A sweep report's id, without Automerge (which runs only in the worker): screens compute which
// report a village's document is.
import { bytesToUuid } from './ids';
import { sha256 } from './sha256';

/** The report's document id: the first 16 bytes of SHA-256 over a versioned string. */
export function reportId(campaign: string, village: string): string {
  const digest = sha256(new TextEncoder().encode(`anlan/sweep_report/v1\n${campaign}\n${village}`));
  return bytesToUuid(digest.slice(0, 16));
}
