// The route table's machinery: which screen a hash path names, and the state of the screen being
// shown. A screen's state is made by its route's `load` when the screen is entered and dropped
// when it is left, so no screen keeps state in its module between visits.
import type { Ctx } from './ctx';

export type Params = Record<string, string>;

/** One screen. `path` is matched segment by segment; `:name` takes one segment, URI-decoded. */
export interface Route<S = unknown> {
  path: string;
  /** Who may open the screen; anyone else gets the home screen, as for a path nobody knows. */
  allow?(ctx: Ctx): boolean;
  /** Entering the screen: its fresh state, with any loading it needs started. */
  load(ctx: Ctx, params: Params): S;
  view(ctx: Ctx, state: S): unknown;
  /** A document changed in the replica (`null`: several did): reload what the screen shows. */
  changed?(ctx: Ctx, state: S, doc: string | null): void;
}

/** Keeps the type of each route's state between its `load`, `view` and `changed`. */
export const route = <S>(r: Route<S>): Route => r as Route;

/** The parameters of `path` under `pattern`, or null when it does not fit. */
export function matchPath(pattern: string, path: string): Params | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (!got[i]) return null;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return null; // a malformed escape names no record
      }
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** The route for `path`, or the table's first route (the home screen) when none fits or the
 *  person may not open it. */
export function resolve(table: readonly Route[], ctx: Ctx, path: string): { route: Route; params: Params } {
  for (const r of table) {
    const params = matchPath(r.path, path);
    if (params && (!r.allow || r.allow(ctx))) return { route: r, params };
  }
  return { route: table[0], params: {} };
}

/** The screen being shown and its state. */
export class Router {
  private shown: { path: string; route: Route; state: unknown } | null = null;

  constructor(private table: readonly Route[]) {}

  /** Show `path`; true when that entered a screen. The same path again keeps the screen's state
   *  (a re-render, a query change). */
  enter(ctx: Ctx, path: string): boolean {
    if (this.shown?.path === path) return false;
    const { route, params } = resolve(this.table, ctx, path);
    this.shown = { path, route, state: route.load(ctx, params) };
    return true;
  }

  /** Forget the screen: the next `enter` loads it afresh (a new sign-in). */
  reset(): void {
    this.shown = null;
  }

  view(ctx: Ctx): unknown {
    return this.shown ? this.shown.route.view(ctx, this.shown.state) : null;
  }

  changed(ctx: Ctx, doc: string | null): void {
    this.shown?.route.changed?.(ctx, this.shown.state, doc);
  }
}
