// Completeness of a sweep campaign, exactly as sync-protocol/src/sweep/completeness.rs computes
// it on the server: a leader's phone runs it offline on its own replica and shows the same
// numbers. Both are checked against sync-protocol/vectors/completeness.json.

export interface RosterVillage { code: string; township: string; county: string }
export interface ReportInput { village: string; found: number; nil: boolean; received_at: number | null }
export interface CompletenessInput { deadline: number; now: number; villages: RosterVillage[]; reports: ReportInput[] }
export type VillageAnswer = 'reported' | 'nil' | 'missing';
export interface VillageState { code: string; township: string; answer: VillageAnswer; late: boolean }
export interface Tally { code: string; villages: number; reported: number; nil: number; missing: number; late: number }
export interface Completeness { total: Tally; counties: Tally[]; townships: Tally[]; villages: VillageState[] }

const tally = (code: string): Tally => ({ code, villages: 0, reported: 0, nil: 0, missing: 0, late: 0 });
const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

function add(t: Tally, v: VillageState) {
  t.villages += 1;
  t[v.answer] += 1;
  t.late += v.late ? 1 : 0;
}

export function completeness(input: CompletenessInput): Completeness {
  const reports = new Map<string, ReportInput>();
  for (const r of input.reports) {
    const e = reports.get(r.village);
    if (!e) { reports.set(r.village, { ...r }); continue; }
    e.found = Math.max(e.found, r.found);
    e.nil ||= r.nil;
    e.received_at = e.received_at != null && r.received_at != null
      ? Math.min(e.received_at, r.received_at) : (e.received_at ?? r.received_at);
  }
  const roster = new Map<string, RosterVillage>();
  for (const v of [...input.villages].sort(byCode)) if (!roster.has(v.code)) roster.set(v.code, v);
  const total = tally('');
  const counties = new Map<string, Tally>();
  const townships = new Map<string, Tally>();
  const villages: VillageState[] = [];
  for (const v of roster.values()) {
    const r = reports.get(v.code);
    const answer: VillageAnswer = r && r.found > 0 ? 'reported' : r && r.nil ? 'nil' : 'missing';
    const late = answer !== 'missing' && !!r && (r.received_at ?? input.now) > input.deadline;
    const state = { code: v.code, township: v.township, answer, late };
    add(total, state);
    if (!counties.has(v.county)) counties.set(v.county, tally(v.county));
    add(counties.get(v.county)!, state);
    if (!townships.has(v.township)) townships.set(v.township, tally(v.township));
    add(townships.get(v.township)!, state);
    villages.push(state);
  }
  return { total, counties: [...counties.values()].sort(byCode), townships: [...townships.values()].sort(byCode), villages };
}
