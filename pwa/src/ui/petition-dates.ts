// Dates of a petition the server corrected because the phone's clock was wrong (PROTOCOL.md §11):
// what the phone claimed, what the server recorded instead, and — since the statutory clock
// counts from these dates — whether a leader has confirmed each. A leader confirms a date here;
// the server writes it into the petition and every phone gets it with its next sync.
import { html } from 'lit-html';
import { t, type MessageKey } from '../i18n';
import type { DateCorrection, PetitionView } from '../model/petition-steps';
import { dateString } from '../rules/petition';
import type { Ctx } from './ctx';
import { fmtTimeYear } from './format';
import { atOfDate, todayDate } from './records-common';
import { isLeader } from '../rules/roles';

const FIELD_LABELS: Record<string, MessageKey> = {
  received_at: 'pet_received', 'decision.at': 'pet_decision', 'extension.at': 'pet_act_extend', 'reply.at': 'pet_act_reply',
  'review.requested_at': 'pet_act_request_review', 'review.answered_at': 'pet_act_answer_review',
  'rereview.requested_at': 'pet_act_request_rereview', 'rereview.answered_at': 'pet_act_answer_rereview',
};

interface Confirming { key: string; date: string; error: string | null; busy: boolean }
/** The one date being confirmed, kept while the person moves between petitions. */
const confirmingOf = (ctx: Ctx): Confirming =>
  ctx.screens.keep('petition-dates', () => ({ key: '', date: '', error: null, busy: false }));

async function confirm(ctx: Ctx, doc: string, c: DateCorrection): Promise<void> {
  const confirming = confirmingOf(ctx);
  if (confirming.date > todayDate()) { confirming.error = t('pet_err_future'); return ctx.rerender(); }
  confirming.busy = true;
  ctx.rerender();
  try {
    await ctx.api.confirmPetitionDate(doc, c.field, atOfDate(confirming.date));
    Object.assign(confirming, { key: '', error: null });
    await ctx.worker.call('syncNow');
  } catch (e) {
    confirming.error = (e as Error).message;
  }
  confirming.busy = false;
  ctx.rerender();
}

function line(ctx: Ctx, v: PetitionView, c: DateCorrection) {
  const confirming = confirmingOf(ctx);
  const key = `${v.doc}:${c.field}`;
  const mayConfirm = isLeader(ctx.session.user.role) && navigator.onLine;
  const label = FIELD_LABELS[c.field] ? t(FIELD_LABELS[c.field]) : c.field;
  const text = t('pet_clock_line', { what: label, claimed: fmtTimeYear(c.claimed), corrected: fmtTimeYear(c.corrected) });
  if (c.confirmed !== null) {
    return html`<li data-testid="date-correction">${text}<div class="muted">${t('pet_date_confirmed', { date: dateString(Math.floor((c.confirmed + 8 * 3_600_000) / 86_400_000)) })}</div></li>`;
  }
  const open = confirming.key === key;
  return html`<li data-testid="date-correction">${text} <b class="warn" data-testid="date-pending">${t('pet_date_pending')}</b>
    ${!mayConfirm ? '' : !open
      ? html`<button data-testid="confirm-date" @click=${() => { Object.assign(confirming, { key, date: dateString(Math.floor((c.corrected + 8 * 3_600_000) / 86_400_000)), error: null }); ctx.rerender(); }}>${t('pet_date_confirm')}</button>`
      : html`<form novalidate @submit=${(e: Event) => { e.preventDefault(); void confirm(ctx, v.doc, c); }}>
          <label>${t('pet_f_date')} <input type="date" data-testid="confirm-date-input" .value=${confirming.date} max=${todayDate()}
            @input=${(e: Event) => { confirming.date = (e.target as HTMLInputElement).value; }}></label>
          ${confirming.error ? html`<p class="error">${confirming.error}</p>` : ''}
          <button class="primary" type="submit" ?disabled=${confirming.busy} data-testid="confirm-date-save">${t('pet_date_confirm')}</button>
        </form>`}
  </li>`;
}

/** The corrected dates of a petition, or nothing when none was corrected. */
export function correctedDates(ctx: Ctx, v: PetitionView) {
  if (!v.clock_corrections.length) return '';
  return html`<div class="panel" data-testid="petition-clock"><h3 class="warn">${t('f_clock')}</h3>
    <p class="muted">${t('pet_clock_note')}</p>
    <ul class="steps">${v.clock_corrections.map((c) => line(ctx, v, c))}</ul></div>`;
}
