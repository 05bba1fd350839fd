// A photo fetched for one signed-in session and still on its way at sign-out is not written
// into the database the sign-out erased (src/photos/index.ts): the next person on the phone
// must find nothing of the last one's.
import { afterEach, expect, it, vi } from 'vitest';
import { openAnlanDb } from '../src/db/schema';
import { photoView, startPhotos, stopPhotos } from '../src/photos';
import type { Ctx } from '../src/ui/ctx';

afterEach(() => { vi.unstubAllGlobals(); });

it("drops a photo that arrives after the sign-out instead of keeping it on the phone", async () => {
  vi.stubGlobal('window', new EventTarget());
  vi.stubGlobal('navigator', { onLine: false }); // the uploader stays idle
  const answers: ((r: Response) => void)[] = [];
  vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((r) => { answers.push(r); })));
  const ctx = { token: 't', rerender: () => undefined, worker: { on: () => () => undefined } } as unknown as Ctx;
  const sha = 'ab'.repeat(32);

  startPhotos(ctx);
  expect(photoView(sha, 'image/jpeg', 3).state).toBe('loading');
  await vi.waitFor(() => expect(answers).toHaveLength(1));
  stopPhotos();
  answers[0](new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'Content-Type': 'image/jpeg' } }));
  await new Promise((r) => setTimeout(r, 50));

  expect(await (await openAnlanDb()).get('blobs', sha)).toBeUndefined();
});
