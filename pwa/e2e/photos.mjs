// E2E test 4: a photo upload cut off halfway resumes from the server's offset and completes, and
// the leader's browser shows the photo. Run alone with `node e2e/photos.mjs` (after
// `npm run build`), or as part of run.mjs.
import { fileURLToPath } from 'node:url';

const CHUNK = 128 * 1024;

async function blobStatus(base, token, sha) {
  const res = await fetch(`${base}/api/v1/blobs/${sha}/upload`, { headers: { Authorization: `Bearer ${token}` } });
  return res.json();
}

export async function photoChecks({ base, check, launch, until, assert, shot, apiCases }) {
  // Service workers blocked in this context so page.route sees the page's own requests (a
  // service worker with a fetch handler would otherwise carry them out of sight).
  const officer = await launch('photo-officer', { serviceWorkers: 'block' });
  const op = officer.page;
  op.on('dialog', (d) => d.accept());
  const puts = []; // { offset, bytes, aborted }
  let cut = false;
  await op.route('**/api/v1/blobs/**', async (route) => {
    const req = route.request();
    if (cut) return route.abort('connectionreset');
    if (req.method() === 'PUT') {
      const offset = Number(new URL(req.url()).searchParams.get('offset'));
      puts.push({ offset, bytes: req.postDataBuffer()?.length ?? 0 });
      // The connection drops right after the second chunk is through.
      if (puts.length === 2) {
        const res = await route.fetch();
        cut = true;
        return route.fulfill({ response: res });
      }
    }
    return route.continue();
  });
  const title = `坝下渗水拍照 ${Date.now() % 100000}`;
  let sha = '';
  let docId = '';
  let size = 0;

  await check('a case recorded with a photo (downscaled on the phone) syncs, then its upload is cut off halfway', async () => {
    await op.goto(`${base}/#/login?token=anlan-demo-officer`);
    await op.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    await op.locator('[data-testid=record]').click();
    await op.locator('[data-testid=cat-land]').click();
    await op.locator('[data-testid=sev-general]').click();
    await op.locator('[data-testid=title]').fill(title);
    // Blocky noise compresses about as badly as a real photo: a few hundred KiB as a 1600 px JPEG.
    const png = await op.evaluate(async () => {
      const c = new OffscreenCanvas(2000, 1500);
      const g = c.getContext('2d');
      for (let y = 0; y < 1500; y += 6) {
        for (let x = 0; x < 2000; x += 6) {
          g.fillStyle = `rgb(${Math.random() * 256 | 0},${Math.random() * 256 | 0},${Math.random() * 256 | 0})`;
          g.fillRect(x, y, 6, 6);
        }
      }
      const blob = await c.convertToBlob({ type: 'image/png' });
      const url = await new Promise((resolve) => { const r = new FileReader(); r.onload = () => resolve(r.result); r.readAsDataURL(blob); });
      return String(url).split(',')[1];
    }).then((b64) => Buffer.from(b64, 'base64'));
    await op.locator('[data-testid=photo-input]').setInputFiles({ name: 'dam.png', mimeType: 'image/png', buffer: png });
    await op.locator('[data-testid=photo-picked]').waitFor();
    await shot(op, '12-new-case-photo');
    await op.locator('[data-testid=save]').click();
    await op.waitForURL(/#\/case\//);
    docId = decodeURIComponent(op.url().split('#/case/')[1]);
    const c = await until(async () => (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === docId), 'case on the server');
    assert(c.attachments?.length === 1 && c.attachments[0].mime === 'image/jpeg', JSON.stringify(c.attachments));
    ({ sha256: sha, size } = c.attachments[0]);
    console.log(`  photo: ${png.length} bytes PNG of 2000×1500 → ${size} bytes JPEG ≤ 1600 px`);
    assert(size > 3 * CHUNK, `the photo is ${size} bytes: too small for several chunks`);
    await until(() => cut && puts.length === 2, 'two chunks through before the cut');
    const st = await until(async () => {
      const s = await blobStatus(base, 'anlan-demo-officer', sha);
      return s.received === 2 * CHUNK && s;
    }, 'the server holding the first two chunks');
    assert(!st.complete, 'complete after two chunks');
    await shot(op, '13-case-detail-photo-cut');
    const label = await op.locator('[data-testid=photo-state]').innerText();
    assert(label.includes('已保存在手机') || label.includes('上传中'), `photo state while cut off: ${label}`);
  });

  await check('when the network is back the upload resumes from the server\'s offset (not from zero) and completes', async () => {
    const before = puts.length;
    cut = false;
    await until(async () => (await blobStatus(base, 'anlan-demo-officer', sha)).complete, 'the upload to complete', 60_000);
    const after = puts.slice(before);
    const sent = after.reduce((n, p) => n + p.bytes, 0);
    console.log(`  resumed at byte ${after[0]?.offset} of ${size}; ${sent} bytes sent after the cut`);
    assert(after[0]?.offset === 2 * CHUNK, `first chunk after the cut starts at ${after[0]?.offset}`);
    assert(sent === size - 2 * CHUNK, `${sent} bytes sent after the cut for ${size - 2 * CHUNK} missing`);
    await until(async () => (await op.locator('[data-testid=photo-state]').innerText()).includes('已上传'), 'officer sees 已上传');
  });

  await check('the township leader\'s browser fetches the photo on demand and shows it', async () => {
    const leader = await launch('photo-leader');
    const lp = leader.page;
    await lp.goto(`${base}/#/login?token=anlan-demo-leader`);
    await lp.locator('[data-testid=case-card]').first().waitFor({ timeout: 20_000 });
    await lp.goto(`${base}/#/case/${docId}`);
    const img = lp.locator('[data-testid=photo] img');
    await img.waitFor({ timeout: 20_000 });
    await until(() => img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the image decoded');
    const w = await img.evaluate((el) => Math.max(el.naturalWidth, el.naturalHeight));
    assert(w === 1600, `longest side ${w} px`);
    await shot(lp, '14-leader-case-photo', '[data-testid=photo]');
    await leader.context.close();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(photoChecks);
