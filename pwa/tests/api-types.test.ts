// The page's hand-written answer types must accept what the server describes (docs/openapi.json,
// generated into src/api/schema.gen.ts): checked by the compiler when `npm run build` type-checks
// the tests, so a server change that breaks them fails the build.
import { describe, expect, it } from 'vitest';
import type { DeviceInfo, IssuedDevice } from '../src/api/types';
import type { ApiDevice, ApiNewDevice, ApiSession } from '../src/api/generated';
import type { Session } from '../src/db/schema';

// Compiles only when `Described` can be used wherever the page expects `Expected`.
const accepts = <Expected>() => <Described extends Expected>(d: Described): Expected => d;

describe('the API types generated from the server', () => {
  it('fit the types the page reads answers as', () => {
    const session: ApiSession = {
      user: { id: 'u_1', name: '张三', role: 'village_officer' },
      unit: { code: '350481101', name: '村', path: '/35/' },
      device: { id: 7, actor_prefix: 'ab12' },
      epoch: 'e1',
    };
    const device: ApiNewDevice = { token: 't', user: { id: 'u_1' }, device: session.device };
    const listed: ApiDevice = { id: 7, label: '手机', created_at: 1, revoked_at: null, retire_at: null, current: true };
    expect(accepts<Session>()(session).device.id).toBe(7);
    expect(accepts<IssuedDevice>()(device).token).toBe('t');
    expect(accepts<DeviceInfo>()(listed).current).toBe(true);
  });
});
