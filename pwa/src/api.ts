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

/** What enrolment and login answer: a new device and its bearer token (shown once). */
export interface IssuedDevice {
  token: string;
  user: { id: string };
  device: { id: number; actor_prefix: string };
}

/** One of the person's devices, as `GET /api/v1/devices` lists them. */
export interface DeviceInfo {
  id: number;
  label: string;
  created_at: number;
  revoked_at: number | null;
  retire_at: number | null;
  current: boolean;
}

async function postJson<T>(path: string, body: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${API_BASE}${path}`, { method: 'POST', headers, body: JSON.stringify(body), cache: 'no-store' });
  if (!res.ok) throw await readError(res);
  return (await res.json()) as T;
}

/** First sign-in: phone + the one-time code an administrator issued + a new password. */
export function enrolDevice(phone: string, code: string, password: string, label: string): Promise<IssuedDevice> {
  return postJson('/api/v1/enrol', { phone: phone.trim(), code: code.trim(), password, label });
}

/** Sign in on another device with phone + password. */
export function loginDevice(phone: string, password: string, label: string): Promise<IssuedDevice> {
  return postJson('/api/v1/login', { phone: phone.trim(), password, label });
}

export async function listDevices(token: string): Promise<DeviceInfo[]> {
  const res = await fetch(`${API_BASE}/api/v1/devices`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) throw await readError(res);
  return ((await res.json()) as { devices: DeviceInfo[] }).devices;
}

/** Name this device as its owner knows it; the server keeps it for the device list. */
export async function renameDevice(token: string, name: string): Promise<{ label: string }> {
  const res = await fetch(`${API_BASE}/api/v1/devices/self/name`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ name }), cache: 'no-store',
  });
  if (!res.ok) throw await readError(res);
  return (await res.json()) as { label: string };
}

/** Sign one of my devices out at once (a lost phone): its next contact wipes it. */
export function revokeDevice(token: string, id: number): Promise<unknown> {
  return postJson(`/api/v1/devices/${id}/revoke`, {}, token);
}
