/// <reference lib="webworker" />
// The service worker: the app shell and the Automerge wasm come from the precache so the app
// starts with no network after the first visit. One route per kind of request: navigations get
// the cached index.html; /api/ is never cached (sync state lives in IndexedDB, not in HTTP).
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));

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
