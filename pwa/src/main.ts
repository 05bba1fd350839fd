// Wiring: storage, worker, sync status, routing and screens meet here and nowhere else.
import { setPageClockOffset } from './ui/page-clock';
import { html, render } from 'lit-html';
import { refreshAlerts } from './push';
import { Api, API_BASE } from './api';
import { countUnsynced, kvGet, kvSet, openAnlanDb, type Db, type Session } from './db/schema';
import { setLang, t, type Lang } from './i18n';
import type { CaseListItem } from './model/types';
import { serverCasesIfFresh, shownCases } from './first-load';
import { HttpError } from './api/http';
import { isOnline, type Ctx, type Gate } from './ui/ctx';
import { freshLogin, type LoginState } from './ui/login';
import { adoptStaticLogin } from './ui/static-login';
import { Router } from './ui/router';
import { ROUTES } from './ui/routes';
import { ScreenStore } from './ui/screen-store';
import { forgetStoredCopies } from './ui/stored-copies';
import { startPhotos, stopPhotos } from './photos';
import { measureLink } from './photos/link';
import { httpPeople, startPeople, stopPeople } from './people';
import { WorkerClient } from './worker/client';
import type { SyncStatus } from './worker/rpc';
import './styles.css';

const root = document.getElementById('app')!;
let db: Db;
let ctx: Ctx | null = null;
let worker: WorkerClient | null = null;
let toastMsg: string | null = null;
let toastTimer: ReturnType<typeof setTimeout> | null = null;
const login: LoginState = freshLogin();
/** Who the sign-in screens are shown to while nobody is signed in. */
const gate: Gate = { login, signIn: (tok) => void doLogin(tok), rerender };

// The screen shown, to whom, and its state, made fresh when the screen is entered
// (src/ui/routes.ts): the one place that decides what the page shows.
const router = new Router(ROUTES);

setLang((localStorage.getItem('anlan.lang') as Lang | null) ?? 'zh-CN');

function currentPath(): { path: string; query: URLSearchParams } {
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, q] = h.split('?');
  return { path: path || '/', query: new URLSearchParams(q ?? '') };
}

let frame = 0;
function rerender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    draw();
  });
}

function toast(msg: string): void {
  toastMsg = msg;
  if (toastTimer) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toastMsg = null; rerender(); }, 2500);
  rerender();
}

let firstDraw = true;
function draw(): void {
  let afterFirstDraw: (() => void) | null = null;
  if (firstDraw) {
    afterFirstDraw = adoptStaticLogin(root, login);
    root.textContent = ''; // index.html's sign-in form, or shell.html's "starting…" placeholder
    firstDraw = false;
  }
  const { path, query } = currentPath();
  // A sign-in or sign-out since the last frame enters the new visitor's screen.
  router.enter(ctx ?? gate, path, query);
  const body = router.view();
  render(html`${ctx && !isOnline(ctx) ? html`<div class="offline-banner" data-testid="offline-banner">${t('offline_banner')}</div>` : ''}
    ${body}${toastMsg ? html`<div class="toast" role="status" data-testid="toast">${toastMsg}</div>` : ''}`, root);
  afterFirstDraw?.();
}

function changeLang(l: Lang): void {
  localStorage.setItem('anlan.lang', l);
  setLang(l);
  rerender();
}

function onRoute(): void {
  const { path, query } = currentPath();
  if (path === '/login') {
    const tok = query.get('token');
    if (tok) {
      history.replaceState(null, '', location.pathname + '#/');
      void doLogin(tok);
      return;
    }
  }
  if (router.enter(ctx ?? gate, path, query)) window.scrollTo(0, 0);
  rerender();
}

/** The server's list of cases while a fresh phone's own documents are still arriving. */
let serverCases: CaseListItem[] | null = null;

async function refreshList(): Promise<void> {
  if (!ctx) return;
  const c = ctx;
  const local = await c.worker.call('list');
  c.cases = shownCases(local, serverCases, c.status?.lastSync != null);
  rerender();
}

