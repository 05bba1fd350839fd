// Sweep campaigns on the phone: the campaign list (with rosters and the server's reports) is
// fetched when online and kept in localStorage, so officers can report and leaders can count
// completeness offline; the reports themselves are documents in the worker's replica.
import type { Campaign, CampaignEntry, LaunchInput, Reminded, UnitName } from '../api/types';
import { completeness, type Completeness, type ReportInput } from '../model/completeness';
import { reportId } from '../model/sweep-id';
import { itemsOf, SWEEP_KIND } from '../model/record-kinds';
import type { SweepSummary } from '../model/sweep';
import type { Ctx } from './ctx';
import { trustedNow } from './page-clock';

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
  void ctx.worker.call('records', { kind: SWEEP_KIND })
    .then((list) => {
      const before = JSON.stringify(sweepState.reports);
      sweepState.reports = itemsOf(SWEEP_KIND, list).map((r) => ({ doc: r.doc, summary: r.summary, delivery: r.delivery }));
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
      const body = await ctx.api.campaigns();
      sweepState.cached = { fetched_at: body.now, campaigns: body.campaigns, townships: body.townships ?? [] };
      localStorage.setItem(key(ctx), JSON.stringify(sweepState.cached));
    } catch { /* offline or refused: the cached list stands */ }
    try {
      const list = await ctx.worker.call('records', { kind: SWEEP_KIND });
      sweepState.reports = itemsOf(SWEEP_KIND, list).map((r) => ({ doc: r.doc, summary: r.summary, delivery: r.delivery }));
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
    for (const c of edit.found ?? []) await ctx.worker.call('editRecord', { doc: existing.doc, kind: SWEEP_KIND, edit: { op: 'found', case: c } });
    if (edit.nil) await ctx.worker.call('editRecord', { doc: existing.doc, kind: SWEEP_KIND, edit: { op: 'nil' } });
    if (edit.notes) await ctx.worker.call('editRecord', { doc: existing.doc, kind: SWEEP_KIND, edit: { op: 'notes', text: edit.notes } });
  }
  refreshSweeps(ctx, true);
}

export async function launchCampaign(ctx: Ctx, input: LaunchInput): Promise<void> {
  await ctx.api.launchCampaign(input);
  refreshSweeps(ctx, true);
}

/** Remind the officers of the villages still missing (once a day per village, server-side). */
export function remindMissing(ctx: Ctx, campaign: string): Promise<Reminded> {
  return ctx.api.remindMissing(campaign);
}
