import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge/slim';
import { SyncClient } from '../src/sync/client';
import { FakeServer } from './fake-server';
import { input, phone, PREFIX_A, PREFIX_B } from './helpers';

async function device(server: FakeServer, prefix = PREFIX_A, user = 'u_demo_officer', limit?: { changes: number; bytes: number }) {
  const p = await phone(prefix, user);
  const transport = server.transport(prefix);
  const progress: { done: number; total: number }[] = [];
  const client = new SyncClient(p.repo, transport, (x) => progress.push(x), limit);
  return { ...p, transport, client, progress };
}

describe('sync client (PROTOCOL.md §4)', () => {
  it('pushes a case recorded offline and marks it delivered only after the server says ok', async () => {
    const server = new FakeServer();
    const a = await device(server);
    const id = await a.repo.create(input());
    expect((await a.repo.list())[0].delivery).toBe('local');
    const report = await a.client.sync();
    expect(report.pushedDocs).toBe(1);
    expect(server.docs.has(id)).toBe(true);
    expect((await a.repo.list())[0].delivery).toBe('sent');
    expect(await a.repo.getKv('cursor')).toBe(server.feed.length);
    expect(await a.repo.getKv('epoch')).toBe(server.epoch);
    // The first sync had no epoch; the second carries the one it learned.
    await a.client.sync();
    expect(server.requests[0].epoch).toBeUndefined();
    expect(server.requests.at(-1)!.epoch).toBe(server.epoch);
    expect(server.requests.at(-1)!.push).toBeUndefined(); // nothing dirty: nothing pushed
  });

  it('changes nothing when the request never arrives, and retries cleanly', async () => {
    const server = new FakeServer();
    const a = await device(server);
    await a.repo.create(input());
    a.transport.failNext = 'before';
    await expect(a.client.sync()).rejects.toThrow('Failed to fetch');
    expect((await a.repo.list())[0].delivery).toBe('local');
    expect(await a.repo.getKv('cursor')).toBeUndefined();
    await a.client.sync();
    expect((await a.repo.list())[0].delivery).toBe('sent');
  });

  it('keeps everything when the server cannot store (503 storage_full), and delivers on retry', async () => {
    const server = new FakeServer();
    const a = await device(server);
    const id = await a.repo.create(input());
    a.transport.failNext = 'storage_full';
    await expect(a.client.sync()).rejects.toMatchObject({ status: 503, code: 'storage_full', retryAfter: 30 });
    expect(server.docs.has(id)).toBe(false);
    expect((await a.repo.list())[0].delivery).toBe('local');
    expect(await a.repo.getKv('cursor')).toBeUndefined();
    await a.client.sync();
    expect(server.docs.has(id)).toBe(true);
    expect((await a.repo.list())[0].delivery).toBe('sent');
  });

  it('treats a lost response as harmless: the same changes are sent again and answered ok', async () => {
    const server = new FakeServer();
    const a = await device(server);
    const id = await a.repo.create(input());
    a.transport.failNext = 'after';
    await expect(a.client.sync()).rejects.toThrow();
    expect(server.docs.has(id)).toBe(true); // the server did store it
    expect((await a.repo.list())[0].delivery).toBe('local'); // but the client cannot know
    const feedBefore = server.feed.length;
    await a.client.sync();
    expect(server.feed.length).toBe(feedBefore); // no duplicate changes
    expect((await a.repo.list())[0].delivery).toBe('sent');
  });

  it('sends only the new changes of a document the server already has', async () => {
    const server = new FakeServer();
    const a = await device(server);
    const id = await a.repo.create(input());
    await a.client.sync();
    await a.repo.edit(id, { op: 'add_timeline', kind: 'visit', text: '回访' });
    await a.client.sync();
    const last = server.requests.at(-1)!;
    expect(last.push).toHaveLength(1);
    expect(last.push![0].changes).toHaveLength(1);
    expect((await a.repo.list())[0].delivery).toBe('sent');
  });

  it('pulls cases recorded by another device and shows them as delivered', async () => {
    const server = new FakeServer();
    const officer = await device(server, PREFIX_A);
    const leader = await device(server, PREFIX_B, 'u_demo_leader');
    const id = await officer.repo.create(input({ severity: 'urgent', title: '紧急：聚集' }));
    await officer.client.sync();
    const report = await leader.client.sync();
    expect(report.pulledDocs).toBe(1);
    const [item] = await leader.repo.list();
    expect(item).toMatchObject({ doc: id, title: '紧急：聚集', severity: 'urgent', delivery: 'sent' });
    // The leader acknowledges; the officer sees it after its next sync.
    await leader.repo.edit(id, { op: 'acknowledge', text: '已受理' });
    await leader.client.sync();
    await officer.client.sync();
    expect((await officer.repo.view(id))?.status).toBe('acknowledged');
    expect((await officer.repo.list())[0].delivery).toBe('sent');
  });

  it('does not pull back what it pushed in the same request, but a second session on the token gets it', async () => {
    const server = new FakeServer();
    const a = await device(server);
    const id = await a.repo.create(input());
    await a.client.sync();
    const pushed = server.requests.find((r) => r.push?.length)!;
    expect(pushed.push![0].doc).toBe(id);
    const res = server.handle(PREFIX_A, { v: 1, cursor: 1, epoch: server.epoch });
    expect(res.pull).toEqual([]);
    // The same token in another tab (or a wiped phone): everything, its own changes included.
    const again = await device(server, PREFIX_A);
    await again.client.sync();
    expect((await again.repo.list()).map((c) => c.doc)).toEqual([id]);
  });

  it('keeps a document dirty when a pull lands on top of unsent local edits', async () => {
    const server = new FakeServer();
    const a = await device(server, PREFIX_A);
    const b = await device(server, PREFIX_B, 'u_demo_leader');
    const id = await a.repo.create(input());
    await a.client.sync();
    await b.client.sync();
    await b.repo.edit(id, { op: 'add_timeline', kind: 'note', text: 'from b' });
    await b.client.sync();
    await a.repo.edit(id, { op: 'add_timeline', kind: 'note', text: 'from a' });
    a.transport.failNext = 'before';
    await expect(a.client.sync()).rejects.toThrow();
    // Pull only (a fresh request with no push is what happens here in the next round).
    await a.client.sync();
    const v = await a.repo.view(id);
    expect(v?.timeline.map((e) => e.text).sort()).toEqual(['from a', 'from b']);
    expect(v?.delivery).toBe('sent');
    expect(A.getHeads(server.docs.get(id)!).sort()).toEqual((await a.repo.changesSince(id, [])).heads.sort());
  });

  it('answers need_changes by pushing everything the server lacks', async () => {
    const server = new FakeServer();
    const a = await device(server);
    const id = await a.repo.create(input());
    await a.client.sync();
    // The server loses the document (e.g. an operator error) without an epoch change.
    server.docs.delete(id);
    await a.repo.edit(id, { op: 'add_timeline', kind: 'note', text: 'after loss' });
    const report = await a.client.sync();
    expect(report.rounds).toBeGreaterThanOrEqual(2);
    const reqs = server.requests.slice(-2);
    expect(reqs[0].push![0].changes).toHaveLength(1); // only the new change: refused
    expect(reqs[1].push![0].changes).toHaveLength(2); // then the whole history
    expect((await a.repo.list())[0].delivery).toBe('sent');
    expect((A.load(A.save(server.docs.get(id)!)) as any).timeline).toHaveLength(1);
  });

  it('flags a rejected document for the person and stops pushing it', async () => {
    const server = new FakeServer();
    const a = await device(server);
    server.rejectIf = () => ({ code: 'schema', message: 'title: 101 characters, at most 100 allowed' });
    const id = await a.repo.create(input());
    const report = await a.client.sync();
    expect(report.rejected).toBe(1);
    const [item] = await a.repo.list();
    expect(item.delivery).toBe('rejected');
    expect(item.rejection?.message).toContain('title');
    await a.client.sync();
    expect(server.requests.at(-1)!.push).toBeUndefined();
    expect(await a.repo.pendingCount()).toBe(0);
    // The person asks to try again once the cause is gone.
    server.rejectIf = () => null;
    await a.repo.clearRejection(id);
    await a.client.sync();
    expect((await a.repo.list())[0].delivery).toBe('sent');
  });

  it('shows a refused record as waiting for an administrator until one releases it', async () => {
    const server = new FakeServer();
    const a = await device(server);
    server.rejectIf = () => ({ code: 'out_of_scope', message: 'village 350481101201 is not in your jurisdiction' });
    const id = await a.repo.create(input());
    await a.client.sync();
    expect((await a.repo.list())[0].delivery).toBe('rejected');
    // Still waiting: the `have` check says the server lacks it, and nothing is pushed.
    await a.client.sync();
    expect(server.requests.at(-1)!.have).toEqual([{ doc: id, heads: (await a.repo.changesSince(id, [])).heads }]);
    expect(server.requests.at(-1)!.push).toBeUndefined();
    expect((await a.repo.list())[0].delivery).toBe('rejected');
    // An administrator releases it: the server now holds every change of the phone.
    server.rejectIf = () => null;
    server.handle('admin-release', { v: 1, cursor: 0, push: [{ doc: id, changes: (await a.repo.changesSince(id, [])).changes }] });
    const report = await a.client.sync();
    expect(report.released).toBe(1);
    const [item] = await a.repo.list();
    expect(item.delivery).toBe('sent');
    expect(item.rejection).toBeNull();
  });

  it('follows `more` until the feed is drained, storing the cursor page by page', async () => {
    const server = new FakeServer();
    server.pageSize = 2;
    const a = await device(server, PREFIX_A);
    for (let i = 0; i < 5; i++) await a.repo.create(input({ title: `事件 ${i}` }));
    await a.client.sync();
    const b = await device(server, PREFIX_B, 'u_demo_leader');
    const report = await b.client.sync();
    expect(report.rounds).toBe(3);
    expect(await b.repo.list()).toHaveLength(5);
    expect(await b.repo.getKv('cursor')).toBe(5);
  });

  it('recovers from a server restored from backup: reset, have, and re-push what was lost', async () => {
    const server = new FakeServer();
    const a = await device(server);
    const kept = await a.repo.create(input({ title: '保留' }));
    await a.client.sync();
    const keep = server.feed.length;
    const lost = await a.repo.create(input({ title: '丢失' }));
    await a.client.sync();
    expect((await a.repo.list()).every((i) => i.delivery === 'sent')).toBe(true);
    server.restoreBackup(keep);
    expect(server.docs.has(lost)).toBe(false);

    const report = await a.client.sync();
    expect(report.reset).toBe(true);
    const haveReq = server.requests.find((r) => r.have);
    expect(haveReq?.have?.map((h) => h.doc).sort()).toEqual([kept, lost].sort());
    expect(haveReq?.push).toBeUndefined();
    expect(server.docs.has(lost)).toBe(true); // re-pushed after need_changes
    expect((await a.repo.list()).every((i) => i.delivery === 'sent')).toBe(true);
    expect(await a.repo.getKv('epoch')).toBe(server.epoch);
    expect(await a.repo.getKv('need_have')).toBe(false);
  });

  it('reports progress as n of m documents', async () => {
    const server = new FakeServer();
    const a = await device(server);
    for (let i = 0; i < 3; i++) await a.repo.create(input({ title: `t${i}` }));
    await a.client.sync();
    expect(a.progress[0]).toEqual({ done: 0, total: 3 });
    expect(a.progress.at(-1)).toEqual({ done: 3, total: 3 });
  });

  it('two officers editing one case offline both keep their edits and see the severity conflict', async () => {
    const server = new FakeServer();
    const a = await device(server, PREFIX_A);
    const b = await device(server, PREFIX_B, 'u_team');
    const id = await a.repo.create(input({ severity: 'general' }));
    await a.client.sync();
    await b.client.sync();
    await a.repo.edit(id, { op: 'set_severity', value: 'major' });
    await a.repo.edit(id, { op: 'add_timeline', kind: 'visit', text: 'A 走访' });
    await b.repo.edit(id, { op: 'set_severity', value: 'urgent' });
    await b.repo.edit(id, { op: 'add_timeline', kind: 'note', text: 'B 记录' });
    await a.client.sync();
    await b.client.sync();
    await a.client.sync();
    for (const r of [a.repo, b.repo]) {
      const v = await r.view(id);
      expect(v?.timeline.map((e) => e.text).sort()).toEqual(['A 走访', 'B 记录']);
      expect(v?.conflicts).toEqual([{ field: 'severity', values: ['major', 'urgent'] }]);
      expect(v?.delivery).toBe('sent');
    }
  });

  it('sends a long offline history over several requests, each within the per-document limit', async () => {
    const server = new FakeServer();
    const a = await device(server, PREFIX_A, 'u_demo_officer', { changes: 3, bytes: 1e9 });
    const id = await a.repo.create(input());
    for (let i = 0; i < 7; i++) await a.repo.edit(id, { op: 'add_timeline', kind: 'note', text: `第 ${i} 次` });
    const report = await a.client.sync();
    const sizes = server.requests.filter((r) => r.push).map((r) => r.push![0].changes.length);
    expect(sizes).toEqual([3, 3, 2]);
    expect(report.pushedDocs).toBeGreaterThanOrEqual(1);
    expect((await a.repo.list())[0].delivery).toBe('sent');
    expect((await a.repo.view(id))?.timeline).toHaveLength(7);
    expect(A.getHeads(server.docs.get(id)!)).toEqual((await a.repo.changesSince(id, [])).heads);
  });
});
