// The page never loads Automerge: it runs only in the worker (scripts/check-bundle.mjs checks
// the built chunks). This checks the sources, so a screen that imports a value — even a
// constant — from a module that imports Automerge fails here with the chain that does it,
// before a bundler's tree-shaking decides whether the glue comes along.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

/** The modules `file` imports for their values (`import type` and `export type` are erased). */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gms)) {
    if (m[2]) continue;
    out.push(m[4]);
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1]);
  return out;
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const f of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(f)) return f;
  return null; // CSS and other assets
}

/** The chain of modules from main.ts to one that imports Automerge, or null. */
function automergeChain(): string[] | null {
  const entry = path.join(SRC, 'main.ts');
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const spec of valueImports(file)) {
      if (spec.startsWith('@automerge/')) {
        const chain = [file];
        for (let p = parent.get(file); p; p = parent.get(p)) chain.unshift(p);
        return chain.map((f) => path.relative(SRC, f));
      }
      const next = resolve(file, spec);
      if (next && !parent.has(next)) {
        parent.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

describe("the page's imports", () => {
  it('reach no module that imports Automerge', () => {
    expect(automergeChain()).toBeNull();
  });

  it('would see it if one did (the walk follows value imports)', () => {
    // repo.ts imports Automerge; the worker reaches it, the page must not.
    expect(valueImports(path.join(SRC, 'db/repo.ts'))).toContain('@automerge/automerge/slim');
    expect(valueImports(path.join(SRC, 'main.ts'))).toContain('./ui/routes');
  });
});
