// Golden wire fixture: a sync request pushing a case exactly as this PWA creates it. The bytes
// are committed, so a change to the document types (a string turning into Text, a missing
// null) or to the CBOR encoding shows up as a diff here; the Rust suite loads the same file
// (sync-protocol/src/case/tests.rs) to prove the server's schema accepts what the PWA sends.
// Regenerate deliberately with UPDATE_FIXTURES=1 npx vitest run tests/fixtures.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge/slim';
import { applyEdit, newCase } from '../src/model/case';
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

// A case's life as this PWA writes it — text splices and deletions, list pushes, nested maps,
// transitions, a concurrent edit from a second phone — for the Rust suite to check that every
// change the phone makes encodes to its own hash under the server's Automerge
// (server/src/merge/canonical.rs). Entries carry random ids, so the bytes are not compared;
// regenerate with UPDATE_FIXTURES=1 after an Automerge upgrade.
const EDITS = new URL('./fixtures/pwa-case-edits.sync-request.cbor', import.meta.url);
const LEADER_ACTOR = '0b0b0b0b0b0b0b0b' + '00000000000000b2';

function buildEdits(): Uint8Array {
  const at = (min: number) => new Date(Date.UTC(2026, 10, 27, 3, min, 0));
  const author = { user: 'u_demo_officer', village: '350481101201' };
  let doc = newCase(ACTOR, author, {
    category: 'land', severity: 'major', title: '库区滑坡隐患', description: '后山出现裂缝，约二十米长。',
    parties: [], location: null,
  }, at(0));
  const photo = { sha256: 'ab'.repeat(32), mime: 'image/jpeg', size: 48_213 };
  doc = applyEdit(doc, 'u_demo_officer', { op: 'splice_description', base: A.getHeads(doc), index: 4, del: 0, insert: '两道' }, at(1));
  doc = applyEdit(doc, 'u_demo_officer', { op: 'splice_description', base: A.getHeads(doc), index: 9, del: 1, insert: '' }, at(1));
  doc = applyEdit(doc, 'u_demo_officer', { op: 'add_attachment', attachment: photo }, at(2));
  let leader = A.clone(doc, { actor: LEADER_ACTOR });
  leader = applyEdit(leader, 'u_demo_leader', { op: 'acknowledge', text: '已收到，马上安排' }, at(3));
  leader = applyEdit(leader, 'u_demo_leader', { op: 'assign', responsible_leader: 'u_demo_leader', handler: 'u_demo_officer', deadline: Date.UTC(2026, 11, 1), text: '包案' }, at(4));
  doc = applyEdit(doc, 'u_demo_officer', { op: 'set_severity', value: 'urgent' }, at(4));
  doc = A.merge(doc, leader);
  doc = applyEdit(doc, 'u_demo_officer', { op: 'record_mediation', text: '双方同意搬迁', attachment: photo }, at(5));
  doc = applyEdit(doc, 'u_demo_leader', { op: 'set_plan', text: '先疏散，后治理' } as never, at(6));
  doc = applyEdit(doc, 'u_demo_leader', { op: 'set_plan', text: '先疏散两户，后治理' } as never, at(7));
  doc = applyEdit(doc, 'u_demo_leader', { op: 'close', outcome: 'handled', note: '已治理' } as never, at(8));
  return encodeRequest({ v: 1, cursor: 0, push: [{ doc: DOC, changes: A.getAllChanges(doc) }] });
}

describe('edit fixture', () => {
  it('holds a whole case life that reads back as the PWA left it', () => {
    if (process.env.UPDATE_FIXTURES || !existsSync(EDITS)) writeFileSync(EDITS, buildEdits());
    const req = decodeRequest(new Uint8Array(readFileSync(EDITS)));
    const changes = req.push![0].changes;
    const actors = new Set(changes.map((c) => A.decodeChange(c).actor));
    expect(actors).toEqual(new Set([ACTOR, LEADER_ACTOR]));
    const [doc] = A.applyChanges(A.init<any>(), changes);
    expect(doc.description).toBe('后山出现两道裂缝，二十米长。');
    expect(String(doc.status)).toBe('closed');
    expect(doc.resolution_plan).toBe('先疏散两户，后治理');
    expect(doc.attachments.length).toBe(1);
    expect(changes.length).toBe(11);
  });
});
