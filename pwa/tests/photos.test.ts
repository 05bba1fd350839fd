// Photos: chunked, resumable uploads against an in-memory server that keeps the protocol's
// rules (PROTOCOL.md "Blobs"), the uploader's gating on acknowledged cases, and the schema step.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge/slim';
import { openDB } from 'idb';
import { openAnlanDb } from '../src/db/schema';
import { BlobHttpError, type BlobApi, type UploadState } from '../src/photos/api';
import { fitWithin, FOR_FAST, FOR_SLOW, nextAttempt, sha256Hex } from '../src/photos/capture';
import { keepLocal, linkPhotos } from '../src/photos/store';
import { uploadBlob } from '../src/photos/upload';
import { PhotoUploader } from '../src/photos/uploader';
import { input, phone } from './helpers';

const CHUNK = 1024;

function photo(len: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The server's side of the protocol, in memory. `cutAfter`: chunks accepted before the
 *  "network" drops every request, as a dead link does. */
class FakeServer implements BlobApi {
  stored = new Map<string, { size: number; parts: Uint8Array[]; received: number; complete: boolean }>();
  listed = new Set<string>();
  bytesSent = 0;
  puts = 0;
  cutAfter = Infinity;

  async status(h: string): Promise<UploadState> {
    if (this.puts >= this.cutAfter) throw new TypeError('Failed to fetch');
    if (!this.listed.has(h)) throw new BlobHttpError(404, 'not_found', 'not found');
    const s = this.stored.get(h);
    return { received: s?.received ?? 0, complete: s?.complete ?? false };
  }

  async put(h: string, _mime: string, size: number, offset: number, chunk: Uint8Array): Promise<UploadState> {
    if (this.puts >= this.cutAfter) throw new TypeError('Failed to fetch');
    this.puts++;
    this.bytesSent += chunk.length;
    if (!this.listed.has(h)) throw new BlobHttpError(404, 'not_found', 'not found');
    const s = this.stored.get(h) ?? { size, parts: [], received: 0, complete: false };
    this.stored.set(h, s);
    if (s.complete) return { received: s.received, complete: true };
    if (offset !== s.received) throw new BlobHttpError(409, 'wrong_offset', 'wrong offset', s.received);
    s.parts.push(chunk.slice());
    s.received += chunk.length;
    if (s.received === size) {
      const whole = Buffer.concat(s.parts);
      if (sha(whole) !== h) {
        this.stored.delete(h);
        throw new BlobHttpError(422, 'hash_mismatch', 'discarded', 0);
      }
      s.complete = true;
    }
    return { received: s.received, complete: s.complete };
  }

  bytes(h: string): Uint8Array {
    return Buffer.concat(this.stored.get(h)!.parts);
  }
}

function blob(len: number) {
  const bytes = photo(len);
  return { sha256: sha(bytes), mime: 'image/jpeg', size: bytes.length, bytes };
}

describe('uploading a photo', () => {
  it('sends it in chunks and the server ends up with the exact bytes', async () => {
    const server = new FakeServer();
    const b = blob(5 * CHUNK + 3);
    server.listed.add(b.sha256);
    const seen: number[] = [];
    const report = await uploadBlob(b, server, (n) => seen.push(n), CHUNK);
    expect(report).toEqual({ resumedFrom: 0, sent: b.size });
    expect(server.puts).toBe(6);
    expect(seen.at(-1)).toBe(b.size);
    expect(Buffer.compare(server.bytes(b.sha256), b.bytes)).toBe(0);
  });

  it('cut off halfway, resumes from the server\'s offset rather than from zero', async () => {
    const server = new FakeServer();
    const b = blob(6 * CHUNK);
    server.listed.add(b.sha256);
    server.cutAfter = 3;
    await expect(uploadBlob(b, server, undefined, CHUNK)).rejects.toThrow(TypeError);
    expect(server.stored.get(b.sha256)!.received).toBe(3 * CHUNK);

    server.cutAfter = Infinity;
    const report = await uploadBlob(b, server, undefined, CHUNK);
    expect(report).toEqual({ resumedFrom: 3 * CHUNK, sent: 3 * CHUNK });
    expect(server.bytesSent).toBe(b.size); // nothing sent twice
    expect(Buffer.compare(server.bytes(b.sha256), b.bytes)).toBe(0);
  });

  it('follows the server when another uploader moved it on (409 wrong_offset)', async () => {
    const server = new FakeServer();
    const b = blob(4 * CHUNK);
    server.listed.add(b.sha256);
    const racing: BlobApi = {
      status: async () => ({ received: 0, complete: false }), // a stale answer
      put: (...args) => server.put(...args),
    };
    await server.put(b.sha256, b.mime, b.size, 0, b.bytes.subarray(0, 2 * CHUNK));
    const report = await uploadBlob(b, racing, undefined, CHUNK);
    expect(report.sent).toBe(2 * CHUNK);
    expect(server.stored.get(b.sha256)!.complete).toBe(true);
  });

  it('stops at the first refusal it cannot fix, such as a hash mismatch', async () => {
    const server = new FakeServer();
    const b = { ...blob(2 * CHUNK), sha256: sha(photo(1)) };
    server.listed.add(b.sha256);
    await expect(uploadBlob(b, server, undefined, CHUNK)).rejects.toMatchObject({ status: 422 });
  });
});

describe('the uploader', () => {
  async function setup(len = 3 * CHUNK) {
    const { db, repo } = await phone();
    const b = blob(len);
    const doc = await repo.create(input({ attachments: [{ sha256: b.sha256, mime: b.mime, size: b.size }] }));
    await keepLocal(db, [b]);
    await linkPhotos(db, doc, [b.sha256]);
    const server = new FakeServer();
    const up = new PhotoUploader(db, server, () => {}, {}, undefined, CHUNK);
    return { db, repo, doc, b, server, up };
  }

  it('puts the photo\'s hash, type and size in the case, never its bytes', async () => {
    const { repo, doc, b } = await setup();
    const view = await repo.view(doc);
    expect(view!.attachments).toEqual([{ sha256: b.sha256, mime: 'image/jpeg', size: b.size }]);
  });

  it('waits until the case is acknowledged, then uploads and marks the photo uploaded', async () => {
    const { db, doc, b, server, up } = await setup();
    server.listed.add(b.sha256);
    await up.runOnce();
    expect(server.puts).toBe(0);
    expect((await db.get('blobs', b.sha256))!.state).toBe('local');

    const meta = (await db.get('meta', doc))!;
    await db.put('meta', { ...meta, acked_heads: meta.local_heads });
    await up.runOnce();
    expect((await db.get('blobs', b.sha256))!.state).toBe('uploaded');
    expect(Buffer.compare(server.bytes(b.sha256), b.bytes)).toBe(0);
    await up.runOnce();
    expect(server.puts).toBe(3); // uploaded photos are left alone
  });

  it('keeps the photo when the network fails, and the next run goes on where the server is', async () => {
    const { db, doc, b, server, up } = await setup(4 * CHUNK);
    server.listed.add(b.sha256);
    const meta = (await db.get('meta', doc))!;
    await db.put('meta', { ...meta, acked_heads: meta.local_heads });
    server.cutAfter = 2;
    await expect(up.runOnce()).rejects.toThrow(TypeError);
    expect((await db.get('blobs', b.sha256))!.state).toBe('local');
    server.cutAfter = Infinity;
    await up.runOnce();
    expect(up.reports).toEqual([{ sha256: b.sha256, resumedFrom: 2 * CHUNK, sent: 2 * CHUNK }]);
    expect(server.bytesSent).toBe(b.size);
  });

  it('passes over a photo the server does not list yet (404) without failing the run', async () => {
    const { db, doc, server, up } = await setup();
    const meta = (await db.get('meta', doc))!;
    await db.put('meta', { ...meta, acked_heads: meta.local_heads });
    await expect(up.runOnce()).resolves.toBeUndefined();
    expect(server.stored.size).toBe(0);
  });
});

describe('photo helpers and storage', () => {
  it('hashes like the server and downsizes to at most 1600 px on the longest side', async () => {
    const b = photo(1000);
    expect(await sha256Hex(b)).toBe(sha(b));
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(900, 1800)).toEqual({ width: 800, height: 1600 });
    expect(fitWithin(640, 480)).toEqual({ width: 640, height: 480 });
  });

  it('on a slow link a photo above 100 KiB is encoded once more, scaled to fit, then at 640 px and low quality', () => {
    const KiB = 1024;
    // A camera photo within the budget at 1024 px is kept as it is.
    expect(nextAttempt(FOR_SLOW, [{ side: 1024, quality: 0.5, bytes: 80 * KiB }])).toBeNull();
    // Twice the budget: √½ of the side, with a margin, at the same quality.
    expect(nextAttempt(FOR_SLOW, [{ side: 1024, quality: 0.5, bytes: 200 * KiB }])).toEqual({ side: 652, quality: 0.5 });
    // Still above: the floor, 640 px at quality 0.3, and that is kept whatever it weighs.
    const tried = [{ side: 1024, quality: 0.5, bytes: 200 * KiB }, { side: 652, quality: 0.5, bytes: 104 * KiB }];
    expect(nextAttempt(FOR_SLOW, tried)).toEqual({ side: 640, quality: 0.3 });
    expect(nextAttempt(FOR_SLOW, [...tried, { side: 640, quality: 0.3, bytes: 101 * KiB }])).toBeNull();
    // Far above the budget: straight to the floor rather than below it.
    expect(nextAttempt(FOR_SLOW, [{ side: 1024, quality: 0.5, bytes: 900 * KiB }])).toEqual({ side: 640, quality: 0.3 });
    // A good link has no budget.
    expect(nextAttempt(FOR_FAST, [{ side: 1600, quality: 0.8, bytes: 900 * KiB }])).toBeNull();
  });

  it('a phone on schema version 1 gains the blobs store and keeps its documents', async () => {
    const name = `upgrade-${Math.random()}`;
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('docs');
        db.createObjectStore('meta', { keyPath: 'doc' }).createIndex('by_updated', 'updated_at');
        db.createObjectStore('kv');
      },
    });
    await v1.put('docs', A.save(A.from({ x: 1 })), 'd1');
    v1.close();
    const db = await openAnlanDb(name);
    expect([...db.objectStoreNames]).toContain('blobs');
    expect(await db.get('docs', 'd1')).toBeInstanceOf(Uint8Array);
    await keepLocal(db, [blob(10)]);
    expect(await db.getAllFromIndex('blobs', 'by_state', 'local')).toHaveLength(1);
  });
});
