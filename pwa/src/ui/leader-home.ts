import { html } from 'lit-html';
import { t } from '../i18n';
import { CATEGORIES, SEVERITIES, STATUSES, type CaseListItem } from '../model/types';
import { caseCard } from './case-card';
import type { Ctx } from './ctx';
import { catLabel, isOverdue, sevLabel, sevRank, stLabel } from './format';
import { header } from './officer-home';
import { syncBar } from './syncbar';

export interface LeaderFilters { village: string; category: string; severity: string; status: string }
export const leaderFilters: LeaderFilters = { village: '', category: '', severity: '', status: '' };

/** Unacknowledged first (urgent at the top), then overdue, then the rest by severity and age. */
export function leaderGroups(cases: CaseListItem[], now = Date.now()) {
  const attention: CaseListItem[] = [];
  const overdue: CaseListItem[] = [];
  const other: CaseListItem[] = [];
  for (const c of cases) {
    if (c.status === 'reported') attention.push(c);
    else if (isOverdue(c, now)) overdue.push(c);
    else other.push(c);
  }
  const order = (a: CaseListItem, b: CaseListItem) =>
    sevRank(a.severity) - sevRank(b.severity) || Number(b.status === 'reported') - Number(a.status === 'reported') || b.reported_at - a.reported_at;
  attention.sort(order);
  overdue.sort((a, b) => (a.deadline ?? 0) - (b.deadline ?? 0));
  other.sort(order);
  return { attention, overdue, other };
}

export function leaderHome(ctx: Ctx) {
  const f = leaderFilters;
  const villages = [...new Set(ctx.cases.map((c) => c.village))].sort();
  const shown = ctx.cases.filter((c) =>
    (!f.village || c.village === f.village) && (!f.category || c.category === f.category) &&
    (!f.severity || c.severity === f.severity) && (!f.status || c.status === f.status));
  const g = leaderGroups(shown);
  const ack = (c: CaseListItem) => html`<button class="small primary" data-testid="quick-ack"
      @click=${async () => { await ctx.worker.call('edit', { doc: c.doc, edit: { op: 'acknowledge', text: t('tl_ack_text') } }); }}>${t('leader_ack')}</button>`;
  const card = (c: CaseListItem) => caseCard(c, c.status === 'reported' ? ack(c) : '');
  const select = (key: keyof LeaderFilters, label: string, options: readonly string[], lbl: (v: string) => string) => html`
    <label class="filter">${label}
      <select data-testid="filter-${key}" @change=${(e: Event) => { f[key] = (e.target as HTMLSelectElement).value; ctx.rerender(); }}>
        <option value="" ?selected=${!f[key]}>${t('leader_filter_all')}</option>
        ${options.map((o) => html`<option value=${o} ?selected=${f[key] === o}>${lbl(o)}</option>`)}
      </select></label>`;
  const group = (title: string, list: CaseListItem[], cls: string) =>
    list.length ? html`<h2 class=${cls}>${title} <small>${list.length}</small></h2><ul class="cards">${list.map(card)}</ul>` : '';
  return html`
    ${header(ctx, t('leader_title'))}
    ${syncBar(ctx)}
    <main class="home leader">
      <div class="filters">
        ${select('village', t('leader_filter_village'), villages, (v) => v)}
        ${select('category', t('leader_filter_category'), CATEGORIES, catLabel)}
        ${select('severity', t('leader_filter_severity'), SEVERITIES, sevLabel)}
        ${select('status', t('leader_filter_status'), STATUSES, stLabel)}
      </div>
      ${shown.length === 0 ? html`<p class="empty">${t('leader_empty')}</p>` : ''}
      ${group(t('leader_group_attention'), g.attention, 'attention')}
      ${group(t('leader_group_overdue'), g.overdue, 'overdue')}
      ${group(t('leader_group_other'), g.other, '')}
    </main>`;
}
