// Who was alerted about a case, how, and what came of it: the server's delivery log, for
// leaders — every channel's attempts per person (Web Push, SMS, the group robot), whether the
// SMS provider reported it delivered to the phone (or why not), and who acknowledged and how
// (in the app, or with the SMS link).
// Fetched when a leader opens a case while online; offline it is simply not shown (it is the
// server's record, not part of the case document).
import { html, nothing } from 'lit-html';
import type { AlertLogRow } from '../api/types';
import { t, type MessageKey } from '../i18n';
import type { Ctx } from './ctx';
import { fmtTime, mayManage } from './format';

/**
 * The provider's reason to show under a row: why it failed, was held back or did not reach the
 * phone. Once a message went out (`sent`, `delivered`), an earlier retry's error is old news.
 */
export function shownReason(r: Pick<AlertLogRow, 'state' | 'last_error'>): string | null {
  return r.last_error && r.state !== 'sent' && r.state !== 'delivered' ? r.last_error : null;
}

/** `aliyun_sms`, `tencent_sms` and `http_sms` are all SMS to the person; robots are groups. */
function channelLabel(channel: string): string {
  if (channel.endsWith('_sms')) return t('alert_channel_sms');
  if (channel.endsWith('_robot')) return t('alert_channel_robot');
  return t('alert_channel_web_push');
}

const key = (doc: string) => `alert-log:${doc}`;

export async function loadAlertLog(ctx: Ctx, doc: string): Promise<void> {
  if (!mayManage(ctx.session.user.role)) return;
  try {
    ctx.screens.set(key(doc), await ctx.api.caseAlerts(doc));
    ctx.rerender();
  } catch {
    /* offline or refused: keep what was shown last */
  }
}

const label = (prefix: string, v: string) => t(`${prefix}${v}` as MessageKey);

export function alertLogView(ctx: Ctx, doc: string) {
  const rows = ctx.screens.peek<AlertLogRow[]>(key(doc));
  if (!mayManage(ctx.session.user.role) || !rows) return nothing;
  return html`
    <section data-testid="alert-log">
      <h3>${t('alert_log_title')}</h3>
      ${rows.length === 0 ? html`<p class="muted">${t('alert_log_empty')}</p>` : html`
        <ol class="timeline">
          ${rows.map((r) => html`<li>
            <div class="tl-head"><b>${label('alert_level_', r.level)} · ${r.user_name} · <span data-testid="alert-channel">${channelLabel(r.channel)}</span></b>
              <span class="muted">${fmtTime(r.receipt_at ?? r.sent_at ?? r.created_at)}</span></div>
            <div>${label('alert_state_', r.state)}${r.attempts > 1 ? ` · ${t('alert_attempts', { n: r.attempts })}` : ''}
              ${r.acknowledged_at ? html` · ${t(r.acknowledged_via === 'sms_link' ? 'alert_acked_sms' : 'alert_acked', { who: r.acknowledged_by ?? '' })}` : ''}</div>
            ${shownReason(r) ? html`<div class="muted" data-testid="alert-reason">${shownReason(r)}</div>` : ''}
          </li>`)}
        </ol>`}
    </section>`;
}
