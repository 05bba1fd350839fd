#!/usr/bin/env node
// Lighthouse 12 mobile scores for the built app: the sign-in page of a first visit, and the
// signed-in homes of an officer and a township leader as they start every day (installed, the
// service worker serving the app, the session and the cases on the phone).
//
//   cd pwa && npm run build && node scripts/lighthouse.mjs
//
// Starts `anlan serve --demo` on a free port with a fresh data folder and the build in dist/,
// signs each person in once in a browser profile of their own (playwright-core, Debian's
// Chromium), then runs `npx lighthouse@12` (not a dependency: fetched once into npx's cache) in
// that profile with its storage kept (`--disable-storage-reset`), headless, the default mobile
// preset (Moto G Power emulation, slow 4G, 4× CPU throttling), and prints the four category
// scores. The full reports and final screenshots are kept in e2e/artifacts/lighthouse-*.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const pwaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.ANLAN_BIN ?? path.resolve(pwaDir, '..', 'target', 'debug', 'anlan');
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const artifacts = path.join(pwaDir, 'e2e', 'artifacts');

if (!fs.existsSync(path.join(pwaDir, 'dist', 'index.html'))) throw new Error('run `npm run build` first');
if (!fs.existsSync(BIN)) throw new Error(`server binary not found at ${BIN} (set ANLAN_BIN)`);
fs.mkdirSync(artifacts, { recursive: true });
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'anlan-lh-'));
const server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', data, '--demo', '--static-dir', path.join(pwaDir, 'dist')], {
  stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' },
});
try {
  const base = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 30 s:\n${text}`)), 30_000);
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    server.stdout.on('data', (b) => {
      text += b;
      const m = text.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    });
  });
  for (const who of ['signin', 'officer', 'leader']) await audit(base, who);
} finally {
  server.kill('SIGTERM');
  fs.rmSync(data, { recursive: true, force: true });
}

/** A profile where `who` has signed in with the demo link and the app is installed: home shown,
 *  the offline engine ready, the first sync done, the service worker in control. */
async function signedInProfile(base, who) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `anlan-lh-${who}-`));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROME, headless: true, args: ['--no-sandbox', '--disable-gpu'], locale: 'zh-CN',
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${base}/#/login?token=anlan-demo-${who}`);
    await page.locator('main.home').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=engine-loading]').waitFor({ state: 'detached', timeout: 60_000 });
    await page.locator('[data-testid=last-sync]', { hasText: '上次同步' }).waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 60_000 });
  } finally {
    await context.close();
  }
  return dir;
}

async function audit(base, who) {
  const profile = who === 'signin' ? null : await signedInProfile(base, who);
  const out = path.join(artifacts, `lighthouse-${who}.json`);
  const chromeFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', ...(profile ? [`--user-data-dir=${profile}`] : [])];
  const r = spawnSync('npx', ['--yes', 'lighthouse@12', `${base}/`, '--quiet', '--output=json', `--output-path=${out}`,
    `--chrome-flags=${chromeFlags.join(' ')}`, ...(profile ? ['--disable-storage-reset'] : []),
    '--only-categories=performance,accessibility,best-practices,seo'],
  { env: { ...process.env, CHROME_PATH: CHROME }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`lighthouse exited with ${r.status}`);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  const shot = report.audits['final-screenshot']?.details?.data;
  if (shot) fs.writeFileSync(path.join(artifacts, `lighthouse-${who}.jpg`), Buffer.from(shot.split(',')[1], 'base64'));
  console.log(`${who}: Lighthouse ${report.lighthouseVersion}, ${report.configSettings.formFactor}, ${report.finalDisplayedUrl}`);
  for (const c of Object.values(report.categories)) console.log(`  ${c.title}: ${Math.round(c.score * 100)}`);
  for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index']) {
    const a = report.audits[id];
    if (a) console.log(`    ${a.title}: ${a.displayValue}`);
  }
  for (const c of Object.values(report.categories)) {
    for (const ref of c.auditRefs) {
      const a = report.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1 && c.id !== 'performance') console.log(`    ✗ ${c.id}: ${a.id} (${a.title})`);
    }
  }
}
