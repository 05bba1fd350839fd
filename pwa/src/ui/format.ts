import { t, getLang, type MessageKey } from '../i18n';
import type { CaseListItem } from '../model/types';
import { clockOf } from '../model/casework-rules';
import { deadlineState } from '../rules/overdue';
import { chases, isLeader, worksInField } from '../rules/roles';
import { BEIJING_ZONE } from '../rules/calendar';
import { trustedNow } from './page-clock';

export const catLabel = (c: string) => t(`cat_${c}` as MessageKey) || c;
export const sevLabel = (s: string) => t(`sev_${s}` as MessageKey) || s;
export const stLabel = (s: string) => t(`st_${s}` as MessageKey) || s;
export const tlLabel = (k: string) => t(`tl_${k}` as MessageKey) || k;

export function roleLabel(role: string): string {
  if (isOfficerRole(role)) return t('role_officer');
  if (role.startsWith('township')) return t('role_leader');
  return t('role_county');
}

/** Who may assign, set deadlines, acknowledge, close, reopen and lower severity: the township
 *  and above. The server enforces the same table (docs/permissions.md); the screens only avoid
 *  offering what it would refuse. */
export const mayManage = isLeader;

/** Field roles record cases in their own village; everyone else oversees. */
export const isOfficerRole = worksInField;

// Dates in the app's language and Beijing time, not the phone's locale or zone: 2026年12月1日,
// 12月1日 08:30.
export function fmtTime(ms: number | null): string {
  if (ms == null) return '';
  return new Date(ms).toLocaleString(getLang(), { timeZone: BEIJING_ZONE, month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** With the year: a wrong clock's claim may be years away from the truth. */
export function fmtTimeYear(ms: number | null): string {
  if (ms == null) return '';
  return new Date(ms).toLocaleString(getLang(), { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function fmtDate(ms: number | null): string {
  if (ms == null) return '';
  return new Date(ms).toLocaleDateString(getLang(), { timeZone: BEIJING_ZONE, year: 'numeric', month: 'long', day: 'numeric' });
}

/** A calendar day written `YYYY-MM-DD` (a Beijing day, as date fields and rules hold it), in
 *  the app's language: 2026年12月1日. */
export function fmtYmd(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return getLang() === 'zh-CN' ? `${y}年${m}月${d}日` : new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(getLang(), { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });
}

/** Month and day only (this year's deadlines): 12月15日. */
export function fmtDay(ms: number): string {
  return new Date(ms).toLocaleDateString(getLang(), { timeZone: BEIJING_ZONE, month: 'long', day: 'numeric' });
}

/** How long ago the phone did something (its last sync), read on the phone's own clock: an
 *  elapsed time, right whatever the clock's offset, as long as both readings share it. */
export function fmtAgo(ms: number | null, now = Date.now()): string {
  if (ms == null) return t('sync_never');
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 60) return t('time_just_now');
  if (s < 3600) return t('time_minutes_ago', { n: Math.floor(s / 60) });
  if (s < 86400) return t('time_hours_ago', { n: Math.floor(s / 3600) });
  return fmtTime(ms);
}

export function fmtBytes(n: number | undefined): string {
  if (n == null) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

const SEV_RANK: Record<string, number> = { urgent: 0, major: 1, general: 2 };
export const sevRank = (s: string) => SEV_RANK[s] ?? 3;

/** Overdue by the rule the server reminds by (src/rules/overdue.ts): from 00:00 Beijing time of
 *  the day after the deadline day, until resolved or closed (a disputed closure is not closed). */
export function isOverdue(c: Pick<CaseListItem, 'deadline' | 'status' | 'needs_confirmation' | 'transitions'>, now = trustedNow()): boolean {
  return deadlineState(clockOf(c), now) === 'overdue';
}

/** Chasing (催办) is for county and city administrators (docs/permissions.md). */
export const mayChase = chases;

/** Officer order: urgent first, then newest. */
export function byUrgencyThenNewest(a: CaseListItem, b: CaseListItem): number {
  return sevRank(a.severity) - sevRank(b.severity) || b.reported_at - a.reported_at;
}
