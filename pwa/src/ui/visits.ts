// 下访记录: a leader's visits to villages (people met, disputes found, resolved on the spot),
// newest first, and the form to record one.
import { html } from 'lit-html';
import { t } from '../i18n';
import type { NewVisitInput } from '../model/visit';
import { VISIT_KIND, type RecordItemOf } from '../model/record-kinds';
import { deliveryBadge } from './case-card';
import { choice } from './choice';
import type { Ctx } from './ctx';
import { fmtDate } from './format';
import { header } from './officer-home';
import { atOfDate, mayRecordVisits, recordsOf, todayDate, villageName, villagesOf } from './records-common';
import { syncBar } from './syncbar';

function card(ctx: Ctx, item: RecordItemOf<typeof VISIT_KIND>) {
  const s = item.summary;
  return html`<li class="card visit" data-testid="visit-card" data-doc=${item.doc}>
    <div class="card-link">
      <div class="card-title">${fmtDate(s.date)} ${villageName(ctx, s.village)} · ${s.leader}</div>
      <div class="card-meta">${t('vis_summary', { people: s.people, found: s.found, resolved: s.resolved })}</div>
      ${s.claimed_date != null ? html`<div class="card-meta warn" data-testid="visit-clock">${t('vis_clock', { claimed: fmtDate(s.claimed_date) })}</div>` : ''}
    </div>
    <div class="card-foot">${deliveryBadge(item.delivery)}</div>
  </li>`;
}

export function visitList(ctx: Ctx) {
  villagesOf(ctx);
  const items = [...(recordsOf(ctx, VISIT_KIND) ?? [])].sort((a, b) => b.summary.date - a.summary.date);
  return html`
    ${header(ctx, t('vis_title'), '/')}
    ${syncBar(ctx)}
    <main class="home visits">
      ${mayRecordVisits(ctx.session.user.role)
        ? html`<button class="record" data-testid="new-visit" @click=${() => ctx.go('/visits/new')}><span class="plus">＋</span>${t('vis_new')}</button>` : ''}
      ${items.length === 0 ? html`<p class="empty">${t('vis_empty')}</p>` : html`<ul class="cards">${items.map((x) => card(ctx, x))}</ul>`}
    </main>`;
}

export interface VisitForm { village: string; leader: string; date: string; people: string; resolved: number; notes: string; cases: string[]; error: string | null; busy: boolean }

export function freshVisitForm(ctx: Ctx): VisitForm {
  return { village: '', leader: ctx.session.user.name, date: todayDate(), people: '', resolved: 0, notes: '', cases: [], error: null, busy: false };
}

export function visitForm(ctx: Ctx, f: VisitForm) {
  const villages = villagesOf(ctx) ?? [];
  if (!f.village && villages.length) f.village = villages[0].code;
  // Disputes found: cases of the chosen village this phone holds, ticked.
  const cases = ctx.cases.filter((c) => c.village === f.village);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!f.village || !f.leader.trim()) { f.error = t('pet_err_missing', { what: `${t('pet_f_village')}、${t('vis_f_leader')}` }); return ctx.rerender(); }
    if (f.date > todayDate()) { f.error = t('pet_err_future'); return ctx.rerender(); }
    f.busy = true;
    ctx.rerender();
    const input: NewVisitInput = {
      village: f.village, leader: f.leader, date: atOfDate(f.date), people_met: f.people.split('\n'),
      cases: f.cases, resolved: f.resolved, notes: f.notes,
    };
    try {
      await ctx.worker.call('createRecord', { kind: VISIT_KIND, input });
      ctx.go('/visits');
    } catch (err) {
      Object.assign(f, { error: (err as Error).message, busy: false });
      ctx.rerender();
    }
  };
  const val = (e: Event) => (e.target as HTMLInputElement).value;
  return html`
    ${header(ctx, t('vis_new'), '/visits')}
    <main class="form">
      <form @submit=${save} data-testid="visit-form">
        <label>${t('pet_f_village')}
          ${villages.length ? html`<select data-testid="vf-village" @change=${(e: Event) => { f.village = val(e); f.cases = []; ctx.rerender(); }}>
              ${villages.map((v) => html`<option value=${v.code} ?selected=${v.code === f.village}>${v.name}</option>`)}</select>`
            : html`<p class="hint">${t('rec_no_villages')}</p>`}</label>
        <label>${t('vis_f_leader')} <input data-testid="vf-leader" maxlength="50" .value=${f.leader} @input=${(e: Event) => { f.leader = val(e); }}></label>
        <label>${t('vis_f_date')} <input type="date" data-testid="vf-date" .value=${f.date} max=${todayDate()} @input=${(e: Event) => { f.date = val(e); }}></label>
        <label>${t('vis_f_people')} <textarea data-testid="vf-people" rows="3" .value=${f.people} @input=${(e: Event) => { f.people = val(e); }}></textarea></label>
        ${cases.length ? html`<fieldset data-testid="vf-cases"><legend>${t('vis_f_cases')}</legend><div class="choices">${cases.map((c) => choice({
          label: c.title, checked: f.cases.includes(c.doc),
          onChange: (on) => { f.cases = on ? [...f.cases, c.doc] : f.cases.filter((x) => x !== c.doc); },
        }))}</div></fieldset>` : ''}
        <label>${t('vis_f_resolved')} <input type="number" min="0" max="1000" data-testid="vf-resolved" .value=${String(f.resolved)}
          @input=${(e: Event) => { f.resolved = Math.max(0, Math.floor(Number(val(e)) || 0)); }}></label>
        <label>${t('vis_f_notes')} <textarea data-testid="vf-notes" rows="4" .value=${f.notes} @input=${(e: Event) => { f.notes = val(e); }}></textarea></label>
        ${f.error ? html`<p class="error">${f.error}</p>` : ''}
        <button class="primary big" type="submit" ?disabled=${f.busy} data-testid="vf-save">${t('pet_save')}</button>
      </form>
    </main>`;
}
