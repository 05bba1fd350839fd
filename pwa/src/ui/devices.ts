// Settings → account and devices: where the person is signed in, and signing a lost phone out.
import { html } from 'lit-html';
import type { DeviceInfo } from '../api/types';
import { t } from '../i18n';
import type { Ctx } from './ctx';
import { deviceName } from './device-name';
import { fmtDate } from './format';

/** `draft`: the name being typed for this device, null until the person edits it. */
export interface DevicesState { list: DeviceInfo[] | null; error: string | null; draft: string | null; saving: boolean }

export function freshDevices(): DevicesState {
  return { list: null, error: null, draft: null, saving: false };
}

// What older versions and the server's default called a phone: a word that names nothing.
const VAGUE = /^(手机|demo|browser|Android|iPhone|iPad|Windows|Macintosh|Linux)$/;

/** This device's name: what its owner called it, or else its model and browser. */
export function thisDeviceName(st: DevicesState): string {
  const label = st.list?.find((d) => d.current)?.label?.trim();
  return label && !VAGUE.test(label) ? label : deviceName(navigator.userAgent);
}

/** The 设备 row of the account panel: this device's name, editable, kept on the server. */
export function deviceNameField(ctx: Ctx, st: DevicesState) {
  const current = thisDeviceName(st);
  const value = st.draft ?? current;
  const save = async (e: Event) => {
    e.preventDefault();
    const name = value.trim();
    if (!name || name === current) return;
    st.saving = true;
    ctx.rerender();
    try {
      const r = await ctx.api.renameDevice(name);
      const me = st.list?.find((d) => d.current);
      if (me) me.label = r.label;
      st.draft = null;
      ctx.toast(t('devices_renamed'));
    } catch (err) {
      ctx.toast(err instanceof TypeError || !navigator.onLine ? t('devices_unavailable') : t('devices_rename_bad'));
    } finally {
      st.saving = false;
      ctx.rerender();
    }
  };
  return html`
    <form class="device-name" @submit=${save}>
      <input id="device-name" data-testid="device-name" maxlength="60" .value=${value}
        @input=${(e: Event) => { st.draft = (e.target as HTMLInputElement).value; ctx.rerender(); }}>
      <button type="submit" data-testid="device-name-save" ?disabled=${st.saving || !value.trim() || value.trim() === current}>${t('devices_name_save')}</button>
    </form>`;
}

export async function loadDevices(ctx: Ctx, st: DevicesState): Promise<void> {
  try {
    st.list = await ctx.api.devices();
    st.error = null;
  } catch {
    st.error = t('devices_unavailable');
  }
  ctx.rerender();
}

function stateText(d: DeviceInfo): string {
  if (d.revoked_at) return t('devices_revoked');
  if (d.retire_at) return t('devices_retiring');
  return d.current ? t('devices_this') : t('devices_active');
}

export function devicesPanel(ctx: Ctx, st: DevicesState) {
  const signOut = async (d: DeviceInfo) => {
    if (!confirm(t('devices_revoke_confirm', { label: d.label }))) return;
    try {
      await ctx.api.revokeDevice(d.id);
      ctx.toast(t('devices_revoked_done'));
    } catch {
      ctx.toast(t('devices_unavailable'));
    }
    await loadDevices(ctx, st);
  };
  const since = (ms: number) => fmtDate(ms);
  return html`
    <section class="panel" data-testid="devices">
      <h3>${t('devices_title')}</h3>
      ${st.error ? html`<p class="muted">${st.error}</p>` : st.list === null ? html`<p class="muted">…</p>` : html`
        <ul class="devices">
          ${st.list.map((d) => html`
            <li data-testid="device-row" class=${d.revoked_at ? 'muted' : ''}>
              <span>${d.current ? thisDeviceName(st) : d.label} <span class="muted">${t('devices_since', { date: since(d.created_at) })}</span></span>
              <span>${stateText(d)}</span>
              ${!d.current && !d.revoked_at
                ? html`<button class="small" data-testid="device-revoke" @click=${() => void signOut(d)}>${t('devices_revoke')}</button>`
                : ''}
            </li>`)}
        </ul>`}
      <p class="muted">${t('devices_explain')}</p>
    </section>`;
}
