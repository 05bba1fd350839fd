// What the service worker shows for a push, and where a click on it leads: one branch per
// payload kind (server/src/push/notification.rs). Pure, so it is tested without a service
// worker. Payloads carry no personal data (they cross a third-party push service): places,
// categories, stages and dates only; the app fetches the rest by syncing.
import { zhCN } from './i18n/zh-CN';
import { BEIJING_ZONE } from './rules/calendar';

/** The payload format this build understands (`PAYLOAD_VERSION` on the server). */
export const KNOWN_VERSION = 1;

export type CaseKind = 'urgent' | 'escalation' | 'reminder' | 'due_soon' | 'chase';

export interface CasePush {
  v?: number; kind?: CaseKind; doc_id?: string; case_no?: string | null;
  township?: string; category?: string; severity?: string;
}
export interface PetitionPush {
  v: number; kind: 'petition_due'; doc_id: string; stage: string;
  /** which of the office's deadlines: decide, reply, answer_review… */
  deadline: string; date: string; days_left: number; township: string; village: string;
}
export interface SweepPush {
  v?: number; kind: 'sweep_reminder'; campaign?: string; name?: string; village?: string;
  village_name?: string; deadline?: number; doc_id?: string; days_left?: number;
}
export interface DigestPush { v?: number; kind: 'digest'; cases?: number; area?: string }

export interface Shown {
  title: string;
  options: NotificationOptions & { data: { url: string } };
}

const CASE_KINDS: readonly string[] = ['urgent', 'escalation', 'reminder', 'due_soon', 'chase'];
const m = zhCN as Record<string, string>;
const ICON = '/icons/icon-192.png';

const isObject = (p: unknown): p is Record<string, unknown> => typeof p === 'object' && p !== null;
export const isPetition = (p: unknown): p is PetitionPush =>
  isObject(p) && p.kind === 'petition_due' && typeof p.doc_id === 'string' && typeof p.days_left === 'number';
export const isSweep = (p: unknown): p is SweepPush => isObject(p) && p.kind === 'sweep_reminder';
export const isDigest = (p: unknown): p is DigestPush => isObject(p) && p.kind === 'digest';
/** No kind at all is a case alert too: an unreadable payload may hide something urgent. */
export const isCase = (p: unknown): p is CasePush =>
  isObject(p) && (p.kind === undefined || (typeof p.kind === 'string' && CASE_KINDS.includes(p.kind)));

/** The screen a click opens, as a hash URL the app routes (ui/routes.ts). */
export const caseUrl = (doc: string | undefined) => (doc ? `/#/case/${encodeURIComponent(doc)}` : '/#/');
export const petitionUrl = (doc: string | undefined) => (doc ? `/#/petition/${encodeURIComponent(doc)}` : '/#/petitions');

const fill = (s: string, vars: Record<string, string | number>) =>
  Object.entries(vars).reduce((acc, [k, v]) => acc.split(`{${k}}`).join(String(v)), s);

const shortDate = (ms: number) =>
  new Date(ms).toLocaleDateString('zh-CN', { timeZone: BEIJING_ZONE, month: 'long', day: 'numeric' });

/** `YYYY-MM-DD` → 2月29日, as the petition list shows dates. */
const dayLabel = (date: string) => {
  const [, mo, d] = date.split('-').map(Number);
  return mo && d ? `${mo}月${d}日` : date;
};

function petition(p: PetitionPush): Shown {
  const title = p.days_left > 0 ? fill(zhCN.push_petition_left, { n: p.days_left })
    : p.days_left === 0 ? zhCN.push_petition_today : fill(zhCN.push_petition_over, { n: -p.days_left });
  const what = m[`dl_${p.deadline}`] ?? '';
  const body = [`${p.township}${p.village}`, what && `${what} ${dayLabel(p.date)}`, m[`pst_${p.stage}`]]
    .filter(Boolean).join(' · ');
  return {
    title,
    options: {
      body: body || zhCN.push_open_app, tag: `anlan-petition-${p.doc_id}`, icon: ICON, badge: ICON, lang: 'zh-CN',
      data: { url: petitionUrl(p.doc_id) },
    },
  };
}

function sweep(p: SweepPush): Shown {
  // One per campaign, replaced by the next day's; the home screen lists the sweeps due.
  const body = fill(zhCN.push_sweep_body, { village: p.village_name ?? '', name: p.name ?? '', date: shortDate(p.deadline ?? 0) });
  return {
    title: zhCN.push_kind_sweep_reminder,
    options: { body, tag: `anlan-sweep-${p.campaign ?? ''}`, icon: ICON, lang: 'zh-CN', data: { url: '/#/' } },
  };
}

function digest(p: DigestPush): Shown {
  // The day's news that did not warrant a buzz: quiet, replaces yesterday's, opens the list.
  const body = fill(zhCN.push_digest_body, { area: p.area ?? '', n: p.cases ?? 0 });
  return { title: zhCN.push_kind_digest, options: { body, tag: 'anlan-digest', icon: ICON, lang: 'zh-CN', data: { url: '/#/' } } };
}

function caseAlert(p: CasePush): Shown {
  // Urgent ones stay on screen until dismissed; one per case (tag) so repeats and escalations
  // replace rather than pile up.
  const kind = m[`push_kind_${p.kind ?? 'urgent'}`] ?? zhCN.push_kind_urgent;
  const body = [p.township, p.category && m[`cat_${p.category}`], p.severity && m[`sev_${p.severity}`]].filter(Boolean).join(' · ');
  return {
    title: p.case_no ? `${kind} ${p.case_no}` : kind,
    options: {
      body: body || zhCN.push_open_app, tag: p.doc_id ?? 'anlan-alert',
      requireInteraction: p.severity === 'urgent' || p.kind !== 'reminder',
      icon: ICON, badge: ICON, lang: 'zh-CN', data: { url: caseUrl(p.doc_id) },
    },
  };
}

/** A payload from a newer server, or of a kind this build has never heard of: say only that
 *  something is waiting, rather than guess at its fields. */
function generic(): Shown {
  return { title: zhCN.app_name, options: { body: zhCN.push_open_app, tag: 'anlan-other', icon: ICON, lang: 'zh-CN', data: { url: '/#/' } } };
}

export function notificationFor(p: unknown): Shown {
  if (isObject(p) && typeof p.v === 'number' && p.v > KNOWN_VERSION) return generic();
  if (isPetition(p)) return petition(p);
  if (isSweep(p)) return sweep(p);
  if (isDigest(p)) return digest(p);
  if (isCase(p)) return caseAlert(p);
  return generic();
}
