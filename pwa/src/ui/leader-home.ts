import { html } from 'lit-html';
import { t } from '../i18n';
import { CATEGORIES, SEVERITIES, STATUSES, type CaseListItem } from '../model/types';
import { caseCard } from './case-card';
import type { Ctx } from './ctx';
import { villageName, villagesOf } from './records-common';
import { choice } from './choice';
import { leaderNav } from './nav';
import { catLabel, isOfficerRole, isOverdue, sevLabel, sevRank, stLabel } from './format';
import { openMatrix } from './leader-matrix';
import { header } from './officer-home';
import { mayStat as statsAllowed } from './stats';
import { leaderSweeps } from './sweep';
import { syncBar } from './syncbar';
import { nameOf } from '../people';
import { trustedNow } from './page-clock';

export interface LeaderFilters { village: string; category: string; severity: string; status: string; mine?: boolean; open?: boolean }
export function freshFilters(): LeaderFilters {
  return { village: '', category: '', severity: '', status: '' };
}

/** County staff at a desk (≥ 1024 px): the list stays on the left, the case opens on the right. */
export const splitView = (ctx: Ctx) => !isOfficerRole(ctx.session.user.role) && window.matchMedia('(min-width: 1024px)').matches;

/** Unacknowledged first (urgent at the top), then overdue, then the rest by severity and age. */
export function leaderGroups(cases: CaseListItem[], now = trustedNow()) {
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

export function leaderHome(ctx: Ctx, side?: unknown) {
  const mayStat = statsAllowed(ctx.session.user.role);
  // The filters outlive the screen: back from a case, the list is as the person left it.
  const f = ctx.screens.filters;
  villagesOf(ctx);
  const villages = [...new Set(ctx.cases.map((c) => c.village))].sort();
  const me = ctx.session.user.id;
  const mine = (c: CaseListItem) => c.responsible_leader === me || c.handler === me;
  const shown = ctx.cases.filter((c) => (!f.mine || mine(c)) &&
    (!f.village || c.village === f.village) && (!f.category || c.category === f.category) &&
    (!f.severity || c.severity === f.severity) && (!f.status || c.status === f.status));
  const g = leaderGroups(shown);
  const ack = (c: CaseListItem) => html`<button class="small primary" data-testid="quick-ack"
      @click=${async () => { await ctx.worker.call('edit', { doc: c.doc, edit: { op: 'acknowledge', text: t('tl_ack_text') } }); }}>${t('leader_ack')}</button>`;
  // Who holds a case of mine, by name: 包案 陈建国 · 专人 林秀英.
  const holders = (c: CaseListItem) => html`<span class="muted holders" data-testid="holders">${[
    c.responsible_leader ? `${t('f_responsible_leader')} ${nameOf(c.responsible_leader)}` : '',
    c.handler ? `${t('f_handler')} ${nameOf(c.handler)}` : '']
    .filter(Boolean).join(' · ')}</span>`;
  const card = (c: CaseListItem) => caseCard(ctx, c, html`${c.status === 'reported' ? ack(c) : ''} ${mine(c) ? holders(c) : ''}`);
  const select = (key: Exclude<keyof LeaderFilters, 'mine' | 'open'>, label: string, options: readonly string[], lbl: (v: string) => string) => html`
    <label class="filter">${label}
      <select data-testid="filter-${key}" @change=${(e: Event) => { f[key] = (e.target as HTMLSelectElement).value; ctx.rerender(); }}>
        <option value="" ?selected=${!f[key]}>${t('leader_filter_all')}</option>
        ${options.map((o) => html`<option value=${o} ?selected=${f[key] === o}>${lbl(o)}</option>`)}
      </select></label>`;
  const group = (title: string, list: CaseListItem[], cls: string) =>
    list.length ? html`<h2 class=${cls}>${title} <small>${list.length}</small></h2><ul class="cards">${list.map(card)}</ul>` : '';
  const active = [f.village, f.category, f.severity, f.status].filter(Boolean).length + (f.mine ? 1 : 0);
  // What needs a decision comes first; navigation is one compact row and the filters fold away.
  return html`
    ${header(ctx, t('leader_title'))}
    ${syncBar(ctx)}
    <div class=${side ? 'split' : ''}>
    <main class="home leader">
      ${leaderNav(mayStat)}
      <details class="filters-fold" data-testid="filters" ?open=${f.open || active > 0}
        @toggle=${(e: Event) => { f.open = (e.target as HTMLDetailsElement).open; }}>
        <summary data-testid="filters-toggle">${t('leader_filters')}${active ? ` · ${t('leader_filters_active', { n: active })}` : ''}</summary>
        <div class="filters">
          ${select('village', t('leader_filter_village'), villages, (code) => villageName(ctx, code))}
          ${select('category', t('leader_filter_category'), CATEGORIES, catLabel)}
          ${select('severity', t('leader_filter_severity'), SEVERITIES, sevLabel)}
          ${select('status', t('leader_filter_status'), STATUSES, stLabel)}
        </div>
        ${choice({ label: t('leader_mine'), testid: 'filter-mine', checked: !!f.mine, onChange: (on) => { f.mine = on; ctx.rerender(); } })}
      </details>
      <form class="open-number" data-testid="open-number" @submit=${(e: Event) => {
        // Any case of the jurisdiction by its number: a partial replica fetches it if not held.
        e.preventDefault();
        const no = new FormData(e.target as HTMLFormElement).get('no')?.toString().trim();
        if (no) ctx.go(`/case/${encodeURIComponent(no)}`);
      }}>
        <input name="no" data-testid="open-number-input" placeholder=${t('leader_open_number')} aria-label=${t('leader_open_number')}>
        <button class="small" type="submit">${t('leader_open')}</button>
      </form>
      ${shown.length === 0 ? html`<p class="empty">${t('leader_empty')}</p>` : ''}
      ${group(t('leader_group_attention'), g.attention, 'attention')}
      ${f.mine ? '' : group(t('leader_group_mine'), shown.filter((c) => mine(c) && c.status !== 'closed' && c.status !== 'reported'), 'mine')}
      ${group(t('leader_group_overdue'), g.overdue, 'overdue')}
      ${group(t('leader_group_other'), g.other, '')}
      ${openMatrix(shown)}
      ${leaderSweeps(ctx)}
    </main>
    ${side ? html`<aside class="side" data-testid="side">${side}</aside>` : splitView(ctx) ? html`<aside class="side"><p class="empty">${t('leader_pick_case')}</p></aside>` : ''}
    </div>`;
}
