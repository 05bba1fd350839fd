// The JSON endpoints the page calls directly (sync itself runs in the worker).
import type { Session } from './db/schema';
import { readError } from './sync/http-error';

export const API_BASE = '';

export async function fetchSession(token: string): Promise<Session> {
  const res = await fetch(`${API_BASE}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) throw await readError(res);
  const s = (await res.json()) as Session;
  if (!s?.user?.id || !s?.device?.actor_prefix) throw new Error('malformed session');
  return s;
}
