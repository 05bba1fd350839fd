// What the petition and visit screens share: loading a kind's records from the worker once per
// change, the villages a person may record for, dates in Beijing days, and the countdown
// (剩余N天 / 已超期N天) by the shared clock rules.
import type { Village } from '../api/types';
import { t, type MessageKey } from '../i18n';
import type { PetitionSummary } from '../model/petition-steps';
import { beijingDay, dateString, dayOfDate, dayStartMs, daysLeft, type Deadline } from '../rules/petition';
import { itemsOf, type RecordDetail, type RecordItemOf, type RecordKind, type RecordListItem } from '../model/record-kinds';
import type { Ctx } from './ctx';
import { handlesPetitions, isLeader } from '../rules/roles';
import { trustedNow } from './page-clock';
import { storedCopyKey } from './stored-copies';

/** Who records petitions and their steps (docs/permissions.md): petition staff and the township and above. */
export const mayHandlePetitions = handlesPetitions;
/** Who records downward visits: the township and above. */
export const mayRecordVisits = isLeader;

interface Loaded<T> { key: unknown; value: T | null; loading: boolean }

/** A kind's records, reloaded after any change (every change gives `ctx.cases` a new array). */
export function recordsOf<K extends RecordKind>(ctx: Ctx, kind: K): RecordItemOf<K>[] | null {
  const items = cached<RecordListItem[]>(`records:${kind}`, ctx, () => ctx.worker.call('records', { kind }));
  return items && itemsOf(kind, items);
}

export function recordOf(ctx: Ctx, doc: string): RecordDetail | null {
  return cached<RecordDetail | null>(`record:${doc}`, ctx, () => ctx.worker.call('viewRecord', { doc })) ?? null;
}

/** The last answer of `load`, kept in the session's screen store; asked again once the replica
 *  changed. */
function cached<T>(k: string, ctx: Ctx, load: () => Promise<T>): T | null {
  const st = ctx.screens.keep<Loaded<T>>(k, () => ({ key: null, value: null, loading: false }));
  if (st.key !== ctx.cases && !st.loading) {
    st.loading = true;
    const key = ctx.cases;
    void load().then((v) => { st.value = v; st.key = key; }).catch(() => { st.key = key; })
      .finally(() => { st.loading = false; ctx.rerender(); });
  }
  return st.value;
}

/** The session's village directory (kept in its screen store, so the next person on the phone
 *  starts without it). `loading`: one request at a time, as every screen asks while the first
 *  answer is on its way. */
interface VillageDirectory { list: Village[] | null; loading: boolean }

const directoryOf = (ctx: Ctx) => ctx.screens.keep<VillageDirectory>('villages', () => ({ list: null, loading: false }));

/** The villages in the person's jurisdiction: from the server once, then from this phone. */
export function villagesOf(ctx: Ctx): Village[] | null {
  const dir = directoryOf(ctx);
  if (dir.list || dir.loading || ctx.screens.closed) return dir.list;
  const key = storedCopyKey('villages', ctx.session.user.id);
  const stored = localStorage.getItem(key);
  if (stored) dir.list = JSON.parse(stored) as Village[];
  dir.loading = true;
  void ctx.api.villages()
    .then((fresh) => {
      if (ctx.screens.closed) return; // signed out while it was on its way
      localStorage.setItem(key, JSON.stringify(fresh));
      const changed = JSON.stringify(fresh) !== JSON.stringify(dir.list);
      dir.list = fresh;
      if (changed) ctx.rerender();
    })
    .catch(() => undefined)
    .finally(() => { dir.loading = false; });
  return dir.list;
}

/** A village's name, its code while the directory is not on the phone yet. */
export const villageName = (ctx: Ctx, code: string) => villagesOf(ctx)?.find((v) => v.code === code)?.name ?? code;

export function todayDate(now = trustedNow()): string {
  return dateString(beijingDay(now));
}

/** The instant recorded for a date typed as `YYYY-MM-DD` (Beijing): now for today, else 23:59
 *  that day, so steps recorded later for the same day never predate one another. */
export function atOfDate(date: string, now = trustedNow()): number {
  const day = dayOfDate(date);
  return day === beijingDay(now) ? now : dayStartMs(day + 1) - 60_000;
}

export interface Countdown { text: string; cls: 'ok' | 'soon' | 'today' | 'over' | 'done'; finished: boolean }

/** 剩余N天 / 今天到期 / 已超期N天 for the running deadline; the petitioner's lapsed window ends the item. */
export function countdown(d: Deadline | null, now = trustedNow()): Countdown {
  if (!d) return { text: t('pet_finished'), cls: 'done', finished: true };
  const left = daysLeft(d, now);
  if (d.owner === 'petitioner' && left < 0) return { text: t('pet_finished'), cls: 'done', finished: true };
  if (left > 0) return { text: t('pet_left', { n: left }), cls: left <= 3 ? 'soon' : 'ok', finished: false };
  if (left === 0) return { text: t('pet_today'), cls: 'today', finished: false };
  return { text: t('pet_over', { n: -left }), cls: 'over', finished: false };
}

/** Open items by deadline (most overdue first), then finished ones, newest first. */
export function orderPetitions<T extends { summary: Pick<PetitionSummary, 'deadline' | 'received_at'> }>(items: T[], now = trustedNow()): { open: T[]; done: T[] } {
  const s = (x: T) => x.summary;
  const open = items.filter((x) => !countdown(s(x).deadline, now).finished);
  const done = items.filter((x) => countdown(s(x).deadline, now).finished);
  open.sort((a, b) => s(a).deadline!.day - s(b).deadline!.day || s(a).received_at - s(b).received_at);
  done.sort((a, b) => s(b).received_at - s(a).received_at);
  return { open, done };
}

export const deadlineLabel = (d: Deadline) => t(`dl_${d.kind}` as MessageKey);
