// The petition and visit screens live under the leader home (the router sends every path it
// does not know there): #/petitions, #/petitions/new, #/petition/<id>, #/visits, #/visits/new.
import type { Ctx } from './ctx';
import { petitionForm, resetPetitionForm } from './petition-form';
import { petitionDetail, petitionList } from './petitions';
import { resetVisitForm, visitForm, visitList } from './visits';

export function recordsRoute(ctx: Ctx) {
  const path = location.hash.replace(/^#/, '').split('?')[0];
  if (path !== '/petitions/new') resetPetitionForm();
  if (path !== '/visits/new') resetVisitForm();
  if (path === '/petitions') return petitionList(ctx);
  if (path === '/petitions/new') return petitionForm(ctx);
  if (path.startsWith('/petition/')) return petitionDetail(ctx, decodeURIComponent(path.slice('/petition/'.length)));
  if (path === '/visits') return visitList(ctx);
  if (path === '/visits/new') return visitForm(ctx);
  return null;
}
