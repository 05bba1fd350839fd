// PROTOCOL.md §12 on the phone: a county phone keeps its working set, fetches other cases on
// demand, deletes evicted cases from IndexedDB and completes a case that comes back.
import * as A from '@automerge/automerge/slim';
import { Decoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { SyncClient } from '../src/sync/client';
import { decodeResponse, encodeFetchRequest, encodeRequest, encodeResponse } from '../src/sync/protocol';
import { replicaFor } from '../src/sync/replica';
import { PartialServer } from './fake-partial-server';
import { input, phone, PREFIX_A, PREFIX_B } from './helpers';

async function device(server: PartialServer, prefix: string, replica: 'full' | 'partial') {
  const p = await phone(prefix);
  const transport = server.partialTransport(prefix);
  return { ...p, transport, client: new SyncClient(p.repo, transport, undefined, undefined, null, replica) };
}

/** Three cases recorded by another phone; `old` lies outside the county phone's working set. */
async function county() {
  const server = new PartialServer();
  const other = await device(server, PREFIX_B, 'full');
  const open = await other.repo.create(input({ title: '仍在调处' }));
  const old = await other.repo.create(input({ title: '三年前化解' }));
  const recent = await other.repo.create(input({ title: '上周化解' }));
  await other.client.sync();
  server.outside.add(old);
  server.numbers.set('永安-2023-000007', old);
  const me = await device(server, PREFIX_A, 'partial');
  await me.client.sync();
  return { server, other, me, open, old, recent };
}

const held = async (me: Awaited<ReturnType<typeof device>>) => (await me.repo.list()).map((c) => c.doc).sort();

// The first test of a file pays for loading Automerge's wasm: generous on a busy machine.
describe('partial replicas (PROTOCOL.md §12)', { timeout: 30_000 }, () => {
  it('asks for the working set, holds only it, and stores the server time as `since`', async () => {
    const { server, me, open, recent } = await county();
    expect(await held(me)).toEqual([open, recent].sort());
    const first = server.requests.at(-1)!;
    expect(first.replica).toBe('partial');
    expect(first.since).toBeUndefined();
    const since = await me.repo.getKv('since');
    expect(since).toBeGreaterThan(0);
    await me.client.sync();
    expect(server.requests.at(-1)!.since).toBe(since);
  });

  it('fetches a case on demand by number, then only what it lacks by id', async () => {
    const { server, other, me, old } = await county();
    expect(await me.client.fetchDocs({ case_nos: ['永安-2023-000007', '永安-1999-000001'] })).toEqual([old]);
    expect((await me.repo.view(old))?.title).toBe('三年前化解');
    expect((await me.db.get('meta', old))?.acked_heads).toEqual(A.getHeads(server.docs.get(old)!));

    await other.repo.edit(old, { op: 'add_timeline', kind: 'note', text: '复查' });
    await other.client.sync();
    const heads = (await me.db.get('meta', old))!.local_heads;
    await me.client.fetchDocs({ docs: [{ doc: old, heads }] });
    expect(server.fetches.at(-1)!.docs).toEqual([{ doc: old, heads }]);
    expect((await me.repo.view(old))?.timeline.map((e) => e.text)).toContain('复查');
  });

  it('deletes evicted cases from IndexedDB and keeps syncing', async () => {
    const { server, me, open, recent } = await county();
    server.leaving.push(recent);

    const report = await me.client.sync();

    expect(report.evicted).toBe(1);
    expect(await me.db.get('meta', recent)).toBeUndefined();
    expect(await me.db.get('docs', recent)).toBeUndefined();
    expect(await held(me)).toEqual([open]);
    expect((await me.client.sync()).evicted).toBe(0);
  });

  it('completes a case that comes back into the working set before moving its cursor', async () => {
    const { server, other, me, old } = await county();
    await other.repo.edit(old, { op: 'add_timeline', kind: 'note', text: '当事人再次反映' });
    await other.client.sync();
    server.outside.delete(old);
    const cursor = await me.repo.getKv('cursor');

    // A lost fetch leaves the cursor where it was: the next sync does it all again.
    server.failFetch = true;
    await expect(me.client.sync()).rejects.toThrow();
    expect(await me.repo.getKv('cursor')).toBe(cursor);

    await me.client.sync();
    expect((await me.db.get('meta', old))?.local_heads).toEqual(A.getHeads(server.docs.get(old)!));
    expect((await me.repo.view(old))?.timeline.map((e) => e.text)).toContain('当事人再次反映');
    expect(await me.repo.getKv('cursor')).toBe(server.feed.length);
  });

  it('evicts everything outside the working set when a whole replica turns partial, and pulls all again when it turns back', async () => {
    const server = new PartialServer();
    const other = await device(server, PREFIX_B, 'full');
    const keep = await other.repo.create(input({ title: '在办' }));
    const old = await other.repo.create(input({ title: '旧案' }));
    await other.client.sync();
    server.outside.add(old);
    const p = await phone(PREFIX_A);
    const transport = server.partialTransport(PREFIX_A);
    await new SyncClient(p.repo, transport).sync();
    expect((await p.repo.list()).length).toBe(2);

    const report = await new SyncClient(p.repo, transport, undefined, undefined, null, 'partial').sync();
    expect(report.evicted).toBe(1);
    expect(server.requests.at(-1)!.cursor).toBeGreaterThan(0);
    expect((await p.repo.list()).map((c) => c.doc)).toEqual([keep]);

    await new SyncClient(p.repo, transport).sync();
    expect(server.requests.at(-1)!.replica).toBeUndefined();
    expect((await p.repo.list()).length).toBe(2);
    expect(await p.repo.getKv('since')).toBeNull();
  });

  it('carries replica, since, evict and fetches on the wire as PROTOCOL.md §12 says', () => {
    const raw = new Decoder({ mapsAsObjects: true }).decode(encodeRequest({ v: 1, cursor: 3, replica: 'partial', since: 1_800_000_000_123 })) as Record<string, unknown>;
    expect(raw.replica).toBe('partial');
    expect(Number(raw.since)).toBe(1_800_000_000_123);
    const whole = new Decoder({ mapsAsObjects: true }).decode(encodeRequest({ v: 1, cursor: 3 })) as Record<string, unknown>;
    expect('replica' in whole || 'since' in whole).toBe(false);
    const doc = '00112233-4455-6677-8899-aabbccddeeff';
    const res = decodeResponse(encodeResponse({ epoch: 'e', reset: false, results: [], pull: [], cursor: 0, more: false, replica: 'partial', evict: [doc] }));
    expect(res.replica).toBe('partial');
    expect(res.evict).toEqual([doc]);
    expect(decodeResponse(encodeResponse({ epoch: 'e', reset: false, results: [], pull: [], cursor: 0, more: false })).replica).toBe('full');
    const fetch = new Decoder({ mapsAsObjects: true }).decode(encodeFetchRequest({ docs: [{ doc, heads: [] }], case_nos: ['永安-2026-000001'] })) as Record<string, any>;
    expect(fetch.v).toBe(1);
    expect(fetch.docs[0].doc).toHaveLength(16);
    expect(fetch.case_nos).toEqual(['永安-2026-000001']);
  });

  it('gives counties and cities a partial replica and townships and villages a whole one', () => {
    expect(replicaFor({ unit: { code: '350481', name: '永安市', path: '/350400/350481/' } })).toBe('partial');
    expect(replicaFor({ unit: { code: '350400', name: '三明市', path: '/350400/' } })).toBe('partial');
    expect(replicaFor({ unit: { code: '350481101', name: '镇', path: '/350400/350481/350481101/' } })).toBe('full');
    expect(replicaFor({ unit: { code: '350481101201', name: '村', path: '/350400/350481/350481101/350481101201/' } })).toBe('full');
  });
});
