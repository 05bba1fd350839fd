// 统计: the period's figures for leaders (GET /api/v1/stats), bar charts drawn as inline SVG
// (a chart library would cost more than the whole screen), and the XLSX / CSV downloads.
// Statistics come from the server, never the phone's replica: they need every case of the
// jurisdiction, and a phone may hold only what it has synced. Offline, the screen says so.
import { html, svg } from 'lit-html';
import type { Breakdown, Figures, Report } from '../api/types';
import { t, type MessageKey } from '../i18n';
import type { Ctx } from './ctx';
import { header } from './officer-home';
import { isLeader } from '../rules/roles';
import { monthDates } from '../rules/calendar';
import { fmtYmd } from './format';
import { trustedNow } from './page-clock';

/** Roles the server gives statistics to (township and above). */
/** Statistics are for the township and above. */
export const mayStat = isLeader;


export type PeriodKind = 'this_month' | 'last_month' | 'custom';
export interface StatsState {
  kind: PeriodKind; from: string; to: string;
  /** A child unit drilled into; '' is the person's own. */
  unit: string;
  report: Report | null; loading: boolean; error: string | null; downloading: '' | 'xlsx' | 'csv';
}

/** The whole Beijing calendar month containing `now` (offset 0) or the one before (-1). */
export function monthRange(now: number, offset: 0 | -1): { from: string; to: string } {
  const [from, to] = monthDates(now, offset);
  return { from, to };
}

export function freshStats(now = trustedNow()): StatsState {
  return { kind: 'this_month', ...monthRange(now, 0), unit: '', report: null, loading: false, error: null, downloading: '' };
}


export function statsQuery(st: Pick<StatsState, 'from' | 'to' | 'unit'>): string {
  const q = new URLSearchParams({ from: st.from, to: st.to });
  if (st.unit) q.set('unit', st.unit);
  return q.toString();
}

function explain(e: unknown): string {
  return e instanceof TypeError || !navigator.onLine ? t('stats_offline') : t('error_generic', { msg: (e as Error).message });
}

export async function loadStats(ctx: Ctx, st: StatsState): Promise<void> {
  st.loading = true;
  st.error = null;
  ctx.rerender();
  try {
    st.report = await ctx.api.stats(statsQuery(st));
  } catch (e) {
    st.error = explain(e);
  } finally {
    st.loading = false;
    ctx.rerender();
  }
}

/** Fetch with the token (a plain link could not carry it), then save through a Blob URL. */
async function download(ctx: Ctx, st: StatsState, ext: 'xlsx' | 'csv'): Promise<void> {
  st.downloading = ext;
  ctx.rerender();
  try {
    const blob = await ctx.api.statsFile(ext, statsQuery(st));
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${st.report?.unit.name ?? 'anlan'}-${st.from}-${st.to}.${ext}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    ctx.toast(explain(e));
  } finally {
    st.downloading = '';
    ctx.rerender();
  }
}

/** The lines worth a bar (any count not zero), with bar lengths scaled so the longest is `full`. */
export function bars(lines: Breakdown[], full: number): (Breakdown & { foundW: number; resolvedW: number })[] {
  const shown = lines.filter((l) => l.found || l.resolved || l.overdue);
  const max = Math.max(1, ...shown.map((l) => Math.max(l.found, l.resolved)));
  return shown.map((l) => ({ ...l, foundW: (l.found / max) * full, resolvedW: (l.resolved / max) * full }));
}