/** The home is shown as soon as the session is known; the worker's Automerge wasm (most of a
 *  first install) keeps downloading behind it, its progress shown, and every worker call waits
 *  for it (worker/client.ts). */
async function start(token: string, session: Session): Promise<void> {
  worker = new WorkerClient();
  const w = worker;
  const c: Ctx = {
    session, token, api: new Api(() => c.token), worker: w, cases: [] as CaseListItem[], status: null as SyncStatus | null, online: navigator.onLine,
    engine: { ready: false, got: 0, total: 0, slow: false },
    go: (p) => { location.hash = `#${p}`; },
    screens: new ScreenStore(),
    rerender, toast, changeLang,
    logout,
  };
  // Until the session is the one shown (below), a frame would draw the sign-in screen: a
  // signed-in start would flash it while the engine loads.
  const redraw = () => { if (ctx === c) rerender(); };
  w.on((e) => {
    if (e.type === 'sync') {
      const firstSync = c.status?.lastSync == null && e.status.lastSync != null;
      c.status = e.status;
      if (e.status.clock) setPageClockOffset(e.status.clock.offsetMs);
      if (firstSync) void refreshList();
      redraw();
    } else if (e.type === 'loading') {
      Object.assign(c.engine, { got: e.got, total: e.total });
      redraw();
    } else if (e.type === 'revoked') {
      void signedOut();
    } else if (e.type === 'changed') {
      void refreshList();
      if (!isOnline(c)) void registerBackgroundSync();
      router.changed(c, e.doc);
    }
  });
  const init = w.call('init', { base: API_BASE, token, session });
  setTimeout(() => { c.engine.slow = true; redraw(); }, 800);
  serverCases = null;
  // A phone that already holds documents starts from them (its wasm comes from the cache in a
  // moment): showing the home first would flash an empty list.
  if ((await db.count('meta')) > 0) {
    try {
      await init;
      c.cases = await w.call('list');
    } catch { /* reported below, once the home is up */ }
  }
  ctx = c;
  startPhotos(c);
  const me = { id: session.user.id, name: session.user.name, role: session.user.role, unit_code: session.unit.code, unit_name: session.unit.name };
  void startPeople(db, me, httpPeople(c.api), rerender);
  onRoute();
  void serverCasesIfFresh(db, c.api).then((list) => {
    if (!list || ctx !== c || c.engine.ready) return;
    serverCases = list;
    c.cases = shownCases(c.cases, list, false);
    rerender();
  }).catch(() => { /* offline or refused: the worker's list stands */ });
  void refreshSession(c);
  void init.then(async () => {
    c.engine.ready = true;
    measureLink(); // remembered: photos taken offline later are sized for this link
    registerServiceWorker();
    await refreshList();
  }, (e: Error) => {
    if (ctx !== c) return;
    void stopWorker();
    login.error = t('error_generic', { msg: e.message });
    rerender();
  });
}

/** Pick up changes to the person's name, unit or role made by an administrator. Best effort:
 *  offline it fails and the stored session stands; a revoked token shows in the sync bar. */
async function refreshSession(c: Ctx): Promise<void> {
  try {
    const fresh = await c.api.session();
    if (fresh.user.id !== c.session.user.id || fresh.device.actor_prefix !== c.session.device.actor_prefix) return;
    await kvSet(db, 'session', fresh);
    c.session = fresh;
    rerender();
  } catch (e) {
    // Offline or a bad token: nothing to do here. Revoked: this phone must forget everything.
    if (e instanceof HttpError && e.code === 'device_revoked') void signedOut();
  }
}

