// Sweep campaigns on the phone: the campaign list (with rosters and the server's reports) is
// fetched when online and kept in localStorage, so officers can report and leaders can count
// completeness offline; the reports themselves are documents in the worker's replica.
import { API_BASE } from '../api';
import { completeness, type Completeness, type ReportInput, type RosterVillage } from '../model/completeness';
import { reportId, SWEEP_KIND } from '../model/sweep-id';
import type { SweepSummary } from '../model/sweep';
import { readError } from '../sync/http-error';
import type { Ctx } from './ctx';
import { trustedNow } from './page-clock';

export interface Campaign {
  id: string; name: string; kind: string; unit_code: string; window_start: number; window_end: number;
  deadline: number; focus: string[]; created_by: string | null;
}
/** A report as the server lists it: the completeness input, and beside it (never counted) how
 *  many of its times the server corrected for a wrong phone clock. */
export type ServerReport = ReportInput & { clock_corrections?: number };
export interface CampaignEntry { campaign: Campaign; villages: (RosterVillage & { name: string; township_name?: string })[]; reports: ServerReport[] }
export interface UnitName { code: string; name: string }
interface Cached { fetched_at: number; campaigns: CampaignEntry[]; townships?: UnitName[] }
export interface LocalReport { doc: string; summary: SweepSummary; delivery: string }

export const sweepState = {
  cached: null as Cached | null,
  reports: [] as LocalReport[],
  loadedAt: 0,
  loading: false,
  /** The case list the reports were last read against: every change in the replica (a report
   *  pulled in by the live channel's sync included) gives `ctx.cases` a new array. */
  readFor: null as unknown,
  trailing: null as ReturnType<typeof setTimeout> | null,
};

/** Keep the phone's own reports in step with its replica: re-read them (a local read, no
 *  network) whenever the replica changed, so a report synced in shows at once. */
function readLocal(ctx: Ctx): void {
  if (sweepState.readFor === ctx.cases) return;
  const key = ctx.cases;
  sweepState.readFor = key;
  void (ctx.worker.call('records', { kind: SWEEP_KIND }) as Promise<{ doc: string; summary: unknown; delivery: string }[]>)
    .then((list) => {
      const before = JSON.stringify(sweepState.reports);
      sweepState.reports = list.map((r) => ({ doc: r.doc, summary: r.summary as SweepSummary, delivery: r.delivery }));
      if (JSON.stringify(sweepState.reports) !== before) ctx.rerender();
    })
    .catch(() => { sweepState.readFor = null; });
}

const key = (ctx: Ctx) => `anlan.campaigns.${ctx.session.user.id}`;

/** Refresh what is stale (a few seconds) and re-render when anything changed. */
export function refreshSweeps(ctx: Ctx, force = false): void {
  readLocal(ctx);
  if (sweepState.loading || (!force && Date.now() - sweepState.loadedAt < 5000)) {
    // A refresh asked for too soon is put off, not dropped: the server's reports still arrive.
    sweepState.trailing ??= setTimeout(() => { sweepState.trailing = null; refreshSweeps(ctx); }, 5000 - (Date.now() - sweepState.loadedAt) + 50);
    return;
  }
  sweepState.loading = true;
  sweepState.loadedAt = Date.now();
  void (async () => {
    const before = JSON.stringify([sweepState.cached, sweepState.reports]);
    if (!sweepState.cached) {
      const raw = localStorage.getItem(key(ctx));
      sweepState.cached = raw ? (JSON.parse(raw) as Cached) : null;
    }
    try {
      const res = await fetch(`${API_BASE}/api/v1/campaigns`, { headers: { Authorization: `Bearer ${ctx.token}` }, cache: 'no-store' });
      if (res.ok) {
        const body = (await res.json()) as { now: number; campaigns: CampaignEntry[]; townships?: UnitName[] };
        sweepState.cached = { fetched_at: body.now, campaigns: body.campaigns, townships: body.townships ?? [] };
        localStorage.setItem(key(ctx), JSON.stringify(sweepState.cached));
      }
    } catch { /* offline: the cached list stands */ }
    try {
      const list = (await ctx.worker.call('records', { kind: SWEEP_KIND })) as { doc: string; summary: unknown; delivery: string }[];
      sweepState.reports = list.map((r) => ({ doc: r.doc, summary: r.summary as SweepSummary, delivery: r.delivery }));
    } catch { /* the worker is starting */ }
    sweepState.loading = false;
    if (JSON.stringify([sweepState.cached, sweepState.reports]) !== before) ctx.rerender();
  })();
}

