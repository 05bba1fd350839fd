import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge/slim';
import { DocRepo } from '../src/db/repo';
import { DB_VERSION, kvGet, kvSet, openAnlanDb } from '../src/db/schema';
import { newActor } from '../src/model/ids';
import { input, phone, PREFIX_A } from './helpers';

describe('storage', () => {
  it('creates every store at the current version', async () => {
    const { db } = await phone();
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['blobs', 'docs', 'kv', 'meta']);
    await kvSet(db, 'cursor', 12);
    expect(await kvGet(db, 'cursor')).toBe(12);
  });

  it('stores a new case with the exact Automerge types the server validates', async () => {
    const { db, repo } = await phone();
    const id = await repo.create(input({ location: { lat: 25.9, lon: 117.3, accuracy_m: 12 } }));
    const doc = A.load<any>((await db.get('docs', id))!);
    expect(doc.schema_version).toBe(1);
    for (const k of ['kind', 'village', 'category', 'severity', 'status', 'title', 'reporter']) {
      expect(doc[k], k).toBeInstanceOf(A.ImmutableString);
    }
    expect(typeof doc.description).toBe('string'); // collaborative Text
    expect(doc.reported_at).toBeInstanceOf(Date);
    expect(doc.status.val).toBe('reported');
    expect(doc.reporter.val).toBe('u_demo_officer');
    expect(doc.parties[0].name).toBeInstanceOf(A.ImmutableString);
    expect(doc.parties[0].phone.val).toBe('138 0000 0000');
    expect('note' in doc.parties[0]).toBe(false);
    expect(doc.timeline).toEqual([]);
    expect(doc.attachments).toEqual([]);
    expect(doc.responsible_leader).toBeNull();
    expect(doc.handler).toBeNull();
    expect(doc.deadline).toBeNull();
    expect(doc.location).toEqual({ lat: 25.9, lon: 117.3, accuracy_m: 12 });
    expect(doc.case_no).toBeUndefined();
  });

  it('lists a new case as only on this phone until the server acknowledges it', async () => {
    const { repo } = await phone();
    const id = await repo.create(input());
    let [item] = await repo.list();
    expect(item).toMatchObject({ doc: id, delivery: 'local', title: '村口土地边界纠纷', severity: 'major' });
    expect(await repo.pendingCount()).toBe(1);
    const { heads } = await repo.changesSince(id, []);
    await repo.setAcked(id, heads);
    [item] = await repo.list();
    expect(item.delivery).toBe('sent');
    expect(await repo.pendingCount()).toBe(0);
  });

  it('counts photos not yet uploaded as unsynced: logging out would lose them', async () => {
    const { db, repo } = await phone();
    const id = await repo.create(input());
    const { heads } = await repo.changesSince(id, []);
    await repo.setAcked(id, heads);
    expect(await repo.unsyncedCount()).toBe(0);
    const photo = { sha256: 'e'.repeat(64), mime: 'image/jpeg', size: 1, bytes: new Uint8Array([1]), docs: [id], created_at: 0 };
    await db.put('blobs', { ...photo, state: 'local' });
    expect(await repo.unsyncedCount()).toBe(1);
    await db.put('blobs', { ...photo, state: 'uploaded' });
    expect(await repo.unsyncedCount()).toBe(0);
  });

  it('writes timeline entries, statuses and assignments with typed values', async () => {
    const { db, repo } = await phone();
    const id = await repo.create(input());
    await repo.edit(id, { op: 'add_timeline', kind: 'visit', text: '上门走访' });
    await repo.edit(id, { op: 'acknowledge', text: '已受理' });
    await repo.edit(id, { op: 'assign', responsible_leader: 'u_demo_leader', handler: 'u_x', deadline: Date.UTC(2026, 11, 31), text: 'x' });
    const doc = A.load<any>((await db.get('docs', id))!);
    expect(doc.timeline).toHaveLength(3);
    expect(doc.timeline[0].kind.val).toBe('visit');
    expect(doc.timeline[0].at).toBeInstanceOf(Date);
    expect(doc.timeline[0].text).toBeInstanceOf(A.ImmutableString);
    expect(doc.status.val).toBe('acknowledged');
    expect(doc.responsible_leader.val).toBe('u_demo_leader');
    expect(doc.deadline).toBeInstanceOf(Date);
    const view = await repo.view(id);
    expect(view?.timeline.map((e) => e.kind)).toEqual(['visit', 'status', 'note']);
  });

  it('keeps both tabs\' edits when two sessions change the same case', async () => {
    const { db, repo } = await phone();
    const id = await repo.create(input());
    const tab2 = new DocRepo(db, newActor(PREFIX_A), { user: 'u_demo_officer', village: '350481101201' });
    await repo.edit(id, { op: 'add_timeline', kind: 'note', text: 'tab 1' });
    await tab2.edit(id, { op: 'add_timeline', kind: 'note', text: 'tab 2' });
    await repo.edit(id, { op: 'add_timeline', kind: 'note', text: 'tab 1 again' });
    const v = await repo.view(id);
    expect(v?.timeline.map((e) => e.text)).toEqual(['tab 1', 'tab 2', 'tab 1 again']);
  });

  it('survives reopening the database (a reload)', async () => {
    const { db, name, repo } = await phone();
    const id = await repo.create(input());
    db.close();
    const db2 = await openAnlanDb(name);
    const again = new DocRepo(db2, newActor(PREFIX_A), { user: 'u_demo_officer', village: '350481101201' });
    expect((await again.view(id))?.title).toBe('村口土地边界纠纷');
    expect((await again.list())[0].delivery).toBe('local');
  });

  it('shows concurrent values of a field side by side and lets a person pick one', async () => {
    const a = await phone();
    const id = await a.repo.create(input({ severity: 'general' }));
    const b = await phone('0b0b0b0b0b0b0b0b', 'u_other');
    await b.repo.applyPull(id, (await a.repo.changesSince(id, [])).changes);
    await a.repo.edit(id, { op: 'set_severity', value: 'major' });
    await b.repo.edit(id, { op: 'set_severity', value: 'urgent' });
    await a.repo.applyPull(id, (await b.repo.changesSince(id, [])).changes);
    const v = await a.repo.view(id);
    expect(v?.conflicts).toEqual([{ field: 'severity', values: ['major', 'urgent'] }]);
    expect((await a.repo.list())[0].has_conflicts).toBe(true);
    await a.repo.edit(id, { op: 'pick', field: 'severity', value: 'urgent' });
    const after = await a.repo.view(id);
    expect(after?.conflicts).toEqual([]);
    expect(after?.severity).toBe('urgent');
  });

  it('a description edit made against an older text keeps the other person\'s concurrent edit', async () => {
    const a = await phone();
    const id = await a.repo.create(input({ description: '村民反映屋顶漏水。' }));
    const seen = (await a.repo.view(id))!; // what the officer's textarea started from
    // Someone else's edit arrives (merged via a pull) before the officer's save.
    const b = await phone('0b0b0b0b0b0b0b0b', 'u_other');
    await b.repo.applyPull(id, (await a.repo.changesSince(id, [])).changes);
    await b.repo.edit(id, { op: 'splice_description', base: seen.heads, index: 0, del: 0, insert: '【镇里已知悉】' });
    await a.repo.applyPull(id, (await b.repo.changesSince(id, [])).changes);
    // The officer appended at the end of the text they saw.
    await a.repo.edit(id, { op: 'splice_description', base: seen.heads, index: seen.description.length, del: 0, insert: '十户受影响。' });
    expect((await a.repo.view(id))?.description).toBe('【镇里已知悉】村民反映屋顶漏水。十户受影响。');
    // And an insertion in the middle lands after the same character it followed.
    await a.repo.edit(id, { op: 'splice_description', base: seen.heads, index: 2, del: 0, insert: '（三组）' });
    expect((await a.repo.view(id))?.description).toBe('【镇里已知悉】村民（三组）反映屋顶漏水。十户受影响。');
  });
});
