// What every screen gets: the session, the worker, the latest list and sync status, navigation.
import type { Api } from '../api';
import type { Session } from '../db/schema';
import type { CaseListItem } from '../model/types';
import type { WorkerClient } from '../worker/client';
import type { SyncStatus } from '../worker/rpc';
import type { EngineState } from '../first-load';
import type { Lang } from '../i18n';
import type { ScreenStore } from './screen-store';

export interface Ctx {
  session: Session;
  /** The device token, for the few JSON calls the page makes itself (sync runs in the worker). */
  token: string;
  /** Those calls, with this token (src/api.ts). */
  api: Api;
  worker: WorkerClient;
  cases: CaseListItem[];
  status: SyncStatus | null;
  /** The worker's Automerge engine: lists and forms work before it is ready (first install). */
  engine: EngineState;
  online: boolean;
  screens: ScreenStore;
  go(path: string): void;
  changeLang(lang: Lang): void;
  rerender(): void;
  logout(): Promise<void>;
  toast(msg: string): void;
}

/** Online as far as the person is concerned: the browser thinks so and the server answers. */
export function isOnline(ctx: Ctx): boolean {
  return ctx.online && ctx.status?.reachable !== false;
}
