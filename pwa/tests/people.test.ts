// The people directory: fetched when online, kept in IndexedDB for offline use, names for ids
// with the id itself as the fallback, and the picker's matching and resolving of typed text.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kvGet, type Person } from '../src/db/schema';
import {
  MAX_AGE_MS, PeopleDirectory, directory, matchPeople, nameOf, resolvePerson, startPeople, stopPeople,
} from '../src/people';
import { phone } from './helpers';

const ME: Person = { id: 'u_demo_leader', name: '陈建国', role: 'township_leader', unit_code: '350481101', unit_name: '曹远镇' };
const PEOPLE: Person[] = [
  ME,
  { id: 'u_demo_officer', name: '林秀英', role: 'village_officer', unit_code: '350481101201', unit_name: '埔头村' },
  { id: 'u_staff', name: '林建华', role: 'township_staff', unit_code: '350481101', unit_name: '曹远镇' },
  { id: 'u_county', name: '王志明', role: 'county_admin', unit_code: '350481', unit_name: '永安市' },
];

/** A fetcher that answers like the server, or fails like a phone with no signal. */
function server(people = PEOPLE) {
  const s = { calls: 0, offline: false };
  const fetcher = async () => {
    s.calls++;
    if (s.offline) throw new TypeError('Failed to fetch');
    return people;
  };
  return { s, fetcher };
}

describe('the people directory', () => {
  it('knows the signed-in person and falls back to the id for anyone else before any fetch', async () => {
    const { db } = await phone();
    const d = new PeopleDirectory(db, ME, server().fetcher);
    await d.load();
    expect(d.nameOf('u_demo_leader')).toBe('陈建国');
    expect(d.nameOf('u_demo_officer')).toBe('u_demo_officer');
  });

  it('fetches online, and a later start with no signal still has every name from IndexedDB', async () => {
    const { db } = await phone();
    const online = server();
    const first = new PeopleDirectory(db, ME, online.fetcher);
    await first.load();
    expect(await first.refresh(1_000)).toBe(true);
    expect(first.nameOf('u_demo_officer')).toBe('林秀英');
    expect((await kvGet(db, 'people'))?.people).toHaveLength(4);

    const offline = server();
    offline.s.offline = true;
    const again = new PeopleDirectory(db, ME, offline.fetcher);
    await again.load();
    // Stale by now, so it tries, fails, and keeps the copy it has.
    expect(await again.refresh(1_000 + MAX_AGE_MS + 1)).toBe(false);
    expect(offline.s.calls).toBe(1);
    expect(again.nameOf('u_demo_officer')).toBe('林秀英');
    expect(again.nameOf('u_gone')).toBe('u_gone');
    expect((await kvGet(db, 'people'))?.fetched_at).toBe(1_000);
  });

  it('fetches at most once per MAX_AGE_MS unless forced', async () => {
    const { db } = await phone();
    const { s, fetcher } = server();
    const d = new PeopleDirectory(db, ME, fetcher);
    await d.refresh(0 + 1);
    await d.refresh(MAX_AGE_MS - 1);
    expect(s.calls).toBe(1);
    await d.refresh(MAX_AGE_MS + 2);
    expect(s.calls).toBe(2);
    await d.refresh(MAX_AGE_MS + 3, true);
    expect(s.calls).toBe(3);
  });

  it('ignores a copy kept for another person who used this phone', async () => {
    const { db } = await phone();
    await new PeopleDirectory(db, ME, server().fetcher).refresh(5);
    const other: Person = { ...PEOPLE[1] };
    const d = new PeopleDirectory(db, other, server([other]).fetcher);
    await d.load();
    expect(d.fetchedAt).toBe(0);
    expect(d.nameOf('u_county')).toBe('u_county');
  });

  it('writes nothing once stopped, though the fetch was already on its way (a sign-out)', async () => {
    const { db } = await phone();
    let answer!: (p: Person[]) => void;
    const d = new PeopleDirectory(db, ME, () => new Promise((r) => { answer = r; }));
    const asked = d.refresh(1_000);
    d.stop();
    answer(PEOPLE);
    expect(await asked).toBe(false);
    expect(await kvGet(db, 'people')).toBeUndefined();
    expect(d.nameOf('u_demo_officer')).toBe('u_demo_officer');
  });

  it('asks again for an unknown id only after MISS_RETRY_MS', async () => {
    const { db } = await phone();
    const d = new PeopleDirectory(db, ME, server().fetcher);
    await d.refresh(1_000_000);
    expect(d.shouldRetryMiss('u_demo_officer', 1_000_001)).toBe(false); // known
    expect(d.shouldRetryMiss('u_new', 1_000_001)).toBe(false); // just fetched
    expect(d.shouldRetryMiss('u_new', 1_000_000 + 11 * 60_000)).toBe(true);
  });
});

