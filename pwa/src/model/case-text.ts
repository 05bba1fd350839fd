// What the case screens need without Automerge (which runs only in the worker).

/** The schema's limit on a case's attachments (sync-protocol/src/case/mod.rs). */
export const MAX_ATTACHMENTS = 50;

/** The single splice turning `before` into `after` (common prefix and suffix kept), in UTF-16
 *  code units as Automerge JS counts them, never splitting a surrogate pair. */
export function textSplice(before: string, after: string): { index: number; del: number; insert: string } | null {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) { endB--; endA--; }
  if (endB < before.length && isLowSurrogate(before.charCodeAt(endB))) { endB++; endA++; }
  return { index: start, del: endB - start, insert: after.slice(start, endA) };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
