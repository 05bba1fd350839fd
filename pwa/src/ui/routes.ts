// Every screen of a signed-in person, in one table: its path, who may open it, the state made on
// entering it and how it is drawn. The first route is the home screen, which every path nobody
// knows (or the person may not open) shows. Sign-in (#/enrol, #/login) comes before any session
// and stays in main.ts.
import { detailView, freshDetail, loadDetail } from './case-detail';
import { isOfficerRole } from './format';
import { leaderHome, splitView } from './leader-home';
import { mapView } from './map';
import { freshNewCase, newCaseView } from './new-case';
import { officerHome } from './officer-home';
import { freshPetitionForm, petitionForm } from './petition-form';
import { petitionDetail, petitionList, freshPetitionAction } from './petitions';
import { route, type Route } from './router';
import { loadSettings, settingsView, type SettingsState } from './settings';
import { enterStats, mayStat, statsView } from './stats';
import { freshVisitForm, visitForm, visitList } from './visits';
import type { Ctx } from './ctx';

/** The county and township screens: an officer's home has none of them. */
const atDesk = (ctx: Ctx) => !isOfficerRole(ctx.session.user.role);
const mayStatHere = (ctx: Ctx) => atDesk(ctx) && mayStat(ctx.session.user.role);

export const ROUTES: readonly Route[] = [
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
