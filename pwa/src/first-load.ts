// A first install on a slow link: the page shows the server's list of cases as soon as the
// session is known, while the worker's Automerge wasm is still downloading. The phone's own
// documents replace it once they exist; until the first sync, both are shown.
import type { Api } from './api';
import type { ServerCase } from './api/types';
import type { Db } from './db/schema';
import type { CaseListItem } from './model/types';

/** How far the Automerge engine has got: the home works before it is ready. */
export interface EngineState {
  ready: boolean; got: number; total: number;
  /** Not ready after a moment: worth telling (a start from the cache never shows it). */
  slow: boolean;
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
export async function serverCasesIfFresh(db: Db, api: Api): Promise<CaseListItem[] | null> {
  if ((await db.count('meta')) > 0) return null;
  return (await api.cases(500)).filter((c) => c && typeof c.doc === 'string' && typeof c.title === 'string').map(fromServer);
}

/** What the lists show: the phone's documents, plus the server's until the first sync has
 *  brought them all (the phone's copy wins for a case in both). */
export function shownCases(local: CaseListItem[], server: CaseListItem[] | null, synced: boolean): CaseListItem[] {
  if (synced || !server) return local;
  const have = new Set(local.map((c) => c.doc));
  return [...local, ...server.filter((c) => !have.has(c.doc))];
}
