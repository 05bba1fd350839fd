// PROTOCOL.md §10 on the phone: when the user's scope changes, the documents the server lists
// in `drop` disappear from IndexedDB (bytes, metadata, cached copy) and syncing carries on.
import { describe, expect, it } from 'vitest';
import { SyncClient } from '../src/sync/client';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../src/sync/protocol';
import { FakeServer } from './fake-server';
import { input, phone, PREFIX_A, PREFIX_B } from './helpers';

async function device(server: FakeServer, prefix: string) {
  const p = await phone(prefix);
  const transport = server.transport(prefix);
  return { ...p, transport, client: new SyncClient(p.repo, transport) };
}

/** A server with two cases from another phone, both pulled by the officer's phone. */
async function twoCases() {
  const server = new FakeServer();
  const other = await device(server, PREFIX_B);
  const keep = await other.repo.create(input({ title: '留下的案件' }));
  const gone = await other.repo.create(input({ title: '调走后不可见' }));
  await other.client.sync();
  const me = await device(server, PREFIX_A);
  await me.client.sync();
  expect((await me.repo.list()).map((c) => c.doc).sort()).toEqual([keep, gone].sort());
  expect(await me.repo.getKv('scope')).toBe('scope-1');
  return { server, other, me, keep, gone };
}

/** The user moved: `gone` leaves the scope and a case of the new village is recorded. */
async function move(server: FakeServer, other: Awaited<ReturnType<typeof device>>, gone: string) {
  server.scope = 'scope-2';
  server.drops.set('scope-1', [gone]);
  server.hidden.add(gone);
  const fresh = await other.repo.create(input({ title: '新村的案件' }));
  await other.client.sync();
  return fresh;
}

describe('scope changes (PROTOCOL.md §10)', () => {
  it('deletes dropped documents with their metadata and pulls the new scope from the start', async () => {
    const { server, other, me, keep, gone } = await twoCases();
    await me.repo.view(gone); // now cached in memory too
    const fresh = await move(server, other, gone);

    const report = await me.client.sync();

    expect(report.dropped).toBe(1);
    // One round: the request named the old scope, the answer dropped and restarted the pull.
    expect(server.requests.at(-1)!.scope).toBe('scope-1');
    expect(server.requests.at(-1)!.cursor).toBeGreaterThan(0);
    expect((await me.repo.list()).map((c) => c.doc).sort()).toEqual([keep, fresh].sort());
    expect(await me.db.get('meta', gone)).toBeUndefined();
    expect(await me.db.get('docs', gone)).toBeUndefined();
    expect(await me.repo.view(gone)).toBeNull();
    expect(await me.repo.getKv('scope')).toBe('scope-2');
    expect(await me.repo.getKv('cursor')).toBe(server.feed.length);
    await me.client.sync();
    expect(server.requests.at(-1)!.scope).toBe('scope-2');
    expect(server.requests.at(-1)!.cursor).toBe(server.feed.length);
  });

  it('deletes the photos of dropped cases and every fetched copy, but keeps photos taken here and not yet uploaded', async () => {
    const { server, other, me, keep, gone } = await twoCases();
    const rec = (sha256: string, state: 'local' | 'uploaded' | 'cached', docs: string[]) =>
      ({ sha256, mime: 'image/jpeg', size: 1, bytes: new Uint8Array([1]), state, docs, created_at: 0 });
    await me.db.put('blobs', rec('a'.repeat(64), 'uploaded', [gone]));
    await me.db.put('blobs', rec('b'.repeat(64), 'uploaded', [gone, keep]));
    await me.db.put('blobs', rec('c'.repeat(64), 'cached', []));
    await me.db.put('blobs', rec('d'.repeat(64), 'local', [gone]));
    await move(server, other, gone);

    await me.client.sync();

    expect(await me.db.get('blobs', 'a'.repeat(64))).toBeUndefined();
    expect((await me.db.get('blobs', 'b'.repeat(64)))?.docs).toEqual([keep]);
    expect(await me.db.get('blobs', 'c'.repeat(64))).toBeUndefined();
    expect((await me.db.get('blobs', 'd'.repeat(64)))?.docs).toEqual([]);
  });

  it('gets the same drop again when the response is lost', async () => {
    const { server, other, me, gone } = await twoCases();
    await move(server, other, gone);
    me.transport.failNext = 'after';
    await expect(me.client.sync()).rejects.toThrow();
    expect(await me.db.get('meta', gone)).toBeDefined(); // nothing applied
    expect(await me.repo.getKv('scope')).toBe('scope-1');

    const report = await me.client.sync();
    expect(report.dropped).toBe(1);
    expect(await me.db.get('meta', gone)).toBeUndefined();
  });

  it('pushes its own pending edit before dropping and keeps syncing afterwards', async () => {
    const { server, other, me, keep, gone } = await twoCases();
    await me.repo.edit(gone, { op: 'add_timeline', kind: 'visit', text: '走访记录' });
    await move(server, other, gone);

    await me.client.sync();

    // The edit went up in the same request that brought the drop: nothing of it is lost.
    const pushed = server.requests.findLast((r) => r.push?.some((p) => p.doc === gone));
    expect(pushed?.scope).toBe('scope-1');
    expect(await me.db.get('meta', gone)).toBeUndefined();
    await me.repo.edit(keep, { op: 'add_timeline', kind: 'note', text: '继续跟进' });
    await me.client.sync();
    expect((await me.repo.list()).find((c) => c.doc === keep)?.delivery).toBe('sent');
  });

  it('drops nothing and keeps its cursor while the scope stays the same', async () => {
    const { server, me } = await twoCases();
    const cursor = await me.repo.getKv('cursor');
    const report = await me.client.sync();
    expect(report.dropped).toBe(0);
    expect(server.requests.at(-1)!.cursor).toBe(cursor);
    expect((await me.repo.list()).length).toBe(2);
  });

  it('carries scope and drop on the wire as PROTOCOL.md §3 and §10 say', () => {
    const doc = '0f0e0d0c-0b0a-4908-8706-050403020100';
    expect(decodeRequest(encodeRequest({ v: 1, cursor: 5, scope: '0123456789abcdef' })).scope).toBe('0123456789abcdef');
    const res = decodeResponse(encodeResponse({ epoch: 'e', reset: false, results: [], pull: [], cursor: 0, more: false, scope: 'ab', drop: [doc] }));
    expect(res.scope).toBe('ab');
    expect(res.drop).toEqual([doc]);
    const old = decodeResponse(encodeResponse({ epoch: 'e', reset: false, results: [], pull: [], cursor: 0, more: false }));
    expect([old.scope, old.drop]).toEqual(['', []]);
  });
});
