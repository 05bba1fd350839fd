// What a session keeps in localStorage so its screens work offline: the server's lists of the
// person's villages (records-common.ts) and sweep campaigns (sweep-data.ts). The in-memory copy
// lives in the session's screen store; these outlive the page and so go with the records.

/** Where a session's copy of a server list lives in localStorage for offline use: per person, so
 *  the next person on the phone never reads it. */
export const storedCopyKey = (list: 'villages' | 'campaigns', user: string) => `anlan.${list}.${user}`;

/** Erase every such copy (sign-out erases the records; these go with them). */
export function forgetStoredCopies(storage: Storage = localStorage): void {
  const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '');
  for (const k of keys) if (/^anlan\.(villages|campaigns)\./.test(k)) storage.removeItem(k);
}
