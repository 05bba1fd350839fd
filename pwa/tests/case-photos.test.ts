// Photos added to a case already recorded (补充照片) and mediation agreements: the attachment
// lands in the document and in the blobs store as `local`, linked to the case, so the uploader
// sends it once the case's change has synced; a failed write leaves no orphan behind.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { countUnsynced } from '../src/db/schema';
import { MAX_ATTACHMENTS } from '../src/model/case';
import { attachToCase, pendingUploads } from '../src/photos/store';
import { input, phone } from './helpers';

function photo(seed: number) {
  const bytes = Uint8Array.from({ length: 2048 }, (_, i) => (i * 31 + seed) & 0xff);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), mime: 'image/jpeg', size: bytes.length, bytes };
}
const att = ({ sha256, mime, size }: ReturnType<typeof photo>) => ({ sha256, mime, size });

describe('adding a photo to an existing case', () => {
  it('puts it in the document and keeps it on the phone as local, linked to the case', async () => {
    const { db, repo } = await phone();
    const doc = await repo.create(input());
    const p = photo(1);
    await attachToCase(db, doc, p, () => repo.edit(doc, { op: 'add_attachment', attachment: att(p) }));

    const view = await repo.view(doc);
    expect(view!.attachments).toEqual([att(p)]);
    const rec = await db.get('blobs', p.sha256);
    expect(rec).toMatchObject({ state: 'local', docs: [doc], size: 2048 });
    expect(Buffer.compare(Buffer.from(rec!.bytes), Buffer.from(p.bytes))).toBe(0);
    expect((await pendingUploads(db)).map((r) => r.sha256)).toEqual([p.sha256]);
    // The case's change and the photo are both unsent: logout warns about both.
    expect(await countUnsynced(db)).toBe(2);
  });

  it('adding the same photo twice lists it once', async () => {
    const { db, repo } = await phone();
    const doc = await repo.create(input());
    const p = photo(2);
    const add = () => repo.edit(doc, { op: 'add_attachment', attachment: att(p) });
    await attachToCase(db, doc, p, add);
    await attachToCase(db, doc, p, add);
    expect((await repo.view(doc))!.attachments).toHaveLength(1);
    expect((await db.get('blobs', p.sha256))!.docs).toEqual([doc]);
  });

  it('records a mediation whose agreement is the photo, in one change', async () => {
    const { db, repo } = await phone();
    const doc = await repo.create(input());
    const p = photo(3);
    await attachToCase(db, doc, p, () =>
      repo.edit(doc, { op: 'record_mediation', text: '双方签订调解协议，补偿3000元', attachment: att(p) }));

    const view = (await repo.view(doc))!;
    const entry = view.timeline.find((e) => e.kind === 'mediation')!;
    expect(entry.text).toBe('双方签订调解协议，补偿3000元');
    expect(entry.by).toBe('u_demo_officer');
    expect(view.agreements).toEqual([{ entry: entry.id, sha256: p.sha256 }]);
    expect(view.attachments).toEqual([att(p)]);
    expect((await db.get('blobs', p.sha256))!.state).toBe('local');
  });

  it('records a mediation without an agreement as a plain entry', async () => {
    const { repo } = await phone();
    const doc = await repo.create(input());
    await repo.edit(doc, { op: 'record_mediation', text: '调解未成，择日再谈', attachment: null });
    const view = (await repo.view(doc))!;
    expect(view.timeline.map((e) => e.kind)).toEqual(['mediation']);
    expect(view.agreements).toEqual([]);
    expect(view.attachments).toEqual([]);
  });

  it('a write that fails takes back the photo it kept, leaving nothing to upload', async () => {
    const { db, repo } = await phone();
    const p = photo(4);
    await expect(attachToCase(db, 'no-such-case', p, () =>
      repo.edit('no-such-case', { op: 'add_attachment', attachment: att(p) }))).rejects.toThrow(/no such document/);
    expect(await db.get('blobs', p.sha256)).toBeUndefined();
    expect(await countUnsynced(db)).toBe(0);
  });

  it('refuses a photo beyond the schema\'s 50 and leaves the case unchanged', async () => {
    const { repo } = await phone();
    const doc = await repo.create(input({ attachments: Array.from({ length: MAX_ATTACHMENTS }, (_, i) => att(photo(100 + i))) }));
    const before = (await repo.view(doc))!.heads;
    await expect(repo.edit(doc, { op: 'add_attachment', attachment: att(photo(9)) })).rejects.toThrow(/at most 50/);
    const after = (await repo.view(doc))!;
    expect(after.heads).toEqual(before);
    expect(after.attachments).toHaveLength(MAX_ATTACHMENTS);
  });
});
