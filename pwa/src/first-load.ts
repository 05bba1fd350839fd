// A first install on a slow link: the page shows the server's list of cases as soon as the
// session is known, while the worker's Automerge wasm is still downloading. The phone's own
// documents replace it once they exist; until the first sync, both are shown.
import { API_BASE } from './api';
import type { Db } from './db/schema';
import type { CaseListItem } from './model/types';
import { readError } from './sync/http-error';

/** How far the Automerge engine has got: the home works before it is ready. */
export interface EngineState {
  ready: boolean; got: number; total: number;
  /** Not ready after a moment: worth telling (a start from the cache never shows it). */
  slow: boolean;
}

/** One case as `GET /api/v1/cases` serves it (the server's projection). */
interface ServerCase {
  doc: string; case_no: string | null; village: string; category: string; severity: string; status: string; title: string;
  reporter: string; reported_at: number; deadline: number | null; responsible_leader: string | null; handler: string | null;
  conflicts?: unknown[]; timeline?: unknown[]; needs_confirmation?: boolean; transitions?: { to: string; at: number }[];
  location?: { lat: number; lon: number; accuracy_m?: number | null } | null;
}

export function fromServer(c: ServerCase): CaseListItem {
  return {
    doc: c.doc, case_no: c.case_no ?? null, village: c.village, category: c.category, severity: c.severity, status: c.status,
    title: c.title, reporter: c.reporter, reported_at: c.reported_at, deadline: c.deadline ?? null,
    responsible_leader: c.responsible_leader ?? null, handler: c.handler ?? null,
    has_conflicts: (c.conflicts?.length ?? 0) > 0, needs_confirmation: c.needs_confirmation ?? false,
    transitions: c.transitions ?? [], timeline_count: c.timeline?.length ?? 0,
    location: c.location ? { lat: c.location.lat, lon: c.location.lon, accuracy_m: c.location.accuracy_m ?? null } : null,
    delivery: 'sent', rejection: null,
  };
}

/** The server's cases of the person's scope, newest first; null when the phone already holds
 *  documents (the worker's list is then complete and offline-true). */
export async function serverCasesIfFresh(db: Db, token: string): Promise<CaseListItem[] | null> {
  if ((await db.count('meta')) > 0) return null;
  const res = await fetch(`${API_BASE}/api/v1/cases?limit=500`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) throw await readError(res);
  return ((await res.json()) as ServerCase[]).filter((c) => c && typeof c.doc === 'string' && typeof c.title === 'string').map(fromServer);
}

/** What the lists show: the phone's documents, plus the server's until the first sync has
 *  brought them all (the phone's copy wins for a case in both). */
export function shownCases(local: CaseListItem[], server: CaseListItem[] | null, synced: boolean): CaseListItem[] {
  if (synced || !server) return local;
  const have = new Set(local.map((c) => c.doc));
  return [...local, ...server.filter((c) => !have.has(c.doc))];
}
