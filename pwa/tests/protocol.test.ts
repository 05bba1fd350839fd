import { describe, expect, it } from 'vitest';
import { Decoder } from 'cbor-x';
import {
  ProtocolError, decodeRequest, decodeResponse, encodeRequest, encodeResponse,
} from '../src/sync/protocol';
import { bytesToUuid, newActor, sameHeads, uuidToBytes } from '../src/model/ids';

const DOC = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const HASH = 'ab'.repeat(32);

describe('wire encoding', () => {
  it('sends the phone clock as a CBOR integer, which the server requires', () => {
    const bytes = encodeRequest({ v: 1, cursor: 0, push: [], have: [], now: 1_796_132_323_209.5 });
    const hex = Buffer.from(bytes).toString('hex');
    // "now" then major type 0 with an 8-byte argument (0x1b), never a float (0xfb).
    expect(hex).toContain(Buffer.from('now').toString('hex') + '1b');
    expect(Number((new Decoder({ mapsAsObjects: true }).decode(bytes) as { now: unknown }).now)).toBe(1_796_132_323_210);
  });
  it('sends doc ids and hashes as raw byte strings, never tagged typed arrays or text', () => {
    const change = new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]);
    const bytes = encodeRequest({ v: 1, cursor: 7, epoch: 'e', push: [{ doc: DOC, changes: [change] }], have: [{ doc: DOC, heads: [HASH] }] });
    // No CBOR tag 64 (0xd8 0x40) for Uint8Array anywhere.
    expect([...bytes].some((b, i) => b === 0xd8 && bytes[i + 1] === 0x40)).toBe(false);
    const raw = new Decoder({ mapsAsObjects: true, useRecords: false }).decode(bytes) as any;
    expect(raw.v).toBe(1);
    expect(raw.cursor).toBe(7);
    expect(raw.push[0].doc).toBeInstanceOf(Uint8Array);
    expect(raw.push[0].doc.length).toBe(16);
    expect(raw.have[0].heads[0].length).toBe(32);
    expect([...raw.push[0].changes[0]]).toEqual([...change]);
  });

  it('omits epoch, push and have when there is nothing to say', () => {
    const raw = new Decoder({ mapsAsObjects: true }).decode(encodeRequest({ v: 1, cursor: 0 })) as object;
    expect(Object.keys(raw).sort()).toEqual(['cursor', 'v']);
    expect(encodeRequest({ v: 1, cursor: 123456, epoch: '0123456789abcdef0123456789abcdef' }).length).toBeLessThan(60);
  });

  it('decodes a response into UUID text and hex heads, with reasons on rejections', () => {
    const bytes = encodeResponse({
      epoch: 'e2', reset: false, cursor: 42, more: true,
      results: [
        { doc: DOC, status: 'ok', heads: [HASH] },
        { doc: DOC, status: 'rejected', heads: [], reason: { code: 'schema', message: 'title: too long' } },
      ],
      pull: [{ doc: DOC, changes: [new Uint8Array([1, 2])] }],
    });
    const res = decodeResponse(bytes);
    expect(res.cursor).toBe(42);
    expect(res.more).toBe(true);
    expect(res.results[0]).toEqual({ doc: DOC, status: 'ok', heads: [HASH] });
    expect(res.results[1]).toMatchObject({ status: 'rejected', reason: { code: 'schema', message: 'title: too long' } });
    expect(res.pull[0].changes[0]).toBeInstanceOf(Uint8Array);
    expect(res.pull[0].changes[0].constructor).toBe(Uint8Array);
  });

  it('refuses malformed responses with a ProtocolError instead of half-reading them', () => {
    expect(() => decodeResponse(new Uint8Array([0xff, 0x00]))).toThrow(ProtocolError);
    const badHash = encodeRequest({ v: 1, cursor: 0, have: [{ doc: DOC, heads: [] }] });
    expect(() => decodeResponse(badHash)).toThrow(ProtocolError); // no epoch
    const wrongLen = encodeResponse({ epoch: 'e', reset: false, cursor: 0, more: false, results: [], pull: [] });
    expect(decodeResponse(wrongLen).results).toEqual([]);
  });

  it('round-trips requests as the fake server reads them', () => {
    const req = { v: 1, cursor: 3, epoch: 'x', push: [{ doc: DOC, changes: [new Uint8Array([9])] }] };
    expect(decodeRequest(encodeRequest(req))).toEqual(req);
  });
});

describe('ids', () => {
  it('converts doc ids between UUID text and 16 bytes', () => {
    expect(bytesToUuid(uuidToBytes(DOC))).toBe(DOC);
  });
  it('mints a new actor per session from the device prefix', () => {
    const a = newActor('00112233aabbccdd');
    const b = newActor('00112233aabbccdd');
    expect(a).toMatch(/^00112233aabbccdd[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    expect(() => newActor('xyz')).toThrow();
  });
  it('compares heads as sets', () => {
    expect(sameHeads(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameHeads(['a'], ['a', 'b'])).toBe(false);
  });
});
