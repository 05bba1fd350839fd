/// <reference lib="webworker" />
// The service worker: the app shell and the Automerge wasm come from the precache so the app
// starts with no network after the first visit. One route per kind of request: navigations get
// the cached index.html; /api/ is never cached (sync state lives in IndexedDB, not in HTTP).
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { zhCN } from './i18n/zh-CN';

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

// Web Push: urgent cases, escalations and overdue reminders. The payload carries no personal
// data (it crosses a third-party push service): case number, township, category, severity.
// Urgent ones stay on screen until dismissed; one notification per case (tag) so repeats and
// escalations replace rather than pile up.
interface AlertPayload {
  v?: number;
  kind?: 'urgent' | 'escalation' | 'reminder' | 'due_soon' | 'chase' | 'digest' | 'sweep_reminder';
  /** sweep_reminder only: the campaign, its name and deadline, and the village */
  campaign?: string;
  name?: string;
  village_name?: string;
  deadline?: number;
  /** digest only: how many non-urgent cases came in, and where */
  cases?: number;
  area?: string;
  doc_id?: string;
  case_no?: string | null;
  township?: string;
  category?: string;
  severity?: string;
}

self.addEventListener('push', (event: PushEvent) => {
  let p: AlertPayload = {};
  try {
    p = (event.data?.json() ?? {}) as AlertPayload;
  } catch {
    /* an unreadable payload still deserves a notification: something urgent may be waiting */
  }
  const m = zhCN as Record<string, string>;
  if (p.kind === 'digest') {
    // The day's news that did not warrant a buzz: quiet, replaces yesterday's, opens the list.
    const body = zhCN.push_digest_body.replace('{area}', p.area ?? '').replace('{n}', String(p.cases ?? 0));
    event.waitUntil(self.registration.showNotification(zhCN.push_kind_digest, { body, tag: 'anlan-digest', icon: '/icons/icon-192.png', lang: 'zh-CN', data: {} }));
    return;
  }
  if (p.kind === 'sweep_reminder') {
    // A village that has not answered a sweep: one per campaign, replaced by the next day's.
    const date = new Date(p.deadline ?? 0).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric' });
    const body = zhCN.push_sweep_body.replace('{village}', p.village_name ?? '').replace('{name}', p.name ?? '').replace('{date}', date);
    event.waitUntil(self.registration.showNotification(zhCN.push_kind_sweep_reminder, { body, tag: `anlan-sweep-${p.campaign ?? ''}`, icon: '/icons/icon-192.png', lang: 'zh-CN', data: {} }));
    return;
  }
  const kind = m[`push_kind_${p.kind ?? 'urgent'}`] ?? zhCN.push_kind_urgent;
  const title = p.case_no ? `${kind} ${p.case_no}` : kind;
  const body = [p.township, p.category && m[`cat_${p.category}`], p.severity && m[`sev_${p.severity}`]].filter(Boolean).join(' · ');
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(title, {
        body: body || zhCN.push_open_app,
        tag: p.doc_id ?? 'anlan-alert',
        requireInteraction: p.severity === 'urgent' || p.kind !== 'reminder',
        icon: '/icons/icon-192.png',
        badge: '/icons/icon-192.png',
        lang: 'zh-CN',
        data: { doc: p.doc_id },
      }),
      // Open pages fetch the case right away; a closed app syncs when the notification opens it.
      self.clients.matchAll({ type: 'window' }).then((cs) => cs.forEach((c) => c.postMessage({ type: 'sync-now' }))),
    ]),
  );
});

self.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close();
  const doc = (event.notification.data as { doc?: string } | null)?.doc;
  event.waitUntil(openCase(doc));
});

/** Bring the app forward on the case: an open window goes there (it routes by hash), otherwise a
 *  new one opens on it. */
async function openCase(doc: string | undefined): Promise<void> {
  const url = doc ? `/#/case/${encodeURIComponent(doc)}` : '/#/';
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
