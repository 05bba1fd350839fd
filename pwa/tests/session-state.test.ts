// What one signed-in session fetched (its village directory, its sweep campaigns and reports)
// belongs to that session's screen store: the next person on the phone never sees it, and a
// sign-out drops it, even when an answer for the old session arrives afterwards.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../src/ui/ctx';
import { villageName, villagesOf } from '../src/ui/records-common';
import { ScreenStore } from '../src/ui/screen-store';
import { forgetStoredCopies, storedCopyKey } from '../src/ui/stored-copies';
import { campaigns, launchTownships, refreshSweeps } from '../src/ui/sweep-data';

/** localStorage for node: a Map behind the Storage interface. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() { return m.size; },
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => { m.set(k, String(v)); },
    removeItem: (k) => { m.delete(k); },
    clear: () => m.clear(),
  };
}

/** A server answer held until the test lets it through. */
function held<T>() {
  let release!: (v: T) => void;
  const promise = new Promise<T>((r) => { release = r; });
  return { promise, release };
}

const village = (code: string, name: string) => ({ code, name, township: code.slice(0, 9) });
const campaign = (id: string) => ({ campaign: { id, name: id }, villages: [], reports: [] });

/** A session of `user` whose server answers with `villages` and `campaigns`. */
function session(user: string, answers: { villages: () => Promise<unknown>; campaigns: () => Promise<unknown> }) {
  let renders = 0;
  const ctx = {
    session: { user: { id: user, name: user, role: 'county_admin' } },
    api: { villages: answers.villages, campaigns: answers.campaigns },
    worker: { call: () => Promise.resolve([]) },
    cases: [],
    screens: new ScreenStore(),
    rerender: () => { renders++; },
  } as unknown as Ctx;
  return { ctx, renders: () => renders };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => { vi.stubGlobal('localStorage', memoryStorage()); });
afterEach(() => { vi.unstubAllGlobals(); });

describe('a session keeps what it fetched to itself', () => {
  it("shows the second person their own villages, never the first person's", async () => {
    const a = session('u_a', { villages: async () => [village('350481101201', '甲村')], campaigns: async () => ({ now: 1, campaigns: [] }) });
    const b = session('u_b', { villages: async () => [village('350481102201', '乙村')], campaigns: async () => ({ now: 1, campaigns: [] }) });
    villagesOf(a.ctx);
    await settle();
    expect(villagesOf(a.ctx)?.map((v) => v.name)).toEqual(['甲村']);
    expect(villageName(b.ctx, '350481101201')).toBe('350481101201'); // B's directory does not know A's village
    await settle();
    expect(villagesOf(b.ctx)?.map((v) => v.name)).toEqual(['乙村']);
    expect(villageName(a.ctx, '350481102201')).toBe('350481102201');
  });

  it("shows the second person their own campaigns, never the first person's", async () => {
    const a = session('u_a', { villages: async () => [], campaigns: async () => ({ now: 1, campaigns: [campaign('c_a')], townships: [{ code: 't_a', name: '甲镇' }] }) });
    const b = session('u_b', { villages: async () => [], campaigns: async () => ({ now: 1, campaigns: [campaign('c_b')] }) });
    refreshSweeps(a.ctx);
    await settle();
    expect(campaigns(a.ctx).map((c) => c.campaign.id)).toEqual(['c_a']);
    expect(campaigns(b.ctx)).toEqual([]);
    expect(launchTownships(b.ctx)).toEqual([]);
    refreshSweeps(b.ctx);
    await settle();
    expect(campaigns(b.ctx).map((c) => c.campaign.id)).toEqual(['c_b']);
    expect(campaigns(a.ctx).map((c) => c.campaign.id)).toEqual(['c_a']);
  });
});

describe('signing out', () => {
  it('drops the directory and the campaigns, and an answer arriving later writes nothing', async () => {
    const villages = held<unknown>();
    const list = held<unknown>();
    const a = session('u_a', { villages: () => villages.promise, campaigns: () => list.promise });
    villagesOf(a.ctx);
    refreshSweeps(a.ctx);
    a.ctx.screens.close();
    villages.release([village('350481101201', '甲村')]);
    list.release({ now: 1, campaigns: [campaign('c_a')] });
    await settle();
    expect(villagesOf(a.ctx)).toBeNull();
    expect(campaigns(a.ctx)).toEqual([]);
    expect(localStorage.getItem(storedCopyKey('villages', 'u_a'))).toBeNull();
    expect(localStorage.getItem(storedCopyKey('campaigns', 'u_a'))).toBeNull();
    expect(a.ctx.screens.peek('villages')).toBeUndefined();
  });

  it('empties a directory already loaded, and asks the server nothing more for that session', async () => {
    const asked = vi.fn(async () => [village('350481101201', '甲村')]);
    const a = session('u_a', { villages: asked, campaigns: async () => ({ now: 1, campaigns: [campaign('c_a')] }) });
    villagesOf(a.ctx);
    refreshSweeps(a.ctx);
    await settle();
    expect(villageName(a.ctx, '350481101201')).toBe('甲村');
    a.ctx.screens.close();
    expect(villageName(a.ctx, '350481101201')).toBe('350481101201');
    expect(campaigns(a.ctx)).toEqual([]);
    expect(asked).toHaveBeenCalledTimes(1);
  });

  it("erases the stored copies of every person's lists and nothing else", () => {
    localStorage.setItem(storedCopyKey('villages', 'u_a'), '[]');
    localStorage.setItem(storedCopyKey('campaigns', 'u_b'), '{}');
    localStorage.setItem('anlan.lang', 'en');
    forgetStoredCopies();
    expect(localStorage.length).toBe(1);
    expect(localStorage.getItem('anlan.lang')).toBe('en');
  });
});
