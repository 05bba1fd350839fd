// The `blobs` object store: photos taken here until the server has them, and photos fetched
// from the server to be viewed. Keyed by SHA-256, so a photo is stored once however many cases
// list it.
import type { BlobRecord, Db } from '../db/schema';

export interface NewPhoto { sha256: string; mime: string; size: number; bytes: Uint8Array }

/** Keep photos taken for a case that is about to be saved (`docs` is filled in by `linkPhotos`). */
export async function keepLocal(db: Db, photos: NewPhoto[], now = Date.now()): Promise<void> {
  const tx = db.transaction('blobs', 'readwrite');
  const existing = await Promise.all(photos.map((p) => tx.store.get(p.sha256)));
  await Promise.all([
    ...photos.map((p, i) => existing[i]
      ? undefined
      : tx.store.put({ sha256: p.sha256, mime: p.mime, size: p.size, bytes: p.bytes, state: 'local', docs: [], created_at: now })),
    tx.done,
  ]);
}

export async function linkPhotos(db: Db, doc: string, hashes: string[]): Promise<void> {
  const tx = db.transaction('blobs', 'readwrite');
  const recs = await Promise.all(hashes.map((h) => tx.store.get(h)));
  await Promise.all([
    ...recs.map((r) => r && !r.docs.includes(doc) ? tx.store.put({ ...r, docs: [...r.docs, doc] }) : undefined),
    tx.done,
  ]);
}

/** Add a photo to a case already recorded: kept on the phone first (so the bytes are never
 *  lost), then `write` puts it in the document, then it is linked to the case for upload. A
 *  write that fails takes back a photo nothing else holds. */
export async function attachToCase(db: Db, doc: string, p: NewPhoto, write: () => Promise<unknown>): Promise<void> {
  const had = await db.get('blobs', p.sha256);
  await keepLocal(db, [p]);
  try {
    await write();
  } catch (e) {
    if (!had) await db.delete('blobs', p.sha256);
    throw e;
  }
  await linkPhotos(db, doc, [p.sha256]);
}

export function pendingUploads(db: Db): Promise<BlobRecord[]> {
  return db.getAllFromIndex('blobs', 'by_state', 'local');
}

export async function markUploaded(db: Db, sha256: string): Promise<void> {
  const tx = db.transaction('blobs', 'readwrite');
  const r = await tx.store.get(sha256);
  if (r) await tx.store.put({ ...r, state: 'uploaded' });
  await tx.done;
}

/** A photo fetched from the server, kept so it is viewed offline next time. */
export async function keepCached(db: Db, p: NewPhoto, now = Date.now()): Promise<void> {
  const tx = db.transaction('blobs', 'readwrite');
  if (!(await tx.store.get(p.sha256))) await tx.store.put({ ...p, state: 'cached', docs: [], created_at: now });
  await tx.done;
}

/** Whether the server has acknowledged a case listing this photo (its first change carries
 *  the attachments, so any acknowledged heads will do). Unlinked photos are tried anyway: the
 *  server decides, and answers 404 until a case it can see lists them. */
export async function caseAcknowledged(db: Db, rec: BlobRecord): Promise<boolean> {
  if (rec.docs.length === 0) return true;
  const metas = await Promise.all(rec.docs.map((d) => db.get('meta', d)));
  return metas.some((m) => !!m && m.acked_heads.length > 0);
}
