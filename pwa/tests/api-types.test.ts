// The session the page keeps (written by hand: it is stored, not only read) must accept what the
// server describes (docs/openapi.json, generated into src/api/schema.gen.ts): checked by the
// compiler when `npm run build` type-checks the tests, so a server change that breaks it fails.
import { describe, expect, it } from 'vitest';
import type { ApiSession } from '../src/api/generated';
import type { Session } from '../src/db/schema';

// Compiles only when `Described` can be used wherever the page expects `Expected`.
const accepts = <Expected>() => <Described extends Expected>(d: Described): Expected => d;

describe('the API types generated from the server', () => {
  it('fit the session the page keeps', () => {
    const session: ApiSession = {
      user: { id: 'u_1', name: '张三', role: 'village_officer' },
      unit: { code: '350481101', name: '村', path: '/35/' },
      device: { id: 7, actor_prefix: 'ab12' },
      epoch: 'e1',
    };
    expect(accepts<Session>()(session).device.id).toBe(7);
  });
});
