// The route table's machinery: which screen a hash path names for whoever is looking (a
// signed-in session or nobody yet), and the state of the screen being shown. A screen's state is
// made by its route's `load` when the screen is entered and dropped when it is left, so no
// screen keeps state in its module between visits.
import { isSignedIn, isSignedOut, type Ctx, type Gate, type Visitor } from './ctx';

export type Params = Record<string, string>;

/** One screen of a signed-in person. `path` is matched segment by segment; `:name` takes one
 *  segment, URI-decoded. */
export interface Route<S = unknown> {
  path: string;
  /** Who may open the screen; anyone else gets their home screen, as for a path nobody knows. */
  allow?(ctx: Ctx): boolean;
  /** Entering the screen: its fresh state, with any loading it needs started. `query` is what
   *  follows `?` in the hash. */
  load(ctx: Ctx, params: Params, query: URLSearchParams): S;
  view(ctx: Ctx, state: S): unknown;
  /** A document changed in the replica (`null`: several did): reload what the screen shows. */
  changed?(ctx: Ctx, state: S, doc: string | null): void;
}

/** One screen before anyone signs in (sign-in, enrolment with a code). */
export interface GateRoute<S = unknown> {
  path: string;
  load(gate: Gate, params: Params, query: URLSearchParams): S;
  view(gate: Gate, state: S): unknown;
}

/** A row of the table, whichever kind: `allow` says who may open it, and a row is only ever
 *  entered for a visitor its `allow` took, which is what makes the casts in `route` and
 *  `gateRoute` sound. */
export interface Screen {
  path: string;
  allow(v: Visitor): boolean;
  load(v: Visitor, params: Params, query: URLSearchParams): unknown;
  view(v: Visitor, state: unknown): unknown;
  changed?(ctx: Ctx, state: unknown, doc: string | null): void;
}

/** A signed-in screen, its state's type kept between `load`, `view` and `changed`. */
export function route<S>(r: Route<S>): Screen {
  const may = r.allow;
  return {
    path: r.path,
    allow: (v) => isSignedIn(v) && (!may || may(v)),
    load: r.load as Screen['load'],
    view: r.view as Screen['view'],
    changed: r.changed as Screen['changed'],
  };
}

/** A signed-out screen: its `allow` is `isSignedOut`. */
export function gateRoute<S>(r: GateRoute<S>): Screen {
  return { path: r.path, allow: isSignedOut, load: r.load as Screen['load'], view: r.view as Screen['view'] };
}

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

/** The route for `path`, or the visitor's home screen (the first route of the table they may
 *  open, which takes no parameters) when none fits or they may not open it. */
export function resolve(table: readonly Screen[], v: Visitor, path: string): { route: Screen; params: Params } {
  for (const r of table) {
    const params = matchPath(r.path, path);
    if (params && r.allow(v)) return { route: r, params };
  }
  const home = table.find((r) => r.allow(v));
  if (!home) throw new Error('the route table has no screen for this visitor');
  return { route: home, params: {} };
}

/** The screen being shown, who it was entered for, and its state. */
export class Router {
  private shown: { path: string; who: Visitor; route: Screen; state: unknown } | null = null;

  constructor(private table: readonly Screen[]) {}

  /** Show `path` to `v`; true when that entered a screen. The same path for the same visitor
   *  keeps the screen's state (a re-render, a query change); another visitor (a sign-in, a
   *  sign-out) always enters afresh. */
  enter(v: Visitor, path: string, query = new URLSearchParams()): boolean {
    if (this.shown?.path === path && this.shown.who === v) return false;
    const { route, params } = resolve(this.table, v, path);
    this.shown = { path, who: v, route, state: route.load(v, params, query) };
    return true;
  }

  /** Forget the screen: the next `enter` loads it afresh. */
  reset(): void {
    this.shown = null;
  }

  /** The screen entered last, drawn for the visitor it was entered for. */
  view(): unknown {
    return this.shown ? this.shown.route.view(this.shown.who, this.shown.state) : null;
  }

  /** A document changed: only a screen entered for this session hears of it. */
  changed(ctx: Ctx, doc: string | null): void {
    if (this.shown?.who === ctx) this.shown.route.changed?.(ctx, this.shown.state, doc);
  }
}