describe('the page-wide nameOf', () => {
  afterEach(() => {
    stopPeople();
    vi.unstubAllGlobals();
  });

  it('shows names from the kept copy when the app starts offline', async () => {
    vi.stubGlobal('window', new EventTarget());
    vi.stubGlobal('navigator', { onLine: false });
    const { db } = await phone();
    await new PeopleDirectory(db, ME, server().fetcher).refresh(Date.now());
    expect(nameOf('u_demo_officer')).toBe('u_demo_officer'); // no session yet
    const offline = server();
    offline.s.offline = true;
    let renders = 0;
    await startPeople(db, ME, offline.fetcher, () => renders++);
    expect(nameOf('u_demo_officer')).toBe('林秀英');
    expect(nameOf('u_unknown')).toBe('u_unknown');
    expect(nameOf(null)).toBe('');
    expect(renders).toBeGreaterThan(0);
    expect(offline.s.calls).toBe(0); // offline: not even tried
    stopPeople();
    expect(directory()).toBeNull();
    expect(nameOf('u_demo_officer')).toBe('u_demo_officer');
  });

  it('fetches on start when online and the copy is missing', async () => {
    vi.stubGlobal('window', new EventTarget());
    vi.stubGlobal('navigator', { onLine: true });
    const { db } = await phone();
    const { s, fetcher } = server();
    const changed = new Promise<void>((resolve) => void startPeople(db, ME, fetcher, () => { if (s.calls) resolve(); }));
    await changed;
    await vi.waitFor(() => expect(nameOf('u_county')).toBe('王志明'));
  });
});

describe('choosing a person', () => {
  it('lists leaders first for 包案领导 and filters by part of a name', () => {
    expect(matchPeople(PEOPLE, '', true).map((p) => p.id)).toEqual(['u_demo_leader', 'u_county', 'u_staff', 'u_demo_officer']);
    // Same score: the township's own people before its villages'.
    expect(matchPeople(PEOPLE, '林', false).map((p) => p.name)).toEqual(['林建华', '林秀英']);
    // A name starting with the text beats one merely containing it, even a leader's.
    expect(matchPeople(PEOPLE, '建', true).map((p) => p.name)).toEqual(['陈建国', '林建华']);
    expect(matchPeople(PEOPLE, '秀英', false).map((p) => p.id)).toEqual(['u_demo_officer']);
    expect(matchPeople(PEOPLE, '埔头', false).map((p) => p.id)).toEqual(['u_demo_officer']);
    expect(matchPeople(PEOPLE, '', false, 2)).toHaveLength(2);
  });

  it('resolves typed text: an id as such, a unique name to its id, an unknown id as typed, never a name', () => {
    expect(resolvePerson(PEOPLE, ' u_demo_officer ')).toBe('u_demo_officer');
    expect(resolvePerson(PEOPLE, '林秀英')).toBe('u_demo_officer');
    expect(resolvePerson(PEOPLE, 'u_not_listed_yet')).toBe('u_not_listed_yet');
    expect(resolvePerson([...PEOPLE, { ...PEOPLE[1], id: 'u_twin' }], '林秀英')).toBeUndefined();
    expect(resolvePerson(PEOPLE, '张三')).toBeUndefined(); // a name nobody has is no id
    expect(resolvePerson(PEOPLE, '  ')).toBeNull();
  });
});
