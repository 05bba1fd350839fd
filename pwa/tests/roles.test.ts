// The role rules' shared vectors: generated from sync-protocol/src/roles.rs, run here too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ROLES, UNIT_KINDS, alertedFor, answersForVillage, chases, coversSeveralVillages, fitsUnder, fitsUnit,
  extendsPetitions, grantable, handlesPetitions, isAdmin, level, rank, worksInField,
} from '../src/rules/roles';

interface RoleVector {
  role: string; rank: string; level: number; is_admin: boolean; grantable: string[];
  answers_for_village: boolean; works_in_field: boolean; chases: boolean; handles_petitions: boolean; extends_petitions: boolean;
  covers_several_villages: boolean; alerted_for: string | null; fits_unit: string[];
}

const FILE = new URL('../../sync-protocol/vectors/roles.json', import.meta.url);
const all = JSON.parse(readFileSync(FILE, 'utf8')) as {
  roles: RoleVector[]; unit_kinds: { kind: string; fits_under: string[] }[];
};

describe('role rules (shared vectors)', () => {
  it('knows the same roles and unit kinds, in the same order', () => {
    expect(all.roles.map((v) => v.role)).toEqual([...ROLES]);
    expect(all.unit_kinds.map((v) => v.kind)).toEqual([...UNIT_KINDS]);
  });
  for (const v of all.roles) {
    it(v.role, () => {
      expect({
        role: v.role, rank: rank(v.role), level: level(v.role), is_admin: isAdmin(v.role),
        grantable: grantable(v.role), answers_for_village: answersForVillage(v.role),
        works_in_field: worksInField(v.role), chases: chases(v.role), handles_petitions: handlesPetitions(v.role), extends_petitions: extendsPetitions(v.role),
        covers_several_villages: coversSeveralVillages(v.role), alerted_for: alertedFor(v.role),
        fits_unit: UNIT_KINDS.filter((k) => fitsUnit(v.role, k)),
      }).toEqual(v);
    });
  }
  for (const k of all.unit_kinds) {
    it(`a ${k.kind} fits under ${k.fits_under.join(', ') || 'nothing'}`, () => {
      expect(UNIT_KINDS.filter((p) => fitsUnder(k.kind as never, p))).toEqual(k.fits_under);
    });
  }
  it('ranks unknown text as field staff with no rights', () => {
    expect(rank('nobody')).toBe('field');
    expect(grantable('nobody')).toEqual([]);
  });
});
