// 信访事项: the list by statutory deadline with its countdown, and the detail screen where petition
// staff record each step (decision, extension, reply, review, re-review). Every step is checked
// with the shared clock rules before it is written, so a refusal is explained at once, offline.
import { html } from 'lit-html';
import { t, type MessageKey } from '../i18n';
import { clockOfSteps, eventOf, type PetitionEdit, type PetitionView } from '../model/petition-steps';
import { ClockError, apply, dateString } from '../rules/petition';
import { detailOf, PETITION_KIND, type RecordItemOf } from '../model/record-kinds';
import { deliveryBadge } from './case-card';
import type { Ctx } from './ctx';
import { fmtDate, fmtYmd } from './format';
import { header } from './officer-home';
import {
  atOfDate, countdown, deadlineLabel, mayHandlePetitions, orderPetitions, recordOf, recordsOf, todayDate, villageName, villagesOf,
} from './records-common';
import { syncBar } from './syncbar';
import { correctedDates } from './petition-dates';
import { extendsPetitions } from '../rules/roles';

function card(ctx: Ctx, item: RecordItemOf<typeof PETITION_KIND>) {
  const s = item.summary;
  const c = countdown(s.deadline);
  return html`
    <li class="card petition cd-${c.cls}" data-testid="petition-card" data-doc=${item.doc}>
      <a href="#/petition/${item.doc}" class="card-link">
        <div class="card-top">
          <span class="badge st">${t(`pst_${s.stage}` as MessageKey)}</span>
          <span class="badge countdown ${c.cls}" data-testid="countdown">${c.text}</span>
          ${s.pending_dates ? html`<span class="badge warn" data-testid="date-pending-badge">${t('pet_date_pending')}</span>` : ''}
        </div>
        <div class="card-title">${s.name}：${s.request}</div>
        <div class="card-meta">
          <span>${villageName(ctx, s.village)}</span><span>${t(`src_${s.source}` as MessageKey)}</span>
          ${s.deadline && !c.finished ? html`<span>${t('pet_deadline', { what: deadlineLabel(s.deadline), date: fmtYmd(dateString(s.deadline.day)) })}</span>` : ''}
        </div>
      </a>
      <div class="card-foot">${deliveryBadge(item.delivery)}</div>
    </li>`;
}

export function petitionList(ctx: Ctx) {
  villagesOf(ctx);
  const items = recordsOf(ctx, PETITION_KIND);
  const { open, done } = orderPetitions(items ?? []);
  return html`
    ${header(ctx, t('pet_title'), '/')}
    ${syncBar(ctx)}
    <main class="home petitions">
      ${mayHandlePetitions(ctx.session.user.role)
        ? html`<button class="record" data-testid="new-petition" @click=${() => ctx.go('/petitions/new')}><span class="plus">＋</span>${t('pet_new')}</button>` : ''}
      ${items === null ? html`<p class="empty">${t('rec_loading')}</p>` : items.length === 0 ? html`<p class="empty">${t('pet_empty')}</p>` : ''}
      ${open.length ? html`<h2>${t('pet_open')} <small>${open.length}</small></h2><ul class="cards">${open.map((x) => card(ctx, x))}</ul>` : ''}
      ${done.length ? html`<h2>${t('pet_done')} <small>${done.length}</small></h2><ul class="cards">${done.map((x) => card(ctx, x))}</ul>` : ''}
    </main>`;
}

type Op = 'accept' | 'decline' | 'extend' | 'reply' | 'request_review' | 'answer_review' | 'request_rereview' | 'answer_rereview';
/** A petition's screen: the document, and the next step being recorded, if any. */
export interface ActionState { doc: string; op: Op | null; date: string; text: string; days: number; error: string | null; busy: boolean }

export function freshPetitionAction(doc: string): ActionState {
  return { doc, op: null, date: '', text: '', days: 30, error: null, busy: false };
}

