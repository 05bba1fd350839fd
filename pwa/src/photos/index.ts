// The page's photo service: one uploader per signed-in session, and photos for viewing, read
// from the phone or fetched from the server once and kept. Wired in main.ts, which starts it at
// sign-in and stops it at sign-out, so these module variables never outlive a session.
import { API_BASE } from '../api';
import { openAnlanDb, type BlobRecord, type Db } from '../db/schema';
import type { Ctx } from '../ui/ctx';
import { HttpBlobApi } from './api';
import { attachToCase, keepCached, keepLocal, linkPhotos, type NewPhoto } from './store';
import { PhotoUploader } from './uploader';

let dbp: Promise<Db> | null = null;
let uploader: PhotoUploader | null = null;
let api: HttpBlobApi | null = null;
let unsubscribe: (() => void) | null = null;
let rerender: () => void = () => {};
const onNet = () => uploader?.setOnline(navigator.onLine);

function db(): Promise<Db> {
  dbp ??= openAnlanDb();
  return dbp;
}

/** Start uploading for this session: after every sync the worker reports, and on `online`. */
export function startPhotos(ctx: Ctx): void {
  stopPhotos();
  rerender = ctx.rerender;
  api = new HttpBlobApi(API_BASE, () => ctx.token);
  const a = api;
  void db().then((d) => {
    if (api !== a) return; // signed out meanwhile
    uploader = new PhotoUploader(d, a, () => void refreshStates().then(() => ctx.rerender()));
    uploader.setOnline(navigator.onLine);
    uploader.start();
    (globalThis as { __anlanPhotos?: PhotoUploader }).__anlanPhotos = uploader;
  });
  let wasRunning = false;
  unsubscribe = ctx.worker.on((e) => {
    if (e.type !== 'sync') return;
    // A sync just finished: the cases it delivered may now take their photos.
    if (wasRunning && !e.status.running) uploader?.kick();
    wasRunning = e.status.running;
  });
  window.addEventListener('online', onNet);
  window.addEventListener('offline', onNet);
}

export function stopPhotos(): void {
  uploader?.stop();
  unsubscribe?.();
  window.removeEventListener('online', onNet);
  window.removeEventListener('offline', onNet);
  uploader = api = unsubscribe = null;
  for (const v of views.values()) if (v.url) URL.revokeObjectURL(v.url);
  views.clear();
}

/** Keep a new case's photos on the phone before the case is saved, then link them to it. */
export async function keepPhotos(photos: NewPhoto[]): Promise<void> {
  await keepLocal(await db(), photos);
}

export async function photosSaved(doc: string, hashes: string[]): Promise<void> {
  await linkPhotos(await db(), doc, hashes);
  uploader?.kick();
}

/** Add a photo to an existing case (补充照片, a mediation agreement): `write` is the case edit
 *  naming it. Uploaded like any other once that edit has synced. */
export async function attachPhoto(doc: string, p: NewPhoto, write: () => Promise<unknown>): Promise<void> {
  await attachToCase(await db(), doc, p, write);
  uploader?.kick();
}

/** What a thumbnail shows: its picture once loaded, and where its bytes are. */
export interface PhotoView {
  url: string | null;
  state: BlobRecord['state'] | 'loading' | 'missing';
  /** KiB on the server and in all, while uploading. */
  kb?: { sent: number; size: number };
  /** Percent on the server while uploading. */
  percent: number | null;
}

type Entry = PhotoView & { retryAt: number };
const views = new Map<string, Entry>();
/** A photo the server does not have yet is asked for again no sooner than this. */
const RETRY_MS = 10_000;

export function photoView(sha256: string, mime: string, size: number): PhotoView {
  let v = views.get(sha256);
  if (!v || (v.state === 'missing' && Date.now() > v.retryAt)) {
    v = { url: null, state: 'loading', percent: null, retryAt: 0 };
    views.set(sha256, v);
    void load(sha256, mime, v);
  }
  const sent = uploader?.progress.get(sha256);
  if (sent === undefined) return { url: v.url, state: v.state, percent: null };
  const kb = { sent: Math.round(sent / 1024), size: Math.max(1, Math.round(size / 1024)) };
  return { url: v.url, state: v.state, percent: Math.floor((100 * sent) / Math.max(1, size)), kb };
}

/** Refresh the states shown (after an upload finishes, say). */
export async function refreshStates(): Promise<void> {
  const d = await db();
  for (const [sha, v] of views) {
    const rec = await d.get('blobs', sha);
    if (rec && rec.state !== v.state) v.state = rec.state;
  }
}

async function load(sha256: string, mime: string, v: Entry): Promise<void> {
  const d = await db();
  let rec = await d.get('blobs', sha256);
  const session = api;
  if (!rec && session) {
    try {
      const bytes = await session.get(sha256);
      // Signed out meanwhile: the photo is not written into the database the sign-out erased.
      if (api !== session) return;
      await keepCached(d, { sha256, mime, size: bytes.length, bytes });
      rec = await d.get('blobs', sha256);
    } catch {
      // Not on the server yet (its phone has not uploaded it) or offline: try again later.
      v.state = 'missing';
      v.retryAt = Date.now() + RETRY_MS;
      setTimeout(rerender, RETRY_MS + 100);
    }
  }
  if (rec && views.get(sha256) === v) {
    v.url = URL.createObjectURL(new Blob([rec.bytes as BlobPart], { type: rec.mime }));
    v.state = rec.state;
  }
  rerender();
}
