// Settings → how alerts reach me beyond this phone: SMS to my roster number when Web Push does
// not reach me in time, and quiet hours for non-urgent messages. The server keeps the setting
// (it decides what to send while this phone is off), so it needs a connection to change.
import { html } from 'lit-html';
import type { AlertChannels as Channels, AlertLayer as Layer } from '../api/types';
import { t } from '../i18n';
import type { Ctx } from './ctx';
import { mayManage } from './format';


export interface AlertChannelsState { data: Channels | null; error: boolean; saving: boolean }

export function freshAlertChannels(): AlertChannelsState {
  return { data: null, error: false, saving: false };
}

function call(ctx: Ctx, body?: Layer): Promise<Channels> {
  return body ? ctx.api.setAlertChannels(body) : ctx.api.alertChannels();
}

export async function loadAlertChannels(ctx: Ctx, st: AlertChannelsState): Promise<void> {
  if (!mayManage(ctx.session.user.role)) return;
  try {
    st.data = await call(ctx);
    st.error = false;
  } catch {
    st.error = true;
  }
  ctx.rerender();
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);

export function alertChannelsPanel(ctx: Ctx, st: AlertChannelsState) {
  if (!mayManage(ctx.session.user.role)) return '';
  const d = st.data;
  const save = async (change: Partial<Layer>) => {
    if (!d) return;
    st.saving = true;
    ctx.rerender();
    try {
      st.data = await call(ctx, { ...d.own, ...change });
      ctx.toast(t('channels_saved'));
    } catch {
      ctx.toast(t('channels_unavailable'));
    }
    st.saving = false;
    ctx.rerender();
  };
  const hour = (e: Event) => {
    const v = (e.target as HTMLSelectElement).value;
    return v === '' ? null : Number(v);
  };
  const quiet = d?.effective.quiet;
  const setQuiet = (from: number | null, to: number | null) =>
    void save(from === null || to === null ? { quiet_from: null, quiet_to: null } : { quiet_from: from, quiet_to: to });
  return html`
    <section class="panel" data-testid="alert-channels">
      <h3>${t('channels_title')}</h3>
      ${st.error ? html`<p class="muted">${t('channels_unavailable')}</p>` : !d ? html`<p class="muted">…</p>` : html`
        <p class="muted">${t('channels_explain')}</p>
        <p data-testid="channels-sms-state">${!d.sms_configured ? t('channels_sms_not_configured')
          : !d.phone_on_roster ? t('channels_sms_no_phone')
          : d.effective.sms ? t('channels_sms_on') : t('channels_sms_off')}</p>
        <div class="chips">
          <button class="chip ${d.effective.sms ? 'on' : ''}" data-testid="channels-sms-on" ?disabled=${st.saving}
            @click=${() => void save({ sms: true })}>${t('channels_sms_enable')}</button>
          <button class="chip ${d.effective.sms ? '' : 'on'}" data-testid="channels-sms-off" ?disabled=${st.saving}
            @click=${() => void save({ sms: false })}>${t('channels_sms_disable')}</button>
        </div>
        <label>${t('channels_quiet')}
          <select data-testid="channels-quiet-from" ?disabled=${st.saving}
            @change=${(e: Event) => setQuiet(hour(e), hour(e) === null ? null : quiet?.to ?? 7)}>
            <option value="" ?selected=${!quiet}>${t('channels_quiet_none')}</option>
            ${HOURS.map((h) => html`<option value=${h} ?selected=${quiet?.from === h}>${h}:00</option>`)}
          </select>
          ${quiet ? html`${t('channels_quiet_to')}
            <select data-testid="channels-quiet-to" ?disabled=${st.saving}
              @change=${(e: Event) => setQuiet(quiet.from, hour(e))}>
              ${HOURS.filter((h) => h !== quiet.from).map((h) => html`<option value=${h} ?selected=${quiet.to === h}>${h}:00</option>`)}
            </select>` : ''}
        </label>
        <p class="muted">${t('channels_quiet_explain')}</p>`}
    </section>`;
}