/** The steps that can come next at this stage, for this role (docs/permissions.md: only
 *  petition staff extend a deadline). */
function nextOps(v: PetitionView, role: string): Op[] {
  switch (v.stage) {
    case 'awaiting_decision': return ['accept', 'decline'];
    case 'handling': return v.extension || !extendsPetitions(role) ? ['reply'] : ['reply', 'extend'];
    case 'replied': return ['request_review'];
    case 'review_requested': return ['answer_review'];
    case 'reviewed': return ['request_rereview'];
    case 'rereview_requested': return ['answer_rereview'];
    default: return [];
  }
}

function editOf(op: Op, at: number, text: string, days: number): PetitionEdit | string {
  const need = (s: string, what: MessageKey) => (s.trim() ? null : t('pet_err_missing', { what: t(what) }));
  switch (op) {
    case 'accept': case 'decline': return { op: 'decide', accepted: op === 'accept', at, note: text.trim() || undefined };
    case 'extend': return need(text, 'pet_f_reason') ?? { op: 'extend', at, days, reason: text.trim() };
    case 'reply': return need(text, 'pet_f_text') ?? { op: 'reply', at, text: text.trim() };
    case 'request_review': return { op: 'request_review', which: 'review', at };
    case 'request_rereview': return { op: 'request_review', which: 'rereview', at };
    case 'answer_review': return need(text, 'pet_f_text') ?? { op: 'answer_review', which: 'review', at, answer: text.trim() };
    case 'answer_rereview': return need(text, 'pet_f_text') ?? { op: 'answer_review', which: 'rereview', at, answer: text.trim() };
  }
}

async function submit(ctx: Ctx, action: ActionState, v: PetitionView): Promise<void> {
  if (!action.op) return;
  if (action.date > todayDate()) { action.error = t('pet_err_future'); return ctx.rerender(); }
  const edit = editOf(action.op, atOfDate(action.date), action.text, action.days);
  if (typeof edit === 'string') { action.error = edit; return ctx.rerender(); }
  try {
    const ev = eventOf(edit);
    if (ev) apply(clockOfSteps(v), ev);
  } catch (e) {
    action.error = e instanceof ClockError ? t(`pet_err_${e.code}` as MessageKey) : String(e);
    return ctx.rerender();
  }
  action.busy = true;
  ctx.rerender();
  try {
    await ctx.worker.call('editRecord', { doc: v.doc, kind: PETITION_KIND, edit });
    Object.assign(action, { op: null, text: '', error: null });
  } catch (e) {
    action.error = (e as Error).message;
  }
  action.busy = false;
  ctx.rerender();
}

function actionForm(ctx: Ctx, action: ActionState, v: PetitionView) {
  const op = action.op!;
  const withText = op !== 'request_review' && op !== 'request_rereview';
  const textLabel = op === 'extend' ? t('pet_f_reason') : op === 'accept' || op === 'decline' ? t('pet_f_note') : t('pet_f_text');
  // novalidate: the shared clock rules explain a refusal (a browser bubble on max=30 would not).
  return html`<form class="panel" novalidate data-testid="petition-action" @submit=${(e: Event) => { e.preventDefault(); void submit(ctx, action, v); }}>
    <h3>${t(`pet_act_${op}` as MessageKey)}</h3>
    <label>${t('pet_f_date')} <input type="date" data-testid="action-date" .value=${action.date} max=${todayDate()}
      @input=${(e: Event) => { action.date = (e.target as HTMLInputElement).value; }}></label>
    ${op === 'extend' ? html`<label>${t('pet_f_days')} <input type="number" min="1" max="30" data-testid="action-days" .value=${String(action.days)}
      @input=${(e: Event) => { action.days = Number((e.target as HTMLInputElement).value); }}></label>` : ''}
    ${withText ? html`<label>${textLabel} <textarea data-testid="action-text" .value=${action.text}
      @input=${(e: Event) => { action.text = (e.target as HTMLTextAreaElement).value; }}></textarea></label>` : ''}
    ${action.error ? html`<p class="error" data-testid="action-error">${action.error}</p>` : ''}
    <div class="actions">
      <button class="primary" type="submit" ?disabled=${action.busy} data-testid="action-confirm">${t('pet_confirm')}</button>
      <button type="button" @click=${() => { action.op = null; ctx.rerender(); }}>${t('pet_cancel')}</button>
    </div>
  </form>`;
}

