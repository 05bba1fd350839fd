// First install and photo upload on emulated 2G: 800 ms round trip and 250 kbit/s each way, one
// link shared by the page, its worker and the service worker (e2e/slow-link.mjs), a fresh
// browser profile each time. Not part of the test run; the figures go to BENCHMARKS.md.
//   cd pwa && npm run build && ANLAN_BIN=$PWD/../target/debug/anlan node e2e/bench-2g.mjs
import fs from 'node:fs';
import { artifacts, BIN, cleanups, distDir, ensureBrowser, launch, shot, startServer } from './harness.mjs';
import { slowLink } from './slow-link.mjs';

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const SEEDED = 6;

/** A noisy 2000×1500 picture: compresses about as badly as a real photo. */
async function noisyPng(page, seed) {
  const b64 = await page.evaluate(async (seed) => {
    const c = new OffscreenCanvas(2000, 1500);
    const g = c.getContext('2d');
    let x = seed;
    const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % 256);
    for (let y = 0; y < 1500; y += 6) for (let i = 0; i < 2000; i += 6) { g.fillStyle = `rgb(${rnd()},${rnd()},${rnd()})`; g.fillRect(i, y, 6, 6); }
    const blob = await c.convertToBlob({ type: 'image/png' });
    return new Promise((resolve) => { const r = new FileReader(); r.onload = () => resolve(String(r.result).split(',')[1]); r.readAsDataURL(blob); });
  }, seed);
  return Buffer.from(b64, 'base64');
}

async function record(page, title, photos = []) {
  await page.evaluate(() => { location.hash = '#/'; });
  await page.locator('[data-testid=record]').click({ timeout: 60_000 });
  await page.locator('[data-testid=cat-land]').click();
  await page.locator('[data-testid=sev-general]').click();
  await page.locator('[data-testid=title]').fill(title);
  for (const [i, png] of photos.entries()) {
    await page.locator('[data-testid=photo-input]').setInputFiles({ name: `p${i}.png`, mimeType: 'image/png', buffer: png });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=photo-picked]').length >= n, i + 1);
  }
  await page.locator('[data-testid=save]').click();
  await page.waitForURL(/#\/case\//);
}

