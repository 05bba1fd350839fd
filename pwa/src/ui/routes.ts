// Every screen, in one table: its path, who may open it, the state made on entering it and how
// it is drawn. Signed out, only the sign-in screens open, and any other path shows #/login;
// signed in, those are closed, and any path nobody knows (or the person may not open) shows the
// home screen. index.html draws #/login's form as plain HTML for a first visit's first paint
// (ui/static-login.ts); from the app's first frame on, this table decides. A `#/login?token=`
// link is no screen but an action, taken in main.ts before any screen is entered.
import { detailView, freshDetail, loadDetail } from './case-detail';
import { isOfficerRole } from './format';
import { leaderHome, splitView } from './leader-home';
import { mapView } from './map';
import { freshNewCase, newCaseView } from './new-case';
import { officerHome } from './officer-home';
import { freshPetitionForm, petitionForm } from './petition-form';
import { petitionDetail, petitionList, freshPetitionAction } from './petitions';
import { gateRoute, route, type Screen } from './router';
import { loginView } from './login';
import { loadSettings, settingsView, type SettingsState } from './settings';
import { enterStats, mayStat, statsView } from './stats';
import { freshVisitForm, visitForm, visitList } from './visits';
import type { Ctx } from './ctx';

/** The county and township screens: an officer's home has none of them. */
const atDesk = (ctx: Ctx) => !isOfficerRole(ctx.session.user.role);
const mayStatHere = (ctx: Ctx) => atDesk(ctx) && mayStat(ctx.session.user.role);

export const ROUTES: readonly Screen[] = [
  // Signed out. The form's state is the page's (ctx.ts `Gate`), not the screen's.
  gateRoute({ path: '/login', load: (g) => g.login, view: (g, st) => loginView(st, g.signIn, g.rerender) }),
  gateRoute({
    path: '/enrol',
    // The link an administrator hands out: phone and code filled in, the password left to type.
    load: (g, _p, q) => Object.assign(g.login, {
      mode: 'enrol', phone: q.get('phone') ?? g.login.phone, code: q.get('code') ?? g.login.code, error: null,
    }),
    view: (g, st) => loginView(st, g.signIn, g.rerender),
  }),
  // Signed in: the first is the home screen.
  route({
    path: '/',
    load: () => null,
    view: (ctx) => (isOfficerRole(ctx.session.user.role) ? officerHome(ctx) : leaderHome(ctx)),
  }),
  route({ path: '/new', load: () => freshNewCase(), view: newCaseView }),
  route({
    path: '/case/:doc',
    load: (ctx, p) => {
      const st = freshDetail(p.doc);
      void loadDetail(ctx, st);
      return st;
    },
    // At a desk the list stays on the left and the case opens beside it.
    view: (ctx, st) => (splitView(ctx) ? leaderHome(ctx, detailView(ctx, st)) : detailView(ctx, st)),
    changed: (ctx, st, doc) => {
      if ((doc === null || doc === st.doc) && !st.desc.editing) void loadDetail(ctx, st);
    },
  }),
  route({
    path: '/settings',
    load: (ctx) => {
      const st: SettingsState = { loaded: false };
      void loadSettings(ctx, st);
      return st;
    },
    view: (ctx, st) => settingsView(ctx, st, ctx.changeLang),
  }),
  route({ path: '/stats', allow: mayStatHere, load: enterStats, view: statsView }),
  route({ path: '/map', allow: mayStatHere, load: () => null, view: (ctx) => mapView(ctx) }),
  route({ path: '/petitions', allow: atDesk, load: () => null, view: (ctx) => petitionList(ctx) }),
  route({ path: '/petitions/new', allow: atDesk, load: () => freshPetitionForm(), view: petitionForm }),
  route({ path: '/petition/:doc', allow: atDesk, load: (_ctx, p) => freshPetitionAction(p.doc), view: petitionDetail }),
  route({ path: '/visits', allow: atDesk, load: () => null, view: (ctx) => visitList(ctx) }),
  route({ path: '/visits/new', allow: atDesk, load: (ctx) => freshVisitForm(ctx), view: visitForm }),
];
