import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../src/api/types';
import { describeChange, whoLabel } from '../src/ui/history';

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  seq: 1, received_at: 0, change_time: null, hash: 'h1', actor: 'a1', server: false, user: null, device: null, fields: [], ...over,
});

describe('change history', () => {
  it('names fields and enum values in words, and blanks as empty', () => {
    expect(describeChange({ field: 'severity', old: 'major', new: 'general' })).toEqual({ label: '轻重缓急', old: '较大', new: '一般' });
    expect(describeChange({ field: 'responsible_leader', old: null, new: 'u_1' })).toEqual({ label: '包案领导', old: '（空）', new: 'u_1' });
    expect(describeChange({ field: 'timeline', old: null, new: 'added entry 1: visit · u_1: 走访' }).label).toBe('跟进记录');
    expect(describeChange({ field: 'odd_field', old: '1', new: '2' }).label).toBe('odd_field');
  });

  it('shows a person with their device, and the server as the server', () => {
    const user = { id: 'u_1', name: '林秀英', role: 'village_officer' };
    expect(whoLabel(entry({ user, device: { id: 3, label: '红米' } }))).toBe('林秀英 · 红米');
    expect(whoLabel(entry({ server: true }))).toBe('系统（服务器）');
  });
});
