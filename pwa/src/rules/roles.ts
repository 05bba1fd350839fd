// Who is who: the twin of sync-protocol/src/roles.rs. Both run sync-protocol/vectors/roles.json,
// which the Rust side generates from its rules, so the screens offer what the server allows.

export const ROLES = [
  'village_officer', 'work_team', 'opinion_guide', 'township_leader', 'township_staff',
  'county_admin', 'city_admin', 'petition_staff', 'system_admin',
] as const;
export type Role = (typeof ROLES)[number];

export const UNIT_KINDS = ['city', 'county', 'township', 'village', 'group'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export type Rank = 'field' | 'leader';

const asRole = (role: string): Role | null => ((ROLES as readonly string[]).includes(role) ? role as Role : null);

const LEADERS: readonly Role[] = ['township_leader', 'township_staff', 'county_admin', 'city_admin', 'system_admin'];
const ADMINS: readonly Role[] = ['county_admin', 'city_admin', 'system_admin'];
const LEVEL: Record<Role, number> = {
  system_admin: 6, city_admin: 5, county_admin: 4, township_leader: 3, township_staff: 2,
  village_officer: 1, work_team: 1, opinion_guide: 1, petition_staff: 1,
};

/** The case-permission column: the township and above may assign, close, lower severity. */
export const rank = (role: string): Rank => (LEADERS.includes(asRole(role)!) ? 'leader' : 'field');
export const isLeader = (role: string) => rank(role) === 'leader';
export const level = (role: string) => LEVEL[asRole(role) ?? 'village_officer'];
export const isAdmin = (role: string) => ADMINS.includes(asRole(role)!);

export function grantable(role: string): Role[] {
  if (isAdmin(role)) return ROLES.filter((r) => LEVEL[r] <= level(role));
  if (role === 'township_leader') return ['village_officer', 'work_team'];
  return [];
}

export const answersForVillage = (role: string) => role === 'village_officer' || role === 'work_team';
export const worksInField = (role: string) => answersForVillage(role) || role === 'opinion_guide';
export const chases = (role: string) => role === 'county_admin' || role === 'city_admin';
export const handlesPetitions = (role: string) => role === 'petition_staff' || isLeader(role);
export const extendsPetitions = (role: string) => role === 'petition_staff';
export const coversSeveralVillages = (role: string) => role === 'work_team';

const ALERTED: Partial<Record<Role, UnitKind>> = { township_leader: 'township', county_admin: 'county', city_admin: 'city' };
export const alertedFor = (role: string): UnitKind | null => ALERTED[asRole(role)!] ?? null;

export function fitsUnit(role: string, kind: UnitKind): boolean {
  switch (role) {
    case 'village_officer': return kind === 'village';
    case 'work_team': return kind === 'village' || kind === 'township';
    case 'township_leader': case 'township_staff': return kind === 'township';
    case 'county_admin': return kind === 'county';
    case 'city_admin': return kind === 'city';
    default: return kind !== 'group';
  }
}

const CHOICE_ORDER: Partial<Record<Role, number>> = {
  township_leader: 0, county_admin: 1, city_admin: 1, township_staff: 2, system_admin: 3,
};
/** Leaders (those who may be 包案领导) ahead of everyone else when choosing one: the township's
 *  own first, then the county's and city's, then staff; everyone else after. */
export const leaderChoiceOrder = (role: string) => CHOICE_ORDER[asRole(role)!] ?? 9;

/** A unit goes exactly one level under its parent: a village under a township. */
export const fitsUnder = (kind: UnitKind, parent: UnitKind) => UNIT_KINDS.indexOf(kind) === UNIT_KINDS.indexOf(parent) + 1;