async function doLogin(token: string): Promise<void> {
  login.busy = true;
  login.error = null;
  login.token = token;
  rerender();
  try {
    const session = await new Api(() => token).session();
    const previous = await kvGet(db, 'session');
    const otherPerson = !!previous && previous.user.id !== session.user.id;
    if (otherPerson) {
      // Another person's data never mixes with this one's; but never drop unsent work silently.
      const unsent = await countUnsynced(db);
      if (unsent > 0 && !(confirm(t('settings_logout_unsynced', { n: unsent })) && confirm(t('settings_logout_unsynced_again', { n: unsent })))) {
        login.error = t('settings_logout_refused');
        return;
      }
    }
    if (ctx) await stopWorker();
    if (otherPerson) await wipe();
    await kvSet(db, 'token', token);
    await kvSet(db, 'session', session);
    login.token = '';
    if (currentPath().path === '/enrol') history.replaceState(null, '', location.pathname + '#/');
    await start(token, session);
  } catch (e) {
    login.error = e instanceof HttpError && e.unauthorized ? t('login_bad_token')
      : !navigator.onLine || e instanceof TypeError ? t('login_offline')
      : t('login_failed', { msg: (e as Error).message });
  } finally {
    login.busy = false;
    rerender();
  }
}

async function stopWorker(): Promise<void> {
  stopPhotos();
  stopPeople();
  // The session's screens are done: what they kept goes, and nothing still on its way for them
  // writes anything (ui/screen-store.ts).
  ctx?.screens.close();
  if (!worker) return;
  try { await worker.call('shutdown'); } catch { /* already gone */ }
  worker.terminate();
  worker = null;
  ctx = null;
}

async function wipe(): Promise<void> {
  const tx = db.transaction(['docs', 'meta', 'kv', 'blobs'], 'readwrite');
  await Promise.all([tx.objectStore('docs').clear(), tx.objectStore('meta').clear(), tx.objectStore('kv').clear(), tx.objectStore('blobs').clear(), tx.done]);
  forgetStoredCopies();
}

/** The server refused this device as revoked (a lost phone, or a retired one after its last
 *  upload): erase every local record and go back to sign-in. */
async function signedOut(): Promise<void> {
  await logout();
  Object.assign(login, freshLogin(), { error: t('login_revoked') });
  rerender();
}

async function logout(): Promise<void> {
  await stopWorker();
  await wipe();
  location.hash = '#/';
  rerender();
}

let swRegistered = false;
/** Install (or update) the service worker once the app runs: on a first install its precache
 *  then finds the wasm and the bundles in the HTTP cache instead of downloading them a second
 *  time over the same slow link, competing with sign-in and the first sync. Checked on every
 *  start: `register` alone does not look for a new version when the script URL is unchanged.
 *  The new worker takes over at once (skipWaiting); data lives in IndexedDB, not in the caches
 *  it replaces, so an update never touches records. */
function registerServiceWorker(): void {
  if (swRegistered || !('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  swRegistered = true;
  navigator.serviceWorker.register('/sw.js', { scope: '/' })
    .then((reg) => reg.update())
    .catch(() => { /* offline, or no SW support: the app still works */ });
}

/** Ask the browser to wake us when the network is back (Chromium only; elsewhere `online`
 *  and the retry timer do the job). */
async function registerBackgroundSync(): Promise<void> {
  try {
    const reg = (await navigator.serviceWorker?.ready) as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
    await reg?.sync?.register('anlan-sync');
  } catch {
    // not supported or not allowed: the fallbacks remain
  }
}

async function boot(): Promise<void> {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string; url?: string }>) => {
      if (e.data?.type === 'sync-now') void worker?.call('syncNow');
      if (e.data?.type === 'open' && e.data.url) location.href = e.data.url;
    });
  }
  void navigator.storage?.persist?.();
  db = await openAnlanDb();
  window.addEventListener('hashchange', onRoute);
  const setOnline = () => {
    if (ctx) ctx.online = navigator.onLine;
    void worker?.call('setOnline', { online: navigator.onLine });
    rerender();
  };
  window.addEventListener('online', setOnline);
  window.addEventListener('offline', setOnline);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void worker?.call('syncNow');
  });
  const token = await kvGet(db, 'token');
  const session = await kvGet(db, 'session');
  const { path, query } = currentPath();
  if (path === '/login' && query.get('token')) return onRoute();
  if (token && session) {
    await start(token, session);
    // Push services drop subscriptions silently: hand the server the current one every start.
    if (ctx) void refreshAlerts(ctx.api);
  } else rerender(); // nobody signed in: installing for offline use waits for a sign-in
}

void boot();
