// The JSON endpoints the page calls (sync itself runs in the worker), one method each, typed by
// src/api/types.ts. Every request goes through `ApiClient` (src/api/http.ts): the bearer header
// and the error shape are built there and nowhere else.
import type { Person, Session } from './db/schema';
import { ApiClient, type Fetch } from './api/http';
import type {
  AlertChannels, AlertLayer, AlertLogRow, Campaigns, DeviceInfo, HistoryEntry, IssuedDevice, LaunchInput,
  QuarantineItem, QuarantineRelease, Reminded, Report, ServerCase, Village,
} from './api/types';

export const API_BASE = '';

const enc = encodeURIComponent;

/** A file the server renders (history, statistics): fetched with the token, saved by the page. */
export type Download = Promise<Blob>;

export class Api {
  readonly http: ApiClient;

  /** `token`: read on every request; absent before sign-in. */
  constructor(token: () => string | undefined = () => undefined, base = API_BASE, fetchFn?: Fetch) {
    this.http = new ApiClient(base, token, fetchFn);
  }

  /** Who this token belongs to; refuses an answer without the fields every screen relies on. */
  async session(): Promise<Session> {
    const s = await this.http.json<Session>('/session');
    if (!s?.user?.id || !s?.device?.actor_prefix) throw new Error('malformed session');
    return s;
  }

  /** First sign-in: phone + the one-time code an administrator issued + a new password. */
  enrol(phone: string, code: string, password: string, label: string): Promise<IssuedDevice> {
    return this.http.json('/enrol', { method: 'POST', auth: false, json: { phone: phone.trim(), code: code.trim(), password, label } });
  }

  /** Sign in on another device with phone + password. */
  login(phone: string, password: string, label: string): Promise<IssuedDevice> {
    return this.http.json('/login', { method: 'POST', auth: false, json: { phone: phone.trim(), password, label } });
  }

  async devices(): Promise<DeviceInfo[]> {
    return (await this.http.json<{ devices: DeviceInfo[] }>('/devices')).devices;
  }

  /** Name this device as its owner knows it; the server keeps it for the device list. */
  renameDevice(name: string): Promise<{ label: string }> {
    return this.http.json('/devices/self/name', { method: 'PUT', json: { name } });
  }

  /** Sign one of my devices out at once (a lost phone): its next contact wipes it. */
  async revokeDevice(id: number): Promise<void> {
    await this.http.send(`/devices/${id}/revoke`, { method: 'POST', json: {} });
  }

  async people(): Promise<Person[]> {
    const body = await this.http.json<{ people?: Person[] }>('/people');
    if (!Array.isArray(body.people)) throw new Error('malformed people directory');
    return body.people;
  }

  villages(): Promise<Village[]> {
    return this.http.json('/villages');
  }

  /** The server's cases of the person's scope, newest first. */
  cases(limit: number): Promise<ServerCase[]> {
    return this.http.json(`/cases?limit=${limit}`);
  }

  caseAlerts(doc: string): Promise<AlertLogRow[]> {
    return this.http.json(`/cases/${enc(doc)}/alerts`);
  }

  async caseHistory(doc: string): Promise<HistoryEntry[]> {
    return (await this.http.json<{ entries: HistoryEntry[] }>(`/cases/${enc(doc)}/history?format=json`)).entries;
  }

  async caseHistoryFile(doc: string, format: 'json' | 'csv'): Download {
    return (await this.http.send(`/cases/${enc(doc)}/history?format=${format}`)).blob();
  }

  /** `query`: from, to and the unit drilled into (src/ui/stats.ts `statsQuery`). */
  stats(query: string): Promise<Report> {
    return this.http.json(`/stats?${query}`);
  }

  async statsFile(ext: 'xlsx' | 'csv', query: string): Download {
    return (await this.http.send(`/stats/export.${ext}?${query}`)).blob();
  }

  campaigns(): Promise<Campaigns> {
    return this.http.json('/campaigns');
  }

  async launchCampaign(input: LaunchInput): Promise<void> {
    await this.http.send('/campaigns', { method: 'POST', json: input });
  }

  /** Remind the officers of the villages still missing (once a day per village, server-side). */
  remindMissing(campaign: string): Promise<Reminded> {
    return this.http.json(`/campaigns/${enc(campaign)}/remind`, { method: 'POST' });
  }

  /** A leader confirms a petition date the server corrected; the server writes it into the document. */
  async confirmPetitionDate(doc: string, field: string, at: number): Promise<void> {
    await this.http.send(`/petitions/${enc(doc)}/confirm-date`, { method: 'POST', json: { field, date: at } });
  }

  alertChannels(): Promise<AlertChannels> {
    return this.http.json('/me/alert-channels');
  }

  setAlertChannels(layer: AlertLayer): Promise<AlertChannels> {
    return this.http.json('/me/alert-channels', { method: 'PUT', json: layer });
  }

  async quarantine(): Promise<QuarantineItem[]> {
    return (await this.http.json<{ items: QuarantineItem[] }>('/admin/quarantine')).items;
  }

  releaseQuarantined(id: number): Promise<QuarantineRelease> {
    return this.http.json(`/admin/quarantine/${id}/release`, { method: 'POST' });
  }

  /** The item's details, changes and the record as it would read, to keep. */
  async quarantinedFile(id: number): Download {
    return (await this.http.send(`/admin/quarantine/${id}/export`)).blob();
  }

  /** The VAPID key push subscriptions are made with: public, and stable enough to cache. */
  async pushKey(): Promise<string> {
    return (await this.http.json<{ application_server_key: string }>('/push/key', { auth: false, cache: 'default' })).application_server_key;
  }

  async pushSubscription(method: 'POST' | 'DELETE', body: unknown): Promise<void> {
    await this.http.send('/push/subscriptions', { method, json: body });
  }
}
