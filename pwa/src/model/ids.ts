// Identifiers on the wire are bytes; in Automerge JS and IndexedDB they are text.
// Doc ids: 16 bytes ⇄ hyphenated lowercase UUID (the server's JSON uses the same form).
// Change hashes: 32 bytes ⇄ 64 hex digits (what A.getHeads returns).

export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not hex: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (hex.length !== 32) throw new Error(`not a UUID: ${uuid}`);
  return hexToBytes(hex);
}

export function bytesToUuid(b: Uint8Array): string {
  if (b.length !== 16) throw new Error(`a doc id is 16 bytes, got ${b.length}`);
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function newDocId(): string {
  return crypto.randomUUID();
}

/**
 * A writer session's actor: the device's 8-byte prefix followed by 8 random bytes, new for every
 * tab or worker. Two sessions sharing an actor would wedge documents with duplicate seqs.
 */
export function newActor(prefixHex: string): string {
  if (!/^[0-9a-f]{16}$/.test(prefixHex)) throw new Error(`actor prefix must be 16 hex digits: ${prefixHex}`);
  const suffix = crypto.getRandomValues(new Uint8Array(8));
  return prefixHex + bytesToHex(suffix);
}

/** Same set of heads, whatever the order. */
export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((h) => s.has(h));
}
