/// <reference lib="webworker" />
// The service worker: the app shell and the Automerge wasm come from the precache so the app
// starts with no network after the first visit. One route per kind of request: navigations get
// the cached shell.html (index.html without the sign-in form a first visit needs, vite.config.ts);
// /api/ is never cached (sync state lives in IndexedDB, not in HTTP).
import { clientsClaim } from 'workbox-core';
import { addRoute, cleanupOutdatedCaches, createHandlerBoundToURL, precache } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { caseUrl, isCase, isPetition, notificationFor } from './push-notification';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
precache(self.__WB_MANIFEST);
// Navigations before the precache's own route: that one answers `/` with index.html (its
// directory index), whose sign-in form is for first visits only.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/shell.html'), { denylist: [/^\/api\//] }));
addRoute();

// Background Sync (Chromium): the browser fires `sync` once connectivity is back, even when the
// page missed its `online` event. The sync client needs Automerge and lives in the page's
// worker, so the SW only wakes open pages; with no page open, the next start syncs anyway.
const SYNC_TAG = 'anlan-sync';
self.addEventListener('sync', (event: Event) => {
  const e = event as ExtendableEvent & { tag?: string };
  if (e.tag !== SYNC_TAG) return;
  e.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((clients) => {
      for (const c of clients) c.postMessage({ type: 'sync-now' });
    }),
  );
});

// Web Push: case alerts, petition and sweep reminders, the daily digest. What each shows and
// where a click leads is decided in push-notification.ts, one branch per payload kind.
self.addEventListener('push', (event: PushEvent) => {
  let p: unknown = {};
  try {
    p = event.data?.json() ?? {};
  } catch {
    /* an unreadable payload still deserves a notification: something urgent may be waiting */
  }
  const { title, options } = notificationFor(p);
  const shown = self.registration.showNotification(title, options);
  // Open pages fetch the news right away; a closed app syncs when the notification opens it.
  const fresh = isCase(p) || isPetition(p)
    ? self.clients.matchAll({ type: 'window' }).then((cs) => cs.forEach((c) => c.postMessage({ type: 'sync-now' })))
    : Promise.resolve();
  event.waitUntil(Promise.all([shown, fresh]));
});

self.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close();
  // `doc` alone: a notification the previous version of this worker showed, always a case.
  const data = event.notification.data as { url?: string; doc?: string } | null;
  event.waitUntil(openApp(data?.url ?? caseUrl(data?.doc)));
});

/** Bring the app forward on `url`: an open window goes there (it routes by hash), otherwise a
 *  new one opens on it. */
async function openApp(url: string): Promise<void> {
  const cs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = cs[0] as WindowClient | undefined;
  if (!open) {
    await self.clients.openWindow(url);
    return;
  }
  // A controlled window can be navigated directly; the message covers one this worker does not
  // control yet (just installed or updated). Both lead to the same URL, so doing both is safe.
  open.postMessage({ type: 'open', url });
  await open.navigate(url).catch(() => undefined);
  await open.focus().catch(() => undefined);
}
