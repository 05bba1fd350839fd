// Sweep campaigns on the phone: the campaign list (with rosters and the server's reports) is
// fetched when online and kept in localStorage, so officers can report and leaders can count
// completeness offline; the reports themselves are documents in the worker's replica.
import type { Campaign, CampaignEntry, LaunchInput, Reminded, UnitName } from '../api/types';
import { completeness, type Completeness, type ReportInput } from '../model/completeness';
import { reportId } from '../model/sweep-id';
import { itemsOf, SWEEP_KIND, type RecordListItem } from '../model/record-kinds';
import type { SweepSummary } from '../model/sweep';
import type { Ctx } from './ctx';
import { trustedNow } from './page-clock';
import { storedCopyKey } from './stored-copies';

interface Cached { fetched_at: number; campaigns: CampaignEntry[]; townships?: UnitName[] }
export interface LocalReport { doc: string; summary: SweepSummary; delivery: string }

/** The session's sweep data, kept in its screen store so the next person on the phone starts
 *  without it. */
interface SweepCache {
  cached: Cached | null;
  reports: LocalReport[];
  loadedAt: number;
  loading: boolean;
  /** The case list the reports were last read against: every change in the replica (a report
   *  pulled in by the live channel's sync included) gives `ctx.cases` a new array. */
  readFor: unknown;
  trailing: ReturnType<typeof setTimeout> | null;
}

function sweepsOf(ctx: Ctx): SweepCache {
  return ctx.screens.keep<SweepCache>('sweep-data', () => {
    const st: SweepCache = { cached: null, reports: [], loadedAt: 0, loading: false, readFor: null, trailing: null };
    ctx.screens.whenClosed(() => { if (st.trailing) clearTimeout(st.trailing); });
    return st;
  });
}

const asLocal = (list: RecordListItem[]): LocalReport[] =>
  itemsOf(SWEEP_KIND, list).map((r) => ({ doc: r.doc, summary: r.summary, delivery: r.delivery }));

/** Keep the phone's own reports in step with its replica: re-read them (a local read, no
 *  network) whenever the replica changed, so a report synced in shows at once. */
function readLocal(ctx: Ctx, st: SweepCache): void {
  if (st.readFor === ctx.cases) return;
  st.readFor = ctx.cases;
  void ctx.worker.call('records', { kind: SWEEP_KIND })
    .then((list) => {
      const before = JSON.stringify(st.reports);
      st.reports = asLocal(list);
      if (JSON.stringify(st.reports) !== before) ctx.rerender();
    })
    .catch(() => { st.readFor = null; });
}

/** Refresh what is stale (a few seconds) and re-render when anything changed. */
export function refreshSweeps(ctx: Ctx, force = false): void {
  if (ctx.screens.closed) return; // signed out: a put-off refresh or a late answer
  const st = sweepsOf(ctx);
  readLocal(ctx, st);
  if (st.loading || (!force && Date.now() - st.loadedAt < 5000)) {
    // A refresh asked for too soon is put off, not dropped: the server's reports still arrive.
    st.trailing ??= setTimeout(() => { st.trailing = null; refreshSweeps(ctx); }, 5000 - (Date.now() - st.loadedAt) + 50);
    return;
  }
  st.loading = true;
  st.loadedAt = Date.now();
  const key = storedCopyKey('campaigns', ctx.session.user.id);
  void (async () => {
    const before = JSON.stringify([st.cached, st.reports]);
    if (!st.cached) {
      const raw = localStorage.getItem(key);
      st.cached = raw ? (JSON.parse(raw) as Cached) : null;
    }
    try {
      const body = await ctx.api.campaigns();
      if (ctx.screens.closed) return; // signed out while it was on its way: keep nothing
      st.cached = { fetched_at: body.now, campaigns: body.campaigns, townships: body.townships ?? [] };
      localStorage.setItem(key, JSON.stringify(st.cached));
    } catch { /* offline or refused: the cached list stands */ }
    try {
      st.reports = asLocal(await ctx.worker.call('records', { kind: SWEEP_KIND }));
    } catch { /* the worker is starting */ }
    st.loading = false;
    if (JSON.stringify([st.cached, st.reports]) !== before) ctx.rerender();
  })();
}

/** The townships this leader may launch a campaign for (a county's or city's; a township's own). */
export function launchTownships(ctx: Ctx): UnitName[] {
  return sweepsOf(ctx).cached?.townships ?? [];
}

export function campaigns(ctx: Ctx): CampaignEntry[] {
  return sweepsOf(ctx).cached?.campaigns ?? [];
}

/** Whether the server corrected the times of a village's report (the phone's clock was wrong). */
export function clockCorrected(entry: CampaignEntry, village: string): boolean {
  return entry.reports.some((r) => r.village === village && (r.clock_corrections ?? 0) > 0);
}

export function localReport(ctx: Ctx, campaign: string, village: string): LocalReport | undefined {
  const id = reportId(campaign, village);
  return sweepsOf(ctx).reports.find((r) => r.doc === id);
}

/** An officer is asked about a campaign from its window's start until a week after its
 *  deadline (a late answer still counts). `now` is the server's clock as this phone knows it: a
 *  phone whose clock runs a month ahead still shows a campaign that is open. */
export function campaignShown(c: Pick<Campaign, 'window_start' | 'deadline'>, now: number): boolean {
  return c.window_start <= now && c.deadline > now - 7 * 86_400_000;
}

/** Completeness from this phone's replica and the server's reports as last fetched: the same
 *  function the server runs (src/model/completeness.ts). */
export function phoneCompleteness(ctx: Ctx, entry: CampaignEntry, now = trustedNow()): Completeness {
  const received = new Map(entry.reports.map((r) => [r.village, r.received_at]));
  const mine: ReportInput[] = sweepsOf(ctx).reports
    .filter((r) => r.summary.campaign === entry.campaign.id)
    .map((r) => ({ village: r.summary.village, found: r.summary.found, nil: r.summary.nil, received_at: received.get(r.summary.village) ?? null }));
  const theirs: ReportInput[] = entry.reports.map(({ village, found, nil, received_at }) => ({ village, found, nil, received_at }));
  return completeness({ deadline: entry.campaign.deadline, now, villages: entry.villages, reports: [...theirs, ...mine] });
}

/** Answer for a village: a new report (the shared genesis plus this edit) or an edit of the
 *  one the phone holds. */
export async function answer(ctx: Ctx, campaign: string, village: string, edit: { nil?: boolean; found?: string[]; notes?: string }): Promise<void> {
  const existing = localReport(ctx, campaign, village);
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
