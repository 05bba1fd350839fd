import { html } from 'lit-html';
import { t } from '../i18n';
import { isOnline, type Ctx } from './ctx';
import { fmtAgo } from './format';
import type { ClockState } from '../sync/trusted-clock';

/** "3年2天", "5小时20分钟": the size of a clock error as a person reads it. */
export function fmtSkew(ms: number): string {
  const min = Math.round(Math.abs(ms) / 60_000);
  const parts: [number, string][] = [
    [Math.floor(min / 525_600), '年'], [Math.floor((min % 525_600) / 1440), '天'],
    [Math.floor((min % 1440) / 60), '小时'], [min % 60, '分钟'],
  ];
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  return shown.length ? shown.map(([n, u]) => `${n}${u}`).join('') : '不到1分钟';
}

function clockWarning(c: ClockState | undefined) {
  if (!c || (!c.wrong && !c.jumped)) return '';
  // The offset is what to add to the phone's clock: negative means the phone is fast.
  const text = c.wrong ? t('clock_wrong', { dir: t(c.offsetMs < 0 ? 'clock_fast' : 'clock_slow'), diff: fmtSkew(c.offsetMs) }) : t('clock_jumped');
  return html`<div class="syncbar-row clock-warning" role="alert" data-testid="clock-warning">${text}</div>`;
}

/** A first install: the offline engine still downloading, with how much has arrived. */
function engineRow(ctx: Ctx) {
  const e = ctx.engine;
  if (e.ready || !e.slow) return '';
  const kb = (n: number) => Math.round(n / 1024).toLocaleString('zh-CN');
  const text = e.total ? t('engine_loading', { got: kb(e.got), total: kb(e.total) }) : t('engine_starting');
  return html`<div class="syncbar-row engine" data-testid="engine-loading">
    <span>${text}</span>
    <progress max=${e.total || 1} .value=${e.got} aria-label=${t('engine_progress')}></progress>
  </div>`;
}

export function syncBar(ctx: Ctx) {
  const s = ctx.status;
  const online = isOnline(ctx);
  let line: string;
  if (s?.unauthorized) line = t('sync_unauthorized');
  else if (s?.storageFull && !s.running) line = t('sync_storage_full');
  else if (s?.running) line = s.progress ? t('sync_progress', { n: s.progress.done, m: s.progress.total }) : t('sync_running');
  else if (s?.nextRetryAt && ctx.online) line = t('sync_retry_in', { s: Math.max(1, Math.round((s.nextRetryAt - Date.now()) / 1000)) });
  else line = s?.lastSync ? t('sync_last', { t: fmtAgo(s.lastSync) }) : t('sync_never');
  const pending = s?.pending ?? 0;
  return html`
    <section class="syncbar ${online ? 'on' : 'off'}" data-testid="syncbar" aria-live="polite">
      <div class="syncbar-row">
        <span class="net" data-testid="net">${online ? t('sync_online') : t('sync_offline')}</span>
        <span class="pending ${pending ? 'has' : ''}" data-testid="pending">
          ${pending ? t('sync_pending', { n: pending }) : t('sync_all_sent')}
        </span>
        ${s?.rejected ? html`<span class="rejected">${t('sync_rejected', { n: s.rejected })}</span>` : ''}
      </div>
      ${engineRow(ctx)}
      ${clockWarning(s?.clock)}
      <div class="syncbar-row">
        <span class="last" data-testid="last-sync">${line}
          ${s?.unauthorized ? html` <a href="#/settings">${t('settings_logout')}</a>` : ''}</span>
        <button class="small" ?disabled=${!ctx.online || s?.running} data-testid="sync-now"
          @click=${() => void ctx.worker.call('syncNow')}>${t('sync_now')}</button>
      </div>
    </section>`;
}