/** The townships this leader may launch a campaign for (a county's or city's; a township's own). */
export function launchTownships(): UnitName[] {
  return sweepState.cached?.townships ?? [];
}

export function campaigns(): CampaignEntry[] {
  return sweepState.cached?.campaigns ?? [];
}

/** Whether the server corrected the times of a village's report (the phone's clock was wrong). */
export function clockCorrected(entry: CampaignEntry, village: string): boolean {
  return entry.reports.some((r) => r.village === village && (r.clock_corrections ?? 0) > 0);
}

export function localReport(campaign: string, village: string): LocalReport | undefined {
  const id = reportId(campaign, village);
  return sweepState.reports.find((r) => r.doc === id);
}

/** An officer is asked about a campaign from its window's start until a week after its
 *  deadline (a late answer still counts). `now` is the server's clock as this phone knows it: a
 *  phone whose clock runs a month ahead still shows a campaign that is open. */
export function campaignShown(c: Pick<Campaign, 'window_start' | 'deadline'>, now: number): boolean {
  return c.window_start <= now && c.deadline > now - 7 * 86_400_000;
}

/** Completeness from this phone's replica and the server's reports as last fetched: the same
 *  function the server runs (src/model/completeness.ts). */
export function phoneCompleteness(entry: CampaignEntry, now = trustedNow()): Completeness {
  const received = new Map(entry.reports.map((r) => [r.village, r.received_at]));
  const mine: ReportInput[] = sweepState.reports
    .filter((r) => r.summary.campaign === entry.campaign.id)
    .map((r) => ({ village: r.summary.village, found: r.summary.found, nil: r.summary.nil, received_at: received.get(r.summary.village) ?? null }));
  const theirs: ReportInput[] = entry.reports.map(({ village, found, nil, received_at }) => ({ village, found, nil, received_at }));
  return completeness({ deadline: entry.campaign.deadline, now, villages: entry.villages, reports: [...theirs, ...mine] });
}

/** Answer for a village: a new report (the shared genesis plus this edit) or an edit of the
 *  one the phone holds. */
export async function answer(ctx: Ctx, campaign: string, village: string, edit: { nil?: boolean; found?: string[]; notes?: string }): Promise<void> {
  const existing = localReport(campaign, village);
  if (!existing) {
    await ctx.worker.call('createRecord', { kind: SWEEP_KIND, input: { campaign, village, ...edit } });
  } else {
    for (const c of edit.found ?? []) await ctx.worker.call('editRecord', { doc: existing.doc, edit: { op: 'found', case: c } });
    if (edit.nil) await ctx.worker.call('editRecord', { doc: existing.doc, edit: { op: 'nil' } });
    if (edit.notes) await ctx.worker.call('editRecord', { doc: existing.doc, edit: { op: 'notes', text: edit.notes } });
  }
  refreshSweeps(ctx, true);
}

export interface LaunchInput { name: string; kind: string; window_start: number; window_end: number; deadline: number; focus: string[]; townships: string[] }

export async function launchCampaign(ctx: Ctx, input: LaunchInput): Promise<void> {
  const res = await fetch(`${API_BASE}/api/v1/campaigns`, {
    method: 'POST', cache: 'no-store',
    headers: { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  if (!res.ok) throw await readError(res);
  refreshSweeps(ctx, true);
}

export interface Reminded { villages: number; people: number; sent: number; reminded: string[]; already_today: string[] }

/** Remind the officers of the villages still missing (once a day per village, server-side). */
export async function remindMissing(ctx: Ctx, campaign: string): Promise<Reminded> {
  const res = await fetch(`${API_BASE}/api/v1/campaigns/${encodeURIComponent(campaign)}/remind`, {
    method: 'POST', cache: 'no-store', headers: { Authorization: `Bearer ${ctx.token}` },
  });
  if (!res.ok) throw await readError(res);
  return (await res.json()) as Reminded;
}