/** Horizontal bars, found and resolved per line. */
export function barChart(lines: Breakdown[], title: string) {
  const row = 30;
  const labelW = 112;
  const barW = 180;
  const shown = bars(lines, barW);
  const h = Math.max(1, shown.length) * row + 24;
  return html`<figure class="chart" data-testid="chart">
    <figcaption>${title}</figcaption>
    ${shown.length === 0 ? html`<p class="muted">${t('stats_no_data')}</p>` : html`
    <svg viewBox="0 0 ${labelW + barW + 80} ${h}" width="100%" role="img" aria-label=${title}>
      ${shown.map((l, i) => svg`
        <g transform="translate(0 ${i * row})">
          <text x="${labelW - 6}" y="16" text-anchor="end" font-size="12">${l.label}</text>
          <rect x="${labelW}" y="4" width="${l.foundW}" height="10" fill="#1f5f8b"><title>${t('stats_found')} ${l.found}</title></rect>
          <rect x="${labelW}" y="15" width="${l.resolvedW}" height="10" fill="#2e7d32"><title>${t('stats_resolved')} ${l.resolved}</title></rect>
          <text x="${labelW + Math.max(l.foundW, l.resolvedW) + 4}" y="18" font-size="11" fill="#66717d">${l.found}/${l.resolved}</text>
        </g>`)}
      <g transform="translate(${labelW} ${shown.length * row + 6})" font-size="11">
        <rect width="10" height="10" fill="#1f5f8b"/><text x="14" y="9">${t('stats_found')}</text>
        <rect x="70" width="10" height="10" fill="#2e7d32"/><text x="84" y="9">${t('stats_resolved')}</text>
      </g>
    </svg>`}
  </figure>`;
}

const pct = (r: number | null) => (r == null ? '—' : `${r}%`);

function tiles(f: Figures) {
  const tile = (label: string, value: string | number, id: string) =>
    html`<div class="tile" data-testid="tile-${id}"><b>${value}</b><span>${label}</span></div>`;
  return html`<div class="tiles">
    ${tile(t('stats_found'), f.found, 'found')}${tile(t('stats_resolved'), f.resolved, 'resolved')}
    ${tile(t('stats_rate'), pct(f.resolution_rate), 'rate')}${tile(t('stats_overdue'), f.overdue, 'overdue')}
    ${tile(t('stats_villages_visited'), f.villages_visited, 'villages')}${tile(t('stats_sweep_reports'), f.sweep_reports, 'sweep')}
  </div>`;
}


/** 排查完成情况: each campaign due in the period, as in the workbook's sheet. */
function sweepsTable(r: Report) {
  if (!r.sweeps?.length) return '';
  return html`<h3>${t('sweep_title')}</h3>
    <table class="stats-units" data-testid="stats-sweeps">
      <thead><tr><th>${t('sweep_name')}</th><th>${t('sweep_villages_of', { n: '' }).trim()}</th><th>${t('sweep_reported')}</th><th>${t('sweep_nil_short')}</th><th>${t('sweep_missing')}</th><th>${t('sweep_late')}</th></tr></thead>
      <tbody>${r.sweeps.map((l) => html`<tr data-campaign=${l.campaign}><td>${l.name}</td><td>${l.villages}</td><td>${l.reported}</td><td>${l.nil}</td><td>${l.missing}</td><td>${l.late}</td></tr>`)}</tbody>
    </table>`;
}

function unitsTable(ctx: Ctx, st: StatsState, r: Report) {
  if (!r.units.length) return '';
  const drill = (code: string) => { st.unit = code; void loadStats(ctx, st); };
  return html`<h3>${t('stats_by_unit')}</h3>
    <table class="stats-units" data-testid="stats-units">
      <thead><tr><th>${t('stats_unit')}</th><th>${t('stats_found')}</th><th>${t('stats_resolved')}</th><th>${t('stats_rate')}</th><th>${t('stats_overdue')}</th></tr></thead>
      <tbody>${r.units.map((u) => html`<tr>
        <td>${u.kind === 'village' ? u.name : html`<a href="#/stats" @click=${(e: Event) => { e.preventDefault(); drill(u.code); }}>${u.name}</a>`}</td>
        <td>${u.found}</td><td>${u.resolved}</td><td>${pct(u.resolution_rate)}</td><td>${u.overdue}</td></tr>`)}</tbody>
    </table>`;
}

