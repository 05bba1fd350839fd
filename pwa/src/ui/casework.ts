// The casework panel of a case: deadline state, the status moves this person may make, closing
// with an outcome, the resolution plan, chasing (county and city) and confirming a disputed
// closure. Offers only what docs/permissions.md allows; the server decides.
import { html, nothing } from 'lit-html';
import { t, type MessageKey } from '../i18n';
import { OUTCOMES, clockOf, type Outcome } from '../model/casework-rules';
import type { CaseEdit, CaseView, Status } from '../model/types';
import { deadlineState } from '../rules/overdue';
import type { Ctx } from './ctx';
import { fmtTime, mayChase, mayManage, stLabel } from './format';
import { nameOf } from '../people';
import { overLimit } from './over-limit';
import { trustedNow } from './page-clock';

interface Form { outcome: Outcome | ''; note: string; plan: string | null; chase: string }
/** Half-typed work on a case stays when the person steps away from it. */
const form = (ctx: Ctx, doc: string): Form =>
  ctx.screens.keep(`casework:${doc}`, () => ({ outcome: '', note: '', plan: null, chase: '' }));

export const outcomeLabel = (o: string) => t(`outcome_${o}` as MessageKey) || o;

/** The moves `role` may offer from `status`: field staff only handling and resolved. */
export function movesFor(role: string, status: string): string[] {
  const open = status !== 'closed';
  if (!mayManage(role)) {
    return [open && status !== 'handling' && status !== 'resolved' ? 'handling' : '', open && status === 'handling' ? 'resolved' : '']
      .filter(Boolean);
  }
  if (!open) return ['reopen'];
  const m: string[] = [];
  if (status === 'reported' || status === 'escalated') m.push('acknowledged');
  if (status !== 'handling' && status !== 'resolved') m.push('handling');
  if (status !== 'resolved') m.push('resolved');
  if (status !== 'escalated') m.push('escalated');
  return m;
}

export function caseworkPanel(ctx: Ctx, d: CaseView, edit: (e: CaseEdit) => Promise<void>) {
  const { role, id: me } = ctx.session.user;
  const f = form(ctx, d.doc);
  const state = deadlineState(clockOf(d), trustedNow());
  const leader = mayManage(role);
  const mayPlan = leader || d.handler === me || d.responsible_leader === me;
  const mayConfirm = d.responsible_leader ? d.responsible_leader === me : leader;
  const outcomes = d.conflicts.find((c) => c.field === 'outcome')?.values ?? [];
  const val = (e: Event) => (e.target as HTMLInputElement).value;
  const move = (to: string) => to === 'reopen'
    ? edit({ op: 'set_status', value: 'handling', note: t('cw_act_reopen') })
    : edit({ op: 'set_status', value: to as Status, note: t('tl_status_text', { s: stLabel(to) }) });
  const close = (e: Event) => {
    e.preventDefault();
    if (!f.outcome || !f.note.trim()) return ctx.toast(t('cw_close_need_note'));
    void edit({ op: 'close', outcome: f.outcome, note: f.note.trim() });
    f.outcome = ''; f.note = '';
  };
  return html`<section class="casework" data-testid="casework">
    <h3>${t('cw_title')} <span class="badge dl ${state}" data-testid="deadline-state">${t(`dl_${state}` as MessageKey)}</span></h3>
    ${d.needs_confirmation ? html`<div class="conflict" data-testid="confirm-closure">
      <p>${t('cw_confirm_title')}</p>
      ${outcomes.map((o) => html`<span class="conflict-value"><b>${outcomeLabel(o)}</b>
        ${mayConfirm ? html`<button class="small" data-testid="confirm-${o}" @click=${() => edit({ op: 'confirm_closure', outcome: o, note: d.closing_note ?? '' })}>${t('cw_confirm_pick')}</button>` : nothing}</span>`)}
      ${mayConfirm ? nothing : html`<p class="muted">${t('cw_confirm_wait')}</p>`}
    </div>` : nothing}
    ${d.outcome && !d.needs_confirmation ? html`<p data-testid="outcome"><b>${t('cw_outcome')}：</b>${outcomeLabel(d.outcome)} — ${d.closing_note ?? ''}</p>` : nothing}
    <div class="actions">
      ${movesFor(role, d.status).map((to) => html`<button class="small" data-testid="move-${to}" @click=${() => void move(to)}>${t(`cw_act_${to}` as MessageKey)}</button>`)}
    </div>
    ${leader && d.status !== 'closed' ? html`<form class="close-form" @submit=${close}>
      <label>${t('cw_outcome')}<select data-testid="close-outcome" @change=${(e: Event) => { f.outcome = val(e) as Outcome; }}>
        <option value="" ?selected=${!f.outcome}>—</option>
        ${OUTCOMES.map((o) => html`<option value=${o} ?selected=${f.outcome === o}>${outcomeLabel(o)}</option>`)}</select></label>
      <label>${t('cw_closing_note')}<textarea rows="2" maxlength="2000" data-testid="close-note" .value=${f.note} @input=${(e: Event) => { f.note = val(e); }}></textarea></label>
      <button class="primary" type="submit" data-testid="close">${t('cw_act_closed')}</button>
    </form>` : nothing}
    <h4 id="cw-plan-h">${t('cw_plan')}</h4>
    ${overLimit(d, 'resolution_plan')}
    ${mayPlan ? html`<textarea rows="4" maxlength="5000" data-testid="plan" aria-labelledby="cw-plan-h" .value=${f.plan ?? d.resolution_plan}
        @input=${(e: Event) => { f.plan = val(e); }}></textarea>
      <button class="small" data-testid="plan-save" @click=${() => { if (f.plan != null) void edit({ op: 'set_plan', text: f.plan }); f.plan = null; }}>${t('cw_plan_save')}</button>`
      : html`<p class="description">${d.resolution_plan || t('cw_plan_empty')}</p>`}
    ${mayChase(role) && d.status !== 'closed' ? html`<div class="chase">
      <textarea rows="2" maxlength="2000" data-testid="chase-text" aria-label=${t('cw_chase')} placeholder=${t('cw_chase_ph')} .value=${f.chase} @input=${(e: Event) => { f.chase = val(e); }}></textarea>
      <button class="small primary" data-testid="chase" @click=${() => { void edit({ op: 'chase', text: f.chase.trim() || t('cw_chase_ph') }); f.chase = ''; }}>${t('cw_chase_send')}</button>
    </div>` : nothing}
    ${d.transitions.length ? html`<h4>${t('cw_transitions')}</h4><ol class="transitions" data-testid="transitions">
      ${d.transitions.map((x) => html`<li>${stLabel(x.from)} → <b>${stLabel(x.to)}</b>${x.outcome ? `（${outcomeLabel(x.outcome)}）` : ''}
        <span class="muted">${fmtTime(x.at)} · ${nameOf(x.by)}</span></li>`)}</ol>` : nothing}
  </section>`;
}
