// The route table: which screen each path opens for whom, and when a screen's state is made.
import { describe, expect, it } from 'vitest';
import type { Ctx, Gate } from '../src/ui/ctx';
import { freshLogin } from '../src/ui/login';
import { matchPath, resolve, route, Router, type Screen } from '../src/ui/router';
import { ROUTES } from '../src/ui/routes';

const as = (role: string) => ({ session: { user: { id: 'u', name: 'n', role } } }) as unknown as Ctx;
const screen = (role: string, path: string) => resolve(ROUTES, as(role), path).route.path;
/** Nobody signed in: the page's sign-in form. */
const gate = (): Gate => ({ login: freshLogin(), signIn: () => undefined, rerender: () => undefined });

describe('matchPath', () => {
  it('takes a parameter from its segment, URI-decoded', () => {
    expect(matchPath('/case/:doc', '/case/a%2Fb%20c')).toEqual({ doc: 'a/b c' });
    expect(matchPath('/petitions/new', '/petitions/new')).toEqual({});
  });

  it('refuses a different segment count, an empty parameter and a malformed escape', () => {
    expect(matchPath('/case/:doc', '/case/a/b')).toBeNull();
    expect(matchPath('/case/:doc', '/case/')).toBeNull();
    expect(matchPath('/case/:doc', '/case/%E0%A4')).toBeNull();
    expect(matchPath('/petitions', '/petitions/new')).toBeNull();
  });
});

describe('ROUTES', () => {
  it('opens every screen for a county administrator', () => {
    for (const p of ['/new', '/case/:doc', '/settings', '/stats', '/map', '/petitions', '/petitions/new', '/petition/:doc', '/visits', '/visits/new']) {
      expect(screen('county_admin', p.replace(':doc', 'd1'))).toBe(p);
    }
  });

  it("sends a village officer to the home screen for a leader's screen", () => {
    for (const p of ['/stats', '/map', '/petitions', '/petitions/new', '/petition/d1', '/visits', '/visits/new']) {
      expect(screen('village_officer', p)).toBe('/');
    }
    expect(screen('village_officer', '/case/d1')).toBe('/case/:doc');
    expect(screen('village_officer', '/new')).toBe('/new');
  });

  it('gives petition staff the petitions but not the statistics', () => {
    expect(screen('petition_staff', '/petitions')).toBe('/petitions');
    expect(screen('petition_staff', '/stats')).toBe('/');
    expect(screen('petition_staff', '/map')).toBe('/');
  });

  it('shows the home screen for a path nobody knows', () => {
    expect(screen('township_leader', '/nowhere')).toBe('/');
    expect(screen('township_leader', '/')).toBe('/');
  });

  it('shows nobody signed in the sign-in screen for every path but the enrolment link', () => {
    for (const p of ['/', '/login', '/new', '/case/d1', '/settings', '/stats', '/visits/new', '/nowhere']) {
      expect(resolve(ROUTES, gate(), p).route.path).toBe('/login');
    }
    expect(resolve(ROUTES, gate(), '/enrol').route.path).toBe('/enrol');
  });

  it('closes the sign-in screens to a signed-in person: they get their home screen', () => {
    for (const role of ['village_officer', 'county_admin']) {
      expect(screen(role, '/login')).toBe('/');
      expect(screen(role, '/enrol')).toBe('/');
    }
  });

  it("fills the enrolment form from the link's phone and code, keeping what was typed otherwise", () => {
    const g = gate();
    g.login.password = 'typed before';
    const router = new Router(ROUTES);
    router.enter(g, '/enrol', new URLSearchParams('phone=13800000002&code=123456'));
    expect(g.login).toMatchObject({ mode: 'enrol', phone: '13800000002', code: '123456', password: 'typed before' });
    const other = gate();
    other.login.phone = '13900000003';
    new Router(ROUTES).enter(other, '/enrol', new URLSearchParams('code=654321'));
    expect(other.login).toMatchObject({ mode: 'enrol', phone: '13900000003', code: '654321' });
  });

  it('names each path once', () => {
    const paths = ROUTES.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
  });
});