function step(label: string, at: number | null, text: string | null = null) {
  return at === null ? '' : html`<li><b>${label}</b> ${fmtDate(at)} ${text ? html`<div class="muted">${text}</div>` : ''}</li>`;
}

export function petitionDetail(ctx: Ctx, action: ActionState) {
  const doc = action.doc;
  const rec = detailOf(PETITION_KIND, recordOf(ctx, doc));
  const v = rec?.view;
  if (!rec || !v) return html`${header(ctx, t('pet_title'), '/petitions')}<p class="empty">${t('rec_loading')}</p>`;
  const c = countdown(v.deadline);
  const start = (op: Op) => () => Object.assign(action, { op, date: todayDate(), text: '', days: 30, error: null }) && ctx.rerender();
  return html`
    ${header(ctx, t('pet_title'), '/petitions')}
    <main class="detail petition-detail" data-testid="petition-detail">
      <div class="detail-head">
        <span class="badge st" data-testid="petition-stage">${t(`pst_${v.stage}` as MessageKey)}</span>
        <span class="badge countdown ${c.cls}" data-testid="countdown">${c.text}</span>
        ${deliveryBadge(rec.delivery)}
      </div>
      ${rec.rejection ? html`<p class="error" data-testid="rejection">${rec.rejection.message}</p>` : ''}
      ${v.deadline && !c.finished ? html`<p>${t('pet_deadline', { what: deadlineLabel(v.deadline), date: fmtYmd(dateString(v.deadline.day)) })}</p>` : ''}
      <div class="field"><span>${t('pet_f_name')}</span><span>${v.name} ${v.phone ?? ''} ${v.id_no ?? ''}</span></div>
      <div class="field"><span>${t('pet_f_village')}</span><span>${villageName(ctx, v.village)}</span></div>
      <div class="field"><span>${t('pet_f_source')}</span><span>${t(`src_${v.source}` as MessageKey)}</span></div>
      <div class="description">${v.request}</div>
      <h2>${t('pet_steps')}</h2>
      <ul class="steps" data-testid="petition-steps">
        ${step(t('pet_received'), v.received_at)}
        ${v.decision ? step(t(v.decision.accepted ? 'pet_act_accept' : 'pet_act_decline'), v.decision.at, v.decision.note) : ''}
        ${v.extension ? step(t('pet_extended', { days: v.extension.days, reason: v.extension.reason }), v.extension.at) : ''}
        ${v.reply ? step(t('pet_act_reply'), v.reply.at, v.reply.text) : ''}
        ${v.review ? step(t('pet_act_request_review'), v.review.requested_at) : ''}
        ${v.review ? step(t('pet_act_answer_review'), v.review.answered_at, v.review.answer) : ''}
        ${v.rereview ? step(t('pet_act_request_rereview'), v.rereview.requested_at) : ''}
        ${v.rereview ? step(t('pet_act_answer_rereview'), v.rereview.answered_at, v.rereview.answer) : ''}
      </ul>
      ${correctedDates(ctx, v)}
      ${!mayHandlePetitions(ctx.session.user.role) ? html`<p class="muted">${t('pet_no_permission')}</p>`
        : action.op ? actionForm(ctx, action, v)
        : html`<div class="actions">${nextOps(v, ctx.session.user.role).map((op) => html`<button data-testid="act-${op}" @click=${start(op)}>${t(`pet_act_${op}` as MessageKey)}</button>`)}</div>`}
    </main>`;
}
