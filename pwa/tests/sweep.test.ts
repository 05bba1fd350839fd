// Shared vectors with the Rust suite: the genesis bytes of a sweep report (written here, checked
// by sync-protocol's `the_genesis_matches_the_pwa_builders_bytes`) and completeness (checked by
// both). Regenerate the genesis vector deliberately with UPDATE_VECTORS=1.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge/slim';
import { completeness, type CompletenessInput, type Completeness } from '../src/model/completeness';
import { sha256 } from '../src/model/sha256';
import { genesisBytes, newReport, summarizeReport, viewReport } from '../src/model/sweep';
import { reportId } from '../src/model/sweep-id';

const VECTORS = new URL('../../sync-protocol/vectors/', import.meta.url);
const GENESIS = new URL('sweep-genesis.json', VECTORS);
const INPUTS: [string, string][] = [
  ['hm-350481101-2026-11-2', '350481101201'],
  ['8d7c1f0e-3b2a-4c59-9e0a-3f2d1c4b5a69', '350481102203'],
  ['春节集中排查', '350481101202'],
];

describe('sweep report genesis', () => {
  it('the synchronous SHA-256 agrees with node:crypto', () => {
    for (const s of ['', 'abc', 'anlan/sweep_report/v1\n春节\n350481101201', 'x'.repeat(200)]) {
      const b = new TextEncoder().encode(s);
      expect(Buffer.from(sha256(b)).toString('hex')).toBe(createHash('sha256').update(b).digest('hex'));
    }
  });

  it('writes the same bytes as the committed vector the Rust builder is checked against', () => {
    const cases = INPUTS.map(([campaign, village]) => ({ campaign, village, ...genesisBytes(campaign, village) }));
    const body = JSON.stringify({ about: 'Genesis change of a sweep report per (campaign, village): pwa/src/model/sweep.ts and sync-protocol/src/sweep must produce these bytes.', cases }, null, 1) + '\n';
    if (process.env.UPDATE_VECTORS || !existsSync(GENESIS)) writeFileSync(GENESIS, body);
    expect(JSON.parse(readFileSync(GENESIS, 'utf8')).cases).toEqual(cases);
  });

  it('two officers offline build one document with both cases', () => {
    const [campaign, village] = INPUTS[0];
    const a = newReport('0a0a0a0a0a0a0a0a0000000000000001', { user: 'u1', village }, { campaign, village, found: ['6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69'] }, new Date(1000));
    const b = newReport('0b0b0b0b0b0b0b0b0000000000000002', { user: 'u2', village }, { campaign, village, nil: true, notes: '已走访' }, new Date(2000));
    expect(a.id).toBe(b.id);
    expect(a.id).toBe(reportId(campaign, village));
    const merged = A.merge(a.doc, b.doc);
    expect(A.getAllChanges(merged)).toHaveLength(3);
    expect(summarizeReport(merged)).toEqual({ campaign, village, state: 'found', found: 1, nil: true });
    expect(viewReport(a.id, merged).reporters).toEqual(['u1', 'u2']);
  });
});

describe('completeness', () => {
  const vectors = JSON.parse(readFileSync(new URL('completeness.json', VECTORS), 'utf8')) as {
    cases: { name: string; input: CompletenessInput; expected: Completeness }[];
  };
  for (const c of vectors.cases) {
    it(`matches the shared vector: ${c.name}`, () => expect(completeness(c.input)).toEqual(c.expected));
  }
});
