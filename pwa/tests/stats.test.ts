import { describe, expect, it } from 'vitest';
import type { Breakdown } from '../src/api/types';
import { bars, monthRange, statsQuery } from '../src/ui/stats';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';

describe('statistics periods', () => {
  it('are Beijing calendar months, whatever the phone clock zone', () => {
    // 2026-11-30T16:30Z is already 1 December in Beijing.
    const now = Date.UTC(2026, 10, 30, 16, 30);
    expect(monthRange(now, 0)).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(monthRange(now, -1)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(monthRange(now - 3600_000, 0)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });

  it('cross year ends and know February', () => {
    const jan = Date.UTC(2025, 0, 15);
    expect(monthRange(jan, -1)).toEqual({ from: '2024-12-01', to: '2024-12-31' });
    expect(monthRange(Date.UTC(2024, 2, 10), -1)).toEqual({ from: '2024-02-01', to: '2024-02-29' });
  });

  it('become the query the server validates', () => {
    expect(statsQuery({ from: '2025-03-01', to: '2025-03-31', unit: '' })).toBe('from=2025-03-01&to=2025-03-31');
    expect(statsQuery({ from: '2025-03-01', to: '2025-03-31', unit: '350481101201' })).toBe('from=2025-03-01&to=2025-03-31&unit=350481101201');
  });
});

describe('bar charts', () => {
  const line = (key: string, found: number, resolved: number, overdue = 0): Breakdown => ({ key, label: key, found, resolved, overdue });

  it('scale to the largest count and leave out empty lines', () => {
    const b = bars([line('land', 4, 2), line('rights', 0, 0), line('family', 1, 8), line('other', 0, 0, 1)], 160);
    expect(b.map((l) => [l.key, l.foundW, l.resolvedW])).toEqual([['land', 80, 40], ['family', 20, 160], ['other', 0, 0]]);
    expect(bars([line('land', 0, 0)], 160)).toEqual([]);
  });

  it('have every label in both languages', () => {
    const keys = Object.keys(zhCN).filter((k) => k.startsWith('stats_'));
    expect(keys.length).toBeGreaterThan(20);
    for (const k of keys) expect(en[k as keyof typeof en]).toBeTruthy();
  });
});