function periodPicker(ctx: Ctx, st: StatsState) {
  const pick = (kind: PeriodKind) => {
    st.kind = kind;
    if (kind !== 'custom') {
      Object.assign(st, monthRange(trustedNow(), kind === 'this_month' ? 0 : -1));
      void loadStats(ctx, st);
    } else ctx.rerender();
  };
  const kinds: [PeriodKind, MessageKey][] = [['this_month', 'stats_this_month'], ['last_month', 'stats_last_month'], ['custom', 'stats_custom']];
  return html`<div class="period" role="group" aria-label=${t('stats_period')}>
      ${kinds.map(([k, label]) => html`<button class="small ${st.kind === k ? 'primary' : ''}" data-testid="period-${k}" @click=${() => pick(k)}>${t(label)}</button>`)}
    </div>
    ${st.kind === 'custom' ? html`<div class="filters">
      <label class="filter">${t('stats_from')}<input type="date" data-testid="stats-from" .value=${st.from} @change=${(e: Event) => { st.from = (e.target as HTMLInputElement).value; }}></label>
      <label class="filter">${t('stats_to')}<input type="date" data-testid="stats-to" .value=${st.to} @change=${(e: Event) => { st.to = (e.target as HTMLInputElement).value; }}></label>
      <button class="small primary" data-testid="stats-apply" @click=${() => void loadStats(ctx, st)}>${t('stats_apply')}</button>
    </div>` : ''}`;
}

/** Entering the screen: the period chosen last time in this session stands, the drill-down
 *  goes back to the person's own unit, and the figures are fetched again. The month is taken
 *  now, by the server's clock as last measured: a phone whose clock says next year still sees
 *  this month's figures. */
export function enterStats(ctx: Ctx): StatsState {
  const st = ctx.screens.stats;
  st.unit = '';
  if (st.kind !== 'custom') Object.assign(st, monthRange(trustedNow(), st.kind === 'this_month' ? 0 : -1));
  void loadStats(ctx, st);
  return st;
}

export function statsView(ctx: Ctx, st: StatsState) {
  const r = st.report;
  const own = ctx.session.unit.code;
  return html`
    ${header(ctx, t('stats_title'), '/')}
    <main class="stats" data-testid="stats">
      ${periodPicker(ctx, st)}
      ${st.loading ? html`<p class="muted">${t('stats_loading')}</p>` : ''}
      ${st.error ? html`<p class="error" data-testid="stats-error">${st.error}</p>` : ''}
      ${r ? html`
        <h2>${r.unit.name} <small>${fmtYmd(r.from)} — ${fmtYmd(r.to)}</small></h2>
        ${st.unit && st.unit !== own ? html`<button class="small ghost" @click=${() => { st.unit = ''; void loadStats(ctx, st); }}>‹ ${ctx.session.unit.name}</button>` : ''}
        <p class="summary panel" data-testid="stats-summary">${r.summary}</p>
        <p class="hint" data-testid="stats-counted">${ctx.status?.pending ? t('stats_unsynced', { n: ctx.status.pending }) : t('stats_server_counted')}</p>
        ${tiles(r.totals)}
        ${barChart(r.by_category, t('stats_by_category'))}
        ${barChart(r.by_severity, t('stats_by_severity'))}
        ${unitsTable(ctx, st, r)}
        ${sweepsTable(r)}
        <div class="downloads">
          <button class="primary" data-testid="download-xlsx" ?disabled=${!!st.downloading} @click=${() => void download(ctx, st, 'xlsx')}>${st.downloading === 'xlsx' ? t('stats_downloading') : t('stats_download_xlsx')}</button>
          <button data-testid="download-csv" ?disabled=${!!st.downloading} @click=${() => void download(ctx, st, 'csv')}>${st.downloading === 'csv' ? t('stats_downloading') : t('stats_download_csv')}</button>
        </div>` : ''}
    </main>`;
}
