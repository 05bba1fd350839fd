// What every screen gets: the session, the worker, the latest list and sync status, navigation.
import type { Api } from '../api';
import type { Session } from '../db/schema';
import type { CaseListItem } from '../model/types';
import type { WorkerClient } from '../worker/client';
import type { SyncStatus } from '../worker/rpc';
import type { EngineState } from '../first-load';
import type { Lang } from '../i18n';
import type { ScreenStore } from './screen-store';
import type { LoginState } from './login';

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

/** What the sign-in screens get, before any session exists: the page's sign-in form (it
 *  outlives its screen, as index.html's static form hands it what was typed, and a refusal
 *  shown after a sign-out must survive the screen being entered) and how to sign in. */
export interface Gate {
  login: LoginState;
  /** Sign in with a device token: from the form (password or code), or from a link. */
  signIn(token: string): void;
  rerender(): void;
}

/** Who the page is shown to: a signed-in session, or nobody yet. */
export type Visitor = Ctx | Gate;

export const isSignedIn = (v: Visitor): v is Ctx => 'session' in v;
/** The `allow` of the sign-in screens. */
export const isSignedOut = (v: Visitor): v is Gate => !isSignedIn(v);
