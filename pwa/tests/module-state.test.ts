// Screens keep their state in the session (ctx.screens, src/ui/screen-store.ts), never in their
// module: module state outlives a sign-out, so the next person on the phone would see it. This
// reads src/ui for the shapes such state takes at the top level of a module.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const UI = path.resolve(__dirname, '../src/ui');

/** Module-level state of one file: top-level `let`/`var`, and top-level containers made to be
 *  filled later (`new Map`, `new Set`, an object or array literal that is not `as const`). */
export function moduleState(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:export\s+)?(?:let|var)\s+([A-Za-z_$][\w$]*)/gm)) found.push(m[1]);
  for (const m of text.matchAll(/^(?:export\s+)?const\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?=\s*new\s+(?:Map|Set|WeakMap|WeakSet)\b/gm)) found.push(m[1]);
  // UPPER_CASE tables are constants by convention; a lower-case name bound to a literal is state.
  for (const m of text.matchAll(/^(?:export\s+)?const\s+([a-z][\w$]*)\s*(?::[^=\n]+)?=\s*[{[][^;]*?(?:;|\n\n)/gms)) {
    if (!/as const\s*;?\s*$/.test(m[0])) found.push(m[1]);
  }
  return found;
}

/** The one allowed: the server's clock as this phone measured it, the same for whoever signs in
 *  and set again at every sync. */
const ALLOWED: Record<string, string[]> = { 'page-clock.ts': ['offsetMs'] };

describe('screen modules', () => {
  it('hold no state of their own', () => {
    const found: Record<string, string[]> = {};
    for (const f of fs.readdirSync(UI).filter((f) => f.endsWith('.ts'))) {
      const names = moduleState(fs.readFileSync(path.join(UI, f), 'utf8')).filter((n) => !ALLOWED[f]?.includes(n));
      if (names.length) found[f] = names;
    }
    expect(found).toEqual({});
  });

  it('would be caught keeping some (the check reads what it should)', () => {
    expect(moduleState('let villages: Village[] | null = null;\nlet villagesLoading = false;\n')).toEqual(['villages', 'villagesLoading']);
    expect(moduleState('export const sweepState = {\n  cached: null,\n  loading: false,\n};\n')).toEqual(['sweepState']);
    expect(moduleState('const views = new Map<string, Entry>();\n')).toEqual(['views']);
    expect(moduleState('const cache: Cache = { list: [] };\n')).toEqual(['cache']);
    expect(moduleState("const PATHS = { a: 'b' };\nconst uiOf = (ctx: Ctx) => ctx.screens.keep('x', () => ({}));\n  let inner = 1;\n")).toEqual([]);
  });
});
