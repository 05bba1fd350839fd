// What the service worker shows for each payload kind the server sends, and where a click leads.
import { describe, expect, it } from 'vitest';
import { notificationFor } from '../src/push-notification';

const DOC = '6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b';
const petition = (days_left: number) => ({
  v: 1, kind: 'petition_due', doc_id: DOC, stage: 'awaiting_decision', deadline: 'decide',
  date: '2028-02-29', days_left, township: '曹远镇', village: '埔头村',
});

describe('push notifications', () => {
  it('a petition reminder counts the days and opens the petition', () => {
    const n = notificationFor(petition(2));
    expect(n.title).toBe('信访事项还有2天到期');
    expect(n.options.body).toBe('曹远镇埔头村 · 受理期限 2月29日 · 待受理');
    expect(n.options.data.url).toBe(`/#/petition/${DOC}`);
    expect(n.options.tag).toBe(`anlan-petition-${DOC}`);
    expect(notificationFor(petition(0)).title).toBe('信访事项今天到期');
    expect(notificationFor(petition(-3)).title).toBe('信访事项已超期3天');
  });

  it('a case alert keeps its title, body and case screen', () => {
    const n = notificationFor({
      v: 1, kind: 'urgent', doc_id: DOC, case_no: '永安-2026-000123', township: '曹远镇', category: 'land', severity: 'urgent',
    });
    expect(n.title).toBe('紧急事件 永安-2026-000123');
    expect(n.options.body).toContain('曹远镇');
    expect(n.options.requireInteraction).toBe(true);
    expect(n.options.data.url).toBe(`/#/case/${DOC}`);
  });

  it('an unreadable payload still warns as a case alert might', () => {
    const n = notificationFor({});
    expect(n.title).toBe('紧急事件');
    expect(n.options.data.url).toBe('/#/');
  });

  it('a sweep reminder names the village and campaign and opens the home screen', () => {
    const n = notificationFor({
      v: 1, kind: 'sweep_reminder', campaign: 'c1', name: '汛前排查', village: '350481101201',
      village_name: '埔头村', deadline: Date.UTC(2028, 1, 29, 4), doc_id: DOC, days_left: 1,
    });
    expect(n.title).toBe('排查提醒');
    expect(n.options.body).toBe('埔头村尚未上报“汛前排查”，截止2月29日');
    expect(n.options.data.url).toBe('/#/');
  });

  it('an unknown kind or a newer payload version says only that something is waiting', () => {
    for (const p of [{ v: 1, kind: 'mystery', doc_id: DOC }, { ...petition(2), v: 2 }, 'text', null]) {
      const n = notificationFor(p);
      expect(n.title).toBe('安澜');
      expect(n.options.body).toBe('打开安澜查看');
      expect(n.options.data.url).toBe('/#/');
    }
  });
});
