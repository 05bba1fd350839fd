// Petitions and visits as the PWA writes them: the shared clock refuses bad steps before they
// are written, and the documents' bytes go to sync-protocol/vectors/pwa-records.json, which the
// Rust suite reads with the server's validators (petition/read.rs, visit.rs) to prove the
// server accepts what the phone makes. Regenerate with UPDATE_FIXTURES=1.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge/slim';
import { editPetition, newPetition, summarizePetition, viewPetition } from '../src/model/petition';
import { newVisit, summarizeVisit } from '../src/model/visit';
import { ClockError, DAY_MS, dateString } from '../src/rules/petition';

const ACTOR = '0a0a0a0a0a0a0a0a' + '00000000000000b2';
const AUTHOR = { user: 'u_staff', village: '350481101' };
const T0 = Date.UTC(2026, 10, 2, 2, 0); // 2026-11-02 10:00 Beijing
const NOW = new Date(T0 + 200 * DAY_MS);
const FILE = new URL('../../sync-protocol/vectors/pwa-records.json', import.meta.url);

function petition() {
  return newPetition(ACTOR, AUTHOR, {
    village: '350481101201', source: 'reception_day', name: '王大伯', phone: '139 0000 1234', id_no: null,
    request: '要求补发后期扶持资金', received_at: T0,
  }, new Date(T0));
}

function codeOf(f: () => unknown): string {
  try { f(); } catch (e) { return e instanceof ClockError ? e.code : `not a clock error: ${String(e)}`; }
  return 'accepted';
}

describe('visit model', () => {
  it('shows the date the phone claimed when the server corrected it', () => {
    const v = newVisit(ACTOR, AUTHOR, {
      village: '350481101201', leader: '陈建国', date: T0 + 3 * 365 * DAY_MS, people_met: [], cases: [], resolved: 0, notes: '',
    }, new Date(T0 + 3 * 365 * DAY_MS));
    // What the server's sealed correction writes: the claim kept, the date in place corrected.
    const fixed = A.change(v, (d) => {
      (d as unknown as { clock_corrections: unknown[] }).clock_corrections = [
        { field: new A.ImmutableString('date'), claimed: new Date(T0 + 3 * 365 * DAY_MS), corrected: new Date(T0) },
      ];
      d.date = new Date(T0);
    });
    expect(summarizeVisit(fixed)).toMatchObject({ date: T0, claimed_date: T0 + 3 * 365 * DAY_MS });
  });
});

describe('petition model', () => {
  it('a new petition awaits a decision within 15 days', () => {
    const s = summarizePetition(petition());
    expect([s.stage, s.deadline && dateString(s.deadline.day)]).toEqual(['awaiting_decision', '2026-11-17']);
  });

  it('steps are written with the clock and a second extension is refused before it is written', () => {
    let d = editPetition(petition(), { op: 'decide', accepted: true, at: T0 + DAY_MS }, NOW);
    d = editPetition(d, { op: 'extend', at: T0 + 30 * DAY_MS, days: 30, reason: '涉及多部门' }, NOW);
    expect(codeOf(() => editPetition(d, { op: 'extend', at: T0 + 40 * DAY_MS, days: 5, reason: '再延' }, NOW))).toBe('already_extended');
    const v = viewPetition('x', d);
    expect([v.stage, v.deadline && dateString(v.deadline.day), v.extension?.days]).toEqual(['handling', '2027-02-01', 30]);
  });

  it('a review asked on day 31 after the reply is refused as late', () => {
    let d = editPetition(petition(), { op: 'decide', accepted: true, at: T0 }, NOW);
    d = editPetition(d, { op: 'reply', at: T0 + 10 * DAY_MS, text: '已答复' }, NOW);
    expect(codeOf(() => editPetition(d, { op: 'request_review', which: 'review', at: T0 + 41 * DAY_MS }, NOW))).toBe('late');
    expect(codeOf(() => editPetition(d, { op: 'request_review', which: 'review', at: T0 + 40 * DAY_MS }, NOW))).toBe('accepted');
  });

  it('the documents are byte for byte the committed vectors the Rust validators read', () => {
    let p = editPetition(petition(), { op: 'decide', accepted: true, at: T0 + DAY_MS, note: '属本机关职权' }, new Date(T0 + DAY_MS));
    p = editPetition(p, { op: 'link_case', case: '6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69' }, new Date(T0 + DAY_MS));
    const v = newVisit(ACTOR, AUTHOR, {
      village: '350481101201', leader: '陈建国', date: T0, people_met: ['王大伯', '李婶'],
      cases: ['6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69'], resolved: 1, notes: '走访移民户',
    }, new Date(T0));
    expect(summarizeVisit(v)).toMatchObject({ people: 2, found: 1, resolved: 1, claimed_date: null });
    const hex = (d: A.Doc<unknown>) => Buffer.from(A.save(d)).toString('hex');
    const now = { petition: hex(p), visit: hex(v) };
    if (process.env.UPDATE_FIXTURES || !existsSync(FILE)) writeFileSync(FILE, JSON.stringify(now, null, 1) + '\n');
    expect(now).toEqual(JSON.parse(readFileSync(FILE, 'utf8')));
  });
});
