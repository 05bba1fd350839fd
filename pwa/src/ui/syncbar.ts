import { html } from 'lit-html';
import { t } from '../i18n';
import { isOnline, type Ctx } from './ctx';
import { fmtAgo } from './format';

export function syncBar(ctx: Ctx) {
  const s = ctx.status;
  const online = isOnline(ctx);
  let line: string;
  if (s?.unauthorized) line = t('sync_unauthorized');
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
      <div class="syncbar-row">
        <span class="last" data-testid="last-sync">${line}
          ${s?.unauthorized ? html` <a href="#/settings">${t('settings_logout')}</a>` : ''}</span>
        <button class="small" ?disabled=${!ctx.online || s?.running} data-testid="sync-now"
          @click=${() => void ctx.worker.call('syncNow')}>${t('sync_now')}</button>
      </div>
    </section>`;
}
