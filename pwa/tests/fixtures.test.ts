// Golden wire fixture: a sync request pushing a case exactly as this PWA creates it. The bytes
// are committed, so a change to the document types (a string turning into Text, a missing
// null) or to the CBOR encoding shows up as a diff here; the Rust suite loads the same file
// (sync-protocol/src/case/tests.rs) to prove the server's schema accepts what the PWA sends.
// Regenerate deliberately with UPDATE_FIXTURES=1 npx vitest run tests/fixtures.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge/slim';
import { newCase } from '../src/model/case';
import { decodeRequest, encodeRequest } from '../src/sync/protocol';

const FILE = new URL('./fixtures/pwa-new-case.sync-request.cbor', import.meta.url);
const DOC = '6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69';
const ACTOR = '0a0a0a0a0a0a0a0a' + '00000000000000a1';

function build(): Uint8Array {
  const doc = newCase(ACTOR, { user: 'u_demo_officer', village: '350481101201' }, {
    category: 'compensation', severity: 'urgent', title: '后扶资金发放延迟，村民准备集体上访',
    description: '十二户移民反映今年后期扶持资金未按时发放。',
    parties: [{ name: '王大伯', phone: '139 0000 1234', note: '移民户代表' }, { name: '李婶', phone: null, note: null }],
    location: { lat: 25.9415, lon: 117.3653, accuracy_m: 12 },
  }, new Date(Date.UTC(2026, 10, 27, 2, 30, 0)));
  return encodeRequest({ v: 1, cursor: 0, push: [{ doc: DOC, changes: A.getAllChanges(doc) }] });
}

describe('golden wire fixture', () => {
  it('the PWA still encodes a new case push byte for byte as committed', () => {
    const bytes = build();
    if (process.env.UPDATE_FIXTURES || !existsSync(FILE)) writeFileSync(FILE, bytes);
    expect(Buffer.from(bytes).toString('hex')).toBe(readFileSync(FILE).toString('hex'));
  });

  it('the fixture decodes to one case document with the schema\'s types', () => {
    const req = decodeRequest(new Uint8Array(readFileSync(FILE)));
    expect(req.push?.[0].doc).toBe(DOC);
    const [doc] = A.applyChanges(A.init<any>(), req.push![0].changes);
    expect(doc.kind).toBeInstanceOf(A.ImmutableString);
    expect(typeof doc.description).toBe('string');
    expect(doc.reported_at.toISOString()).toBe('2026-11-27T02:30:00.000Z');
    expect(A.decodeChange(req.push![0].changes[0]).actor).toBe(ACTOR);
  });
});
