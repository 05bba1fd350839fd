import { describe, expect, it } from 'vitest';
import { leaderGroups } from '../src/ui/leader-home';
import { confirmLogout } from '../src/ui/settings';
import type { Ctx } from '../src/ui/ctx';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';
import { validateInput } from '../src/model/validate';
import { textSplice } from '../src/model/case';
import { rebase } from '../src/ui/description-editor';
import type { CaseListItem } from '../src/model/types';
import { input } from './helpers';
import { overLimits } from '../src/model/limits';

const item = (over: Partial<CaseListItem>): CaseListItem => ({
  doc: Math.random().toString(), case_no: null, village: 'v', category: 'land', severity: 'general', status: 'handling',
  title: 't', reporter: 'u', reported_at: 0, deadline: null, responsible_leader: null, handler: null,
  has_conflicts: false, timeline_count: 0, delivery: 'sent', rejection: null, ...over,
});

describe('leader home order', () => {
  it('puts unacknowledged cases first with urgent at the top, then overdue, then the rest', () => {
    const now = 1_000_000;
    const urgent = item({ severity: 'urgent', status: 'reported', title: 'urgent' });
    // Overdue from 00:00 Beijing time of the day after the deadline day (src/rules/overdue.ts).
    const overdue = item({ deadline: now - 2 * 86_400_000, title: 'overdue' });
    const done = item({ deadline: now - 2 * 86_400_000, status: 'closed', title: 'closed' });
    const plain = item({ title: 'plain' });
    const newGeneral = item({ status: 'reported', title: 'new general', reported_at: 5 });
    const g = leaderGroups([plain, done, newGeneral, overdue, urgent], now);
    expect(g.attention.map((c) => c.title)).toEqual(['urgent', 'new general']);
    expect(g.overdue.map((c) => c.title)).toEqual(['overdue']);
    expect(g.other.map((c) => c.title).sort()).toEqual(['closed', 'plain']);
  });
});

describe('form checks', () => {
  it('mirror the server schema so a typo never gets a case refused', () => {
    expect(validateInput(input())).toEqual([]);
    expect(validateInput(input({ title: ' ' }))).toContain('new_need_title');
    expect(validateInput(input({ title: '长'.repeat(101) }))).toContain('new_title_too_long');
    expect(validateInput(input({ parties: [{ name: '李四', phone: 'abc', note: null }] }))).toContain('new_party_phone_invalid');
  });
});

describe('catalogue', () => {
  it('has every zh-CN key in English too and no empty strings', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [k, v] of Object.entries(zhCN)) expect(v, k).not.toBe('');
  });
});

describe('log out', () => {
  const ctxWith = (unsynced: number) => ({ worker: { call: async () => unsynced } }) as unknown as Ctx;
  it('is refused with unsynced changes unless confirmed twice, each time saying how many', async () => {
    const asked: string[] = [];
    const answers = (...a: boolean[]) => (m: string) => { asked.push(m); return a.shift() ?? false; };
    expect(await confirmLogout(ctxWith(2), answers(false))).toBe(false);
    expect(await confirmLogout(ctxWith(2), answers(true, false))).toBe(false);
    expect(await confirmLogout(ctxWith(2), answers(true, true))).toBe(true);
    expect(asked).toHaveLength(5);
    expect(asked.every((m) => m.includes('2'))).toBe(true);
  });
  it('asks once when everything is delivered', async () => {
    let n = 0;
    expect(await confirmLogout(ctxWith(0), () => { n++; return true; })).toBe(true);
    expect(n).toBe(1);
  });
});

describe('description text diffs', () => {
  it('turn an edit into one splice, never splitting an emoji', () => {
    expect(textSplice('abc', 'abc')).toBeNull();
    expect(textSplice('村民漏水', '村民屋顶漏水')).toEqual({ index: 2, del: 0, insert: '屋顶' });
    expect(textSplice('abcdef', 'abXYef')).toEqual({ index: 2, del: 2, insert: 'XY' });
    const sp = textSplice('a😀b', 'a😃b')!;
    expect('a😀b'.slice(0, sp.index) + sp.insert + 'a😀b'.slice(sp.index + sp.del)).toBe('a😃b');
    expect(sp.index).toBe(1);
  });
  it('rebase the person\'s unsent typing onto text others added meanwhile', () => {
    // saved "ABC"; others prepended "X"; meanwhile the person typed "D" at the end
    expect(rebase('ABC', 'XABC', 'ABCD')).toEqual({ text: 'XABCD', remoteAt: 0, shift: 1 });
    // others appended, the person edited the start
    expect(rebase('ABC', 'ABCZ', '_ABC').text).toBe('_ABCZ');
    // nothing typed since the save: the merged text as is
    expect(rebase('ABC', 'AXBC', 'ABC').text).toBe('AXBC');
  });
});

describe('a refused record', () => {
  it('reads as waiting for an administrator, not as failed', async () => {
    const { deliveryBadge } = await import('../src/ui/case-card');
    expect(deliveryBadge('rejected').values).toContain('等待管理员处理');
    expect(zhCN.sync_rejected).toContain('等待管理员处理');
    expect(`${zhCN.detail_badge_rejected}${zhCN.sync_rejected}`).not.toMatch(/失败|未能送达/);
  });
});

describe('product limits', () => {
  it('flag what concurrent edits took over the limit, counting characters as the server does', () => {
    const base = { description: '', resolution_plan: '', parties: [], timeline: [], attachments: [], transitions: [] };
    expect(overLimits({ ...base, description: '补'.repeat(5000) })).toEqual([]);
    // Astral characters are one character each, as in Rust's chars().count().
    expect(overLimits({ ...base, description: '𠀀'.repeat(5001), parties: new Array(60).fill({}) })).toEqual([
      { field: 'description', count: 5001, limit: 5000 },
      { field: 'parties', count: 60, limit: 50 },
    ]);
  });
});
