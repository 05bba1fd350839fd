// Records of other kinds through the repository, as the worker's messages carry them: each
// list is typed by its kind, and an edit meant for one kind is refused on a document of another.
import { describe, expect, it } from 'vitest';
import { detailOf, itemsOf, PETITION_KIND, VISIT_KIND } from '../src/model/record-kinds';
import { phone } from './helpers';

const DAY = 86_400_000;
const petition = {
  village: '350481101201', source: 'visit' as const, name: '王大伯', phone: null, id_no: null,
  request: '要求补发后期扶持资金', received_at: Date.now() - DAY,
};
const visit = {
  village: '350481101201', leader: '陈建国', date: Date.now() - DAY, people_met: ['王大伯'], cases: [], resolved: 0, notes: '',
};

describe('records by kind', () => {
  it('lists each kind apart, with its own summary', async () => {
    const { repo } = await phone();
    const p = await repo.createRecord(PETITION_KIND, petition);
    const v = await repo.createRecord(VISIT_KIND, visit);
    const petitions = await repo.listRecords(PETITION_KIND);
    expect(petitions.map((r) => [r.doc, r.kind, r.summary.name])).toEqual([[p, 'petition', '王大伯']]);
    const visits = await repo.listRecords(VISIT_KIND);
    expect(visits.map((r) => [r.doc, r.kind, r.summary.leader])).toEqual([[v, 'visit', '陈建国']]);
    expect(itemsOf(VISIT_KIND, [...petitions, ...visits]).map((r) => r.doc)).toEqual([v]);
  });

  it('refuses an edit for another kind and leaves the document as it was', async () => {
    const { repo } = await phone();
    const p = await repo.createRecord(PETITION_KIND, petition);
    const before = await repo.viewRecord(p);
    await expect(repo.editRecord(p, { kind: VISIT_KIND, edit: { op: 'notes', text: 'x' } }))
      .rejects.toThrow(`document ${p} is a petition, not a visit`);
    expect((await repo.viewRecord(p))?.heads).toEqual(before?.heads);
    expect(detailOf(VISIT_KIND, before)).toBeNull();
    expect(detailOf(PETITION_KIND, before)?.view.request).toBe('要求补发后期扶持资金');
  });

  it('applies an edit for the kind it names', async () => {
    const { repo } = await phone();
    const v = await repo.createRecord(VISIT_KIND, visit);
    expect(await repo.editRecord(v, { kind: VISIT_KIND, edit: { op: 'resolved', n: 2 } })).toBe(true);
    expect(detailOf(VISIT_KIND, await repo.viewRecord(v))?.view.resolved).toBe(2);
  });
});