describe('Router', () => {
  /** A table whose screens count their loads and the changes they heard of. */
  function counting() {
    const loads: string[] = [];
    const heard: (string | null)[] = [];
    const table: Screen[] = [
      route({ path: '/', load: () => { loads.push('/'); return { n: loads.length }; }, view: (_c, s) => `home ${s.n}` }),
      route({
        path: '/case/:doc',
        load: (_c, p) => { loads.push(p.doc); return { doc: p.doc }; },
        view: (_c, s) => `case ${s.doc}`,
        changed: (_c, s, doc) => { heard.push(`${s.doc}:${doc}`); },
      }),
    ];
    return { loads, heard, router: new Router(table) };
  }
  const ctx = as('county_admin');

  it("keeps a screen's state while its path stays, and makes it afresh on entering again", () => {
    const { loads, router } = counting();
    expect(router.enter(ctx, '/')).toBe(true);
    expect(router.enter(ctx, '/')).toBe(false);
    expect(router.view()).toBe('home 1');
    router.enter(ctx, '/case/x');
    expect(router.view()).toBe('case x');
    router.enter(ctx, '/');
    expect(router.view()).toBe('home 3');
    expect(loads).toEqual(['/', 'x', '/']);
  });

  it('loads the same path again after a reset (a new sign-in)', () => {
    const { loads, router } = counting();
    router.enter(ctx, '/case/x');
    router.reset();
    expect(router.view()).toBeNull();
    router.enter(ctx, '/case/x');
    expect(loads).toEqual(['x', 'x']);
  });

  it('enters the same path afresh for another visitor: a sign-in, a sign-out, the next person', () => {
    const { loads, router } = counting();
    router.enter(ctx, '/case/x');
    const next = as('county_admin');
    expect(router.enter(next, '/case/x')).toBe(true);
    expect(loads).toEqual(['x', 'x']);
  });

  it('tells only the screen shown, and only for its own session, that a document changed', () => {
    const { heard, router } = counting();
    router.changed(ctx, 'y'); // nothing shown yet
    router.enter(ctx, '/case/x');
    router.changed(ctx, 'y');
    router.enter(ctx, '/');
    router.changed(ctx, null); // the home screen has no hook
    router.enter(ctx, '/case/z');
    router.changed(as('county_admin'), 'z'); // a session that is over
    expect(heard).toEqual(['x:y']);
  });
});

describe('ScreenStore', () => {
  it('keeps a panel state per key for the session, and a new session starts empty', async () => {
    const { ScreenStore } = await import('../src/ui/screen-store');
    const a = new ScreenStore();
    const draft = a.keep('casework:d1', () => ({ note: '' }));
    draft.note = 'half typed';
    expect(a.keep('casework:d1', () => ({ note: '' })).note).toBe('half typed');
    expect(a.keep('casework:d2', () => ({ note: '' })).note).toBe('');
    expect(new ScreenStore().peek('casework:d1')).toBeUndefined();
  });

  it('forgets everything at sign-out, keeps nothing after, and runs what was left to stop', async () => {
    const { ScreenStore } = await import('../src/ui/screen-store');
    const a = new ScreenStore();
    let stopped = 0;
    a.keep('casework:d1', () => ({ note: 'half typed' }));
    a.whenClosed(() => { stopped++; });
    a.close();
    expect(a.closed).toBe(true);
    expect(stopped).toBe(1);
    expect(a.peek('casework:d1')).toBeUndefined();
    a.keep('casework:d1', () => ({ note: 'late' }));
    a.set('casework:d2', { note: 'late' });
    expect(a.peek('casework:d1')).toBeUndefined();
    expect(a.peek('casework:d2')).toBeUndefined();
  });
});
