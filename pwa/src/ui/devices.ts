// Settings → account and devices: where the person is signed in, and signing a lost phone out.
import { html } from 'lit-html';
import { listDevices, revokeDevice, type DeviceInfo } from '../api';
import { t } from '../i18n';
import type { Ctx } from './ctx';
import { deviceName } from './device-name';
import { fmtDate } from './format';

export interface DevicesState { list: DeviceInfo[] | null; error: string | null }

export function freshDevices(): DevicesState {
  return { list: null, error: null };
}

export async function loadDevices(ctx: Ctx, st: DevicesState): Promise<void> {
  try {
    st.list = await listDevices(ctx.token);
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
      await revokeDevice(ctx.token, d.id);
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
              <span>${d.current ? deviceName(navigator.userAgent) : d.label} <span class="muted">${t('devices_since', { date: since(d.created_at) })}</span></span>
              <span>${stateText(d)}</span>
              ${!d.current && !d.revoked_at
                ? html`<button class="small" data-testid="device-revoke" @click=${() => void signOut(d)}>${t('devices_revoke')}</button>`
                : ''}
            </li>`)}
        </ul>`}
      <p class="muted">${t('devices_explain')}</p>
    </section>`;
}
