import { html } from 'lit-html';
import { alertsSupported, alertsWanted, disableAlerts, enableAlerts } from '../push';
import { getLang, t } from '../i18n';
import type { Ctx } from './ctx';
import { alertChannelsPanel, freshAlertChannels, loadAlertChannels, type AlertChannelsState } from './alert-channels';
import { deviceNameField, devicesPanel, freshDevices, loadDevices, type DevicesState } from './devices';
import { fmtBytes, roleLabel } from './format';
import { header } from './officer-home';
import { freshQuarantine, loadQuarantine, managesQuarantine, quarantinePanel, type QuarantineState } from './quarantine';
import { isAdmin } from '../rules/roles';

export interface SettingsState {
  usage?: number; quota?: number; persisted?: boolean; loaded: boolean; devices?: DevicesState; quarantine?: QuarantineState;
  channels?: AlertChannelsState;
}

export async function loadSettings(ctx: Ctx, st: SettingsState): Promise<void> {
  st.devices = freshDevices();
  void loadDevices(ctx, st.devices);
  st.channels = freshAlertChannels();
  void loadAlertChannels(ctx, st.channels);
  if (managesQuarantine(ctx.session.user.role)) {
    st.quarantine = freshQuarantine();
    void loadQuarantine(ctx, st.quarantine);
  }
  const est = await navigator.storage?.estimate?.();
  st.usage = est?.usage;
  st.quota = est?.quota;
  st.persisted = await navigator.storage?.persisted?.();
  st.loaded = true;
  ctx.rerender();
}

/** Refused while changes are unsynced, unless the person confirms twice knowing how many. */
export async function confirmLogout(ctx: Ctx, ask: (msg: string) => boolean = confirm): Promise<boolean> {
  const pending = await ctx.worker.call('unsyncedCount');
  if (pending > 0) {
    if (!ask(t('settings_logout_unsynced', { n: pending }))) return false;
    if (!ask(t('settings_logout_unsynced_again', { n: pending }))) return false;
    return true;
  }
  return ask(t('settings_logout_confirm'));
}

export function settingsView(ctx: Ctx, st: SettingsState, setLanguage: (l: 'zh-CN' | 'en') => void) {
  const s = ctx.session;
  const logout = async () => {
    if (await confirmLogout(ctx)) await ctx.logout();
    else ctx.toast(t('settings_logout_refused'));
  };
  return html`
    ${header(ctx, t('settings_title'), '/')}
    <main class="settings">
      <section class="panel">
        <h3>${t('settings_account')}</h3>
        <dl class="fields">
          <div class="field"><dt>${t('settings_user')}</dt><dd data-testid="user-name">${s.user.name}</dd></div>
          <div class="field"><dt>${t('settings_role')}</dt><dd>${roleLabel(s.user.role)}</dd></div>
          <div class="field"><dt>${t('settings_unit')}</dt><dd>${s.unit.name}</dd></div>
          <div class="field"><dt><label for="device-name">${t('settings_device')}</label></dt><dd>${st.devices ? deviceNameField(ctx, st.devices) : ''}</dd></div>
        </dl>
        ${isAdmin(s.user.role) ? html`<details class="ids" data-testid="admin-ids"><summary>${t('settings_ids')}</summary>
          <p class="muted">${s.user.id} · ${s.unit.code} · ${s.device.id} · ${s.device.actor_prefix}</p></details>` : ''}
      </section>
      ${st.devices ? devicesPanel(ctx, st.devices) : ''}
      ${st.quarantine ? quarantinePanel(ctx, st.quarantine) : ''}
      <section class="panel">
        <h3>${t('settings_storage')}</h3>
        <p data-testid="storage">${st.loaded ? t('settings_storage_used', { used: fmtBytes(st.usage), quota: fmtBytes(st.quota) }) : '…'}</p>
        <p class="muted">${st.persisted ? t('settings_storage_persisted') : t('settings_storage_not_persisted')}</p>
        <p class="muted">${t('settings_docs', { n: ctx.cases.length })} ·
          ${ctx.status?.pending ? t('sync_pending', { n: ctx.status.pending }) : t('sync_all_sent')}</p>
      </section>
      ${alertsPanel(ctx)}
      ${st.channels ? alertChannelsPanel(ctx, st.channels) : ''}
      <section class="panel">
        <h3>${t('settings_language')}</h3>
        <div class="chips">
          <button class="chip ${getLang() === 'zh-CN' ? 'on' : ''}" @click=${() => setLanguage('zh-CN')}>中文</button>
          <button class="chip ${getLang() === 'en' ? 'on' : ''}" @click=${() => setLanguage('en')}>English</button>
        </div>
      </section>
      <button class="danger big" data-testid="logout" @click=${logout}>${t('settings_logout')}</button>
    </main>`;
}

function alertsPanel(ctx: Ctx) {
  const on = alertsSupported() && alertsWanted() && Notification.permission === 'granted';
  const toggle = async () => {
    const r = on ? await disableAlerts(ctx.api) : await enableAlerts(ctx.api);
    if (r !== 'on' && r !== 'off') ctx.toast(t(`settings_alerts_${r}`));
    ctx.rerender();
  };
  return html`
    <section class="panel">
      <h3>${t('settings_alerts')}</h3>
      <p class="muted">${alertsSupported() ? t('settings_alerts_explain') : t('settings_alerts_unsupported')}</p>
      <p data-testid="alerts-state">${on ? t('settings_alerts_on') : t('settings_alerts_off')}</p>
      ${alertsSupported()
        ? html`<button class="big" data-testid="alerts-toggle" @click=${toggle}>
            ${on ? t('settings_alerts_disable') : t('settings_alerts_enable')}</button>`
        : ''}
    </section>`;
}
