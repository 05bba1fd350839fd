// Against a real `anlan serve --demo` at ANLAN_URL. Run by the e2e runner through
// vitest.e2e.config.ts; `npm test` does not include it, so it needs no server.
import { describe, expect, it } from 'vitest';
import { SyncClient } from '../src/sync/client';
import { HttpTransport } from '../src/sync/transport';
import { input, phone } from './helpers';

const URL_ = process.env.ANLAN_URL;

async function session(token: string) {
  const res = await fetch(`${URL_}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` } });
  return (await res.json()) as { user: { id: string }; unit: { code: string }; device: { actor_prefix: string } };
}

if (!URL_) throw new Error('set ANLAN_URL to a running `anlan serve --demo`');

describe('against the real server', () => {
  it('an officer case pushed with the PWA client reaches the leader, and the leader\'s ack comes back', async () => {
    const so = await session('anlan-demo-officer');
    const officer = await phone(so.device.actor_prefix, so.user.id, so.unit.code);
    const oc = new SyncClient(officer.repo, new HttpTransport(URL_!, () => 'anlan-demo-officer'));
    const id = await officer.repo.create(input({ title: '集成测试：土地纠纷', severity: 'urgent', location: { lat: 25.94, lon: 117.37, accuracy_m: 15 } }));
    const r1 = await oc.sync();
    const [item] = (await officer.repo.list()).filter((i) => i.doc === id);
    expect(item.rejection, JSON.stringify(item.rejection)).toBeNull();
    expect(r1.pushedDocs).toBe(1);
    expect(item.delivery).toBe('sent');

    const cases = await (await fetch(`${URL_}/api/v1/cases`, { headers: { Authorization: 'Bearer anlan-demo-leader' } })).json();
    const list = Array.isArray(cases) ? cases : cases.cases ?? cases.items;
    expect(list.some((c: { doc: string }) => c.doc === id)).toBe(true);

    const sl = await session('anlan-demo-leader');
    const leader = await phone(sl.device.actor_prefix, sl.user.id, sl.unit.code);
    const lc = new SyncClient(leader.repo, new HttpTransport(URL_!, () => 'anlan-demo-leader'));
    await lc.sync();
    const seen = await leader.repo.view(id);
    expect(seen?.title).toBe('集成测试：土地纠纷');
    await leader.repo.edit(id, { op: 'acknowledge', text: '已受理' });
    await leader.repo.edit(id, { op: 'assign', responsible_leader: 'u_demo_leader', handler: 'u_demo_officer', deadline: Date.now() + 86400e3, text: '包案' });
    const r2 = await lc.sync();
    expect(r2.rejected).toBe(0);
    expect((await leader.repo.view(id))?.delivery).toBe('sent');

    await oc.sync();
    const back = await officer.repo.view(id);
    expect(back?.status).toBe('acknowledged');
    expect(back?.case_no).toBeTruthy(); // the server's number arrives through the feed
  });
});
