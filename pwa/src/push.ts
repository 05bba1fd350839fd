// Web Push on the page side: subscribe when a leader turns alerts on, re-register on every
// start (push services drop subscriptions silently; WebKit even answers 200 for dead ones), and
// unsubscribe. The browser's subscribe() can hang forever with no push service reachable, so
// every call here has its own timeout.
import type { Api } from './api';

export type AlertsResult = 'on' | 'off' | 'denied' | 'unsupported' | 'timeout' | 'failed';

const TIMEOUT_MS = 15_000;
const PREF_KEY = 'anlan-alerts';

function withTimeout<T>(p: Promise<T>, ms = TIMEOUT_MS): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

export function alertsSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** Whether this person asked for alerts on this device (kept across starts). */
export function alertsWanted(): boolean {
  return localStorage.getItem(PREF_KEY) === 'on';
}

function b64urlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Subscribe (asking for permission if needed) and register the subscription with the server. */
export async function enableAlerts(api: Api): Promise<AlertsResult> {
  if (!alertsSupported()) return 'unsupported';
  try {
    const permission = await withTimeout(Notification.requestPermission());
    if (permission !== 'granted') return 'denied';
    const reg = await withTimeout(navigator.serviceWorker.ready);
    const application_server_key = await api.pushKey();
    const sub =
      (await reg.pushManager.getSubscription()) ??
      (await withTimeout(reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlToBytes(application_server_key) })));
    await api.pushSubscription('POST', sub.toJSON());
    localStorage.setItem(PREF_KEY, 'on');
    return 'on';
  } catch (e) {
    return e instanceof Error && e.message === 'timeout' ? 'timeout' : 'failed';
  }
}

export async function disableAlerts(api: Api): Promise<AlertsResult> {
  localStorage.setItem(PREF_KEY, 'off');
  if (!alertsSupported()) return 'off';
  try {
    const reg = await withTimeout(navigator.serviceWorker.ready);
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await api.pushSubscription('DELETE', { endpoint: sub.endpoint }).catch(() => undefined);
      await sub.unsubscribe();
    }
  } catch {
    /* the preference is off; a stale subscription is deleted by the server on its first 410 */
  }
  return 'off';
}

/** On every start: if alerts are wanted and allowed, make sure the server has this device's
 *  current subscription. Quiet on failure (offline is normal); the next start tries again. */
export async function refreshAlerts(api: Api): Promise<void> {
  if (!alertsSupported() || !alertsWanted() || Notification.permission !== 'granted') return;
  await enableAlerts(api).catch(() => undefined);
}