async function firstInstall(url, who, token, ready) {
  const { context, page } = await launch(`bench-${who}`);
  const t0 = Date.now();
  await page.goto(`${url}/#/login?token=${token}`, { waitUntil: 'commit' });
  await page.locator(ready).first().waitFor({ timeout: 120_000 });
  const home = Date.now() - t0;
  await shot(page, `bench-2g-${who}-home`);
  const loading = await page.locator('[data-testid=engine-loading]').innerText().catch(() => '(engine already ready)');
  await page.locator('[data-testid=engine-loading]').waitFor({ state: 'detached', timeout: 180_000 });
  const engine = Date.now() - t0;
  await page.locator('[data-testid=last-sync]', { hasText: '上次同步' }).waitFor({ timeout: 180_000 });
  const synced = Date.now() - t0;
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 180_000 });
  const sw = Date.now() - t0;
  return { context, page, home, engine, synced, sw, loading };
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  ensureBrowser();
  if (!fs.existsSync(BIN) || !fs.existsSync(`${distDir}/index.html`)) throw new Error('build the server and `npm run build` first');
  const base = await startServer();
  // A few cases on the server, recorded at full speed, so the lists have something to show.
  const seeder = await launch('bench-seed');
  await seeder.page.goto(`${base}/#/login?token=anlan-demo-officer`);
  await seeder.page.locator('[data-testid=record]').waitFor({ timeout: 30_000 });
  for (let i = 0; i < SEEDED; i++) await record(seeder.page, `基准测试案件 ${i + 1}`);
  await seeder.page.goto(`${base}/#/`);
  await seeder.page.locator('[data-testid=last-sync]', { hasText: '上次同步' }).waitFor({ timeout: 30_000 });
  await seeder.page.locator('[data-testid=pending]', { hasText: '全部已送达' }).waitFor({ timeout: 30_000 });
  await seeder.context.close();

  const link = await slowLink(base, { rttMs: 800, kbitPerSec: 250 });
  cleanups.push(() => link.stop());
  const rows = [];

  // Sign-in usable: the sign-in form on screen, styled (the stylesheet applied and a frame
  // drawn) and taking input, from the start of navigation. Then: the app's code has arrived, so
  // the filled-in form can be sent (its button enabled).
  {
    const { context, page } = await launch('bench-signin');
    const before = link.stats.down;
    const t0 = Date.now();
    await page.goto(`${link.url}/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => {
      const phone = document.querySelector('[data-testid=login-phone]');
      const css = document.querySelector('link[rel=stylesheet]');
      return phone && !phone.disabled && css?.sheet;
    }, null, { timeout: 60_000, polling: 20 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    rows.push(['sign-in form on screen, styled, taking input (fresh profile)', s(Date.now() - t0), `${Math.round((link.stats.down - before) / 1024)} KiB down`]);
    await shot(page, 'bench-2g-signin');
    await page.locator('[data-testid=login-phone]').fill('13800000001');
    await page.locator('[data-testid=login-password]').fill('not-the-password');
    await page.locator('[data-testid=login]:not([disabled])').waitFor({ timeout: 60_000 });
    rows.push(['sign-in form filled in and its button enabled (the app\'s code arrived)', s(Date.now() - t0), `${Math.round((link.stats.down - before) / 1024)} KiB down`]);
    await context.close();
  }

  for (const [who, token, ready] of [
    ['officer', 'anlan-demo-officer', '[data-testid=case-card] >> nth=0'],
    ['leader', 'anlan-demo-leader', '[data-testid=case-card] >> nth=0'],
  ]) {
    const before = link.stats.down;
    const r = await firstInstall(link.url, who, token, ready);
    // 记录事件 usable: the form opens and takes a title before the wasm has arrived.
    rows.push([`${who}: signed-in home with cases usable`, s(r.home), r.loading.replace(/\s+/g, ' ')]);
    rows.push([`${who}: offline engine (Automerge wasm) ready`, s(r.engine), '']);
    rows.push([`${who}: first sync done`, s(r.synced), '']);
    rows.push([`${who}: service worker in control (app installed for offline)`, s(r.sw), `${Math.round((link.stats.down - before) / 1024)} KiB down in all`]);
    if (who === 'officer') {
      const t = Date.now();
      const { page, context } = await launch('bench-record');
      await page.goto(`${link.url}/#/login?token=${token}`, { waitUntil: 'commit' });
      await page.locator('[data-testid=record]').click({ timeout: 60_000 });
      await page.locator('[data-testid=title]').fill('2G 下首次安装时记录');
      const formAt = Date.now() - t;
      rows.push(['officer: 记录事件 form open and typed in (fresh profile)', s(formAt), '']);
      await shot(page, 'bench-2g-record-early');
      await context.close();

      // Two photos taken offline, then uploaded on 2G.
      const op = r.page;
      await r.context.setOffline(true);
      const pngs = [await noisyPng(op, 1), await noisyPng(op, 2)];
      await record(op, '2G 拍照上传基准', pngs);
      const sizes = await op.evaluate(async () => {
        const db = await new Promise((res, rej) => { const q = indexedDB.open('anlan'); q.onsuccess = () => res(q.result); q.onerror = () => rej(q.error); });
        const list = await new Promise((res) => {
          const out = [];
          const c = db.transaction('blobs').objectStore('blobs').openCursor();
          c.onsuccess = () => { const cur = c.result; if (!cur) return res(out); out.push({ mime: cur.value.mime, size: cur.value.size, state: cur.value.state, bytes: cur.value.bytes }); cur.continue(); };
        });
        return Promise.all(list.map(async ({ bytes, ...b }) => {
          const bm = await createImageBitmap(new Blob([bytes], { type: b.mime }));
          return { ...b, dims: `${bm.width}×${bm.height}` };
        }));
      });
      const t1 = Date.now();
      await r.context.setOffline(false);
      await op.waitForFunction(() => [...document.querySelectorAll('[data-testid=photo-state]')].some((e) => e.textContent.includes('上传中')), null, { timeout: 60_000 }).catch(() => {});
      await shot(op, 'bench-2g-photos-uploading', '[data-testid=photo]');
      await op.waitForFunction(() => {
        const st = [...document.querySelectorAll('[data-testid=photo-state]')];
        return st.length === 2 && st.every((e) => e.textContent.includes('已上传'));
      }, null, { timeout: 180_000, polling: 100 });
      const pics = sizes.filter((b) => b.state !== 'cached');
      rows.push(['two photos taken offline → both uploaded on 2G (from going online)', s(Date.now() - t1),
        pics.map((b) => `${b.mime} ${b.dims} ${Math.round(b.size / 1024)} KiB`).join(', ')]);
    }
    await r.context.close();
  }

  console.log('\n| figure | time | note |\n|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

try {
  await main();
} finally {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* best effort */ }
  }
}
process.exit(0);
