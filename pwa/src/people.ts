// The people directory: the names behind the user ids a case holds (reporter, responsible
// leader, handler, who wrote each entry) and whom a case can be assigned to. Fetched from
// `GET /api/v1/people` when online — at sign-in, then when older than a few hours — and kept in
// IndexedDB so names still show with no signal. An id nobody lists shows as itself.
import type { Api } from './api';
import { kvGet, kvSet, type Db, type PeopleCache, type Person } from './db/schema';
import { leaderChoiceOrder } from './rules/roles';

/** A directory changes when an administrator imports a roster: hours old is fresh enough. */
export const MAX_AGE_MS = 3 * 3600_000;
/** An id the directory does not know asks for a fresh copy, but no more often than this. */
export const MISS_RETRY_MS = 10 * 60_000;

export type PeopleFetcher = () => Promise<Person[]>;

export function httpPeople(api: Api): PeopleFetcher {
  return () => api.people();
}

export class PeopleDirectory {
  private byId = new Map<string, Person>();
  private list: Person[] = [];
  private inflight: Promise<boolean> | null = null;
  /** Signed out: a fetch still on its way must not write this person's directory back into
   *  the database the sign-out just erased. */
  private stopped = false;
  /** When the cached copy was fetched; 0 when there is none for this person. */
  fetchedAt = 0;
  private lastAttempt = 0;

  constructor(
    private db: Db,
    /** The signed-in person: known by name even before any directory arrives. */
    private me: Person,
    private fetcher: PeopleFetcher,
  ) {
    this.index([]);
  }

  /** Read the copy kept on the phone, if it is this person's. */
  async load(): Promise<void> {
    const c = await kvGet(this.db, 'people');
    if (c && c.user === this.me.id) {
      this.fetchedAt = c.fetched_at;
      this.index(c.people);
    }
  }

  /** Fetch a new copy when the one kept is older than `MAX_AGE_MS` (or `force`). Failing —
   *  offline, server down — keeps the copy there is. True when the directory changed. */
  refresh(now = Date.now(), force = false): Promise<boolean> {
    if (!force && this.fetchedAt && now - this.fetchedAt < MAX_AGE_MS) return Promise.resolve(false);
    this.inflight ??= this.fetchNow(now).finally(() => { this.inflight = null; });
    return this.inflight;
  }

  private async fetchNow(now: number): Promise<boolean> {
    this.lastAttempt = now;
    let people: Person[];
    try {
      people = await this.fetcher();
    } catch {
      return false;
    }
    if (this.stopped) return false;
    const cache: PeopleCache = { user: this.me.id, fetched_at: now, people };
    await kvSet(this.db, 'people', cache);
    this.fetchedAt = now;
    this.index(people);
    return true;
  }

  /** Sign-out: what arrives from now on is dropped. */
  stop(): void {
    this.stopped = true;
  }

  private index(people: Person[]): void {
    this.list = people;
    this.byId = new Map(people.map((p) => [p.id, p]));
    if (!this.byId.has(this.me.id)) this.byId.set(this.me.id, this.me);
  }

  get(id: string): Person | undefined {
    return this.byId.get(id);
  }

  nameOf(id: string): string {
    return this.byId.get(id)?.name ?? id;
  }

  /** Whether an unknown id is worth a fresh fetch now (someone added since the last one). */
  shouldRetryMiss(id: string, now = Date.now()): boolean {
    return !!id && !this.byId.has(id) && now - this.lastAttempt > MISS_RETRY_MS;
  }

  all(): Person[] {
    return this.list.length ? this.list : [this.me];
  }
}

const rankOf = (p: Person) => leaderChoiceOrder(p.role);

/** People whose name, id or unit contains `query`, best first, at most `limit`. */
export function matchPeople(people: Person[], query: string, leadersFirst: boolean, limit = 8): Person[] {
  const q = query.trim().toLowerCase();
  const hit = (p: Person) => !q || [p.name, p.id, p.unit_name].some((s) => s.toLowerCase().includes(q));
  // A name that starts with what was typed beats one that merely contains it.
  const score = (p: Person) => (q && p.name.toLowerCase().startsWith(q) ? 0 : 1) + (leadersFirst ? rankOf(p) * 2 : 0);
  // Unit codes nest (a township's code prefixes its villages'): the township's own people first.
  const byUnit = (a: Person, b: Person) => a.unit_code.length - b.unit_code.length || a.unit_code.localeCompare(b.unit_code);
  return people.filter(hit).sort((a, b) => score(a) - score(b) || byUnit(a, b) || a.name.localeCompare(b.name, 'zh-CN'))
    .slice(0, limit);
}

/** What a typed text means as a user id: an id as such; else the one person of that exact
 *  name; else, if it looks like an id, an id this phone's directory does not list yet. A name
 *  two people share, or one nobody has, means nothing: `undefined`, so the person must choose. */
export function resolvePerson(people: Person[], typed: string): string | null | undefined {
  const s = typed.trim();
  if (!s) return null;
  if (people.some((p) => p.id === s)) return s;
  const named = people.filter((p) => p.name === s);
  if (named.length === 1) return named[0].id;
  return named.length === 0 && ID_LIKE.test(s) ? s : undefined;
}
const ID_LIKE = /^[A-Za-z0-9_.:@-]{1,64}$/;

// The page's directory, one per signed-in session: main.ts starts it at sign-in and stops it at
// sign-out (before the database is erased), so these module variables never outlive a session
// and `nameOf` needs no ctx in the many places that show a name.
let current: PeopleDirectory | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let onChange: () => void = () => {};
const onOnline = () => void current?.refresh().then((changed) => changed && onChange());

export function directory(): PeopleDirectory | null {
  return current;
}

/** The name to show for a user id; the id itself when nobody on this phone knows it. */
export function nameOf(id: string | null | undefined): string {
  if (!id) return '';
  const d = current;
  if (!d) return id;
  if (d.shouldRetryMiss(id) && navigator.onLine) void d.refresh(Date.now(), true).then((changed) => changed && onChange());
  return d.nameOf(id);
}

export async function startPeople(db: Db, me: Person, fetcher: PeopleFetcher, rerender: () => void): Promise<void> {
  stopPeople();
  const d = new PeopleDirectory(db, me, fetcher);
  current = d;
  onChange = rerender;
  await d.load();
  if (current !== d) return; // signed out meanwhile
  rerender();
  if (navigator.onLine) void d.refresh().then((changed) => changed && rerender());
  // Hourly look: fetches only once the copy is MAX_AGE_MS old.
  timer = setInterval(() => { if (navigator.onLine) onOnline(); }, 3600_000);
  window.addEventListener('online', onOnline);
}

export function stopPeople(): void {
  if (timer) clearInterval(timer);
  timer = null;
  window.removeEventListener('online', onOnline);
  current?.stop();
  current = null;
}
