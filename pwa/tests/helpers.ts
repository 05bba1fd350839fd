import { openAnlanDb } from '../src/db/schema';
import { DocRepo } from '../src/db/repo';
import { newActor } from '../src/model/ids';
import type { NewCaseInput } from '../src/model/types';

let n = 0;
export const PREFIX_A = '0a0a0a0a0a0a0a0a';
export const PREFIX_B = '0b0b0b0b0b0b0b0b';

/** A fresh database (a new phone) and a repo on it. */
export async function phone(prefix = PREFIX_A, user = 'u_demo_officer', village = '350481101201') {
  const name = `test-${++n}-${Math.random()}`;
  const db = await openAnlanDb(name);
  return { db, name, repo: new DocRepo(db, newActor(prefix), { user, village }) };
}

export function input(over: Partial<NewCaseInput> = {}): NewCaseInput {
  return {
    category: 'land', severity: 'major', title: '村口土地边界纠纷', description: '两户因宅基地边界争执。',
    parties: [{ name: '张三', phone: '138 0000 0000', note: null }], location: null, ...over,
  };
}
