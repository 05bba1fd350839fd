// The e2e harness: the real server on a random port, Debian's Chromium through playwright-core,
// and small helpers. The checks themselves are in run.mjs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const pwaDir = path.resolve(here, '..');
const distDir = path.join(pwaDir, 'dist');
const artifacts = path.join(here, 'artifacts');
const BIN = process.env.ANLAN_BIN ?? path.resolve(pwaDir, '..', 'target', 'debug', 'anlan');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// From shared/research/pwa-toolchain.md (proven on this machine).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MOBILE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

let passed = 0;
let failed = 0;
const cleanups = [];

export async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${(e && e.stack) || e}`);
    for (const [who, page] of openPages) {
      await page.screenshot({ path: path.join(artifacts, `fail-${failed}-${who}.png`) }).catch(() => {});
      const text = await page.evaluate(() => `onLine=${navigator.onLine} url=${location.href}\n${document.body.innerText.slice(0, 400)}`).catch((x) => String(x));
      console.log(`  [${who}] ${text.replace(/\n/g, ' | ')}`);
    }
  }
}
const openPages = new Map();

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export async function until(fn, what, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

let servedDir = '';
let dataDir = '';
let stopping = false;
/** Everything the server printed on stdout (the demo sign-in and enrolment links). */
let serverOut = '';
export const serverOutput = () => serverOut;

/** Start the server; `env` adds settings (the SMS gateway's). */
export function startServer(env = {}) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'anlan-e2e-'));
  dataDir = data;
  cleanups.push(() => fs.rmSync(data, { recursive: true, force: true }));
  // Serve a copy of dist, so the update check can publish a "new version" without touching the build.
  servedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anlan-e2e-dist-'));
  cleanups.push(() => fs.rmSync(servedDir, { recursive: true, force: true }));
  fs.cpSync(distDir, servedDir, { recursive: true });
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', data, '--demo', '--static-dir', servedDir], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  cleanups.push(() => { stopping = true; proc.kill('SIGTERM'); });
  const log = fs.createWriteStream(path.join(artifacts, 'server.log'));
  proc.stderr.pipe(log);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server printed no "listening on" line in 30 s:\n${out}`)), 30_000);
    proc.on('exit', (code, signal) => {
      if (!stopping) console.log(`  [server] exited unexpectedly: code ${code}, signal ${signal} (see e2e/artifacts/server.log)`);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
    proc.stdout.on('data', (b) => {
      out += b;
      serverOut += b;
      log.write(b);
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
  });
}

export async function launch(name, options = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `prof-${name}-`));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS, ...MOBILE, ...options });
  cleanups.push(() => context.close().catch(() => {}));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.log(`  [${name} pageerror] ${e.message}`));
  openPages.set(name, page);
  return { context, page };
}

export async function shot(page, name, focus) {
  if (focus) await page.locator(focus).first().evaluate((el) => el.scrollIntoView({ block: 'center' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

export async function apiCases(base, token) {
  const res = await fetch(`${base}/api/v1/cases`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /api/v1/cases: ${res.status}`);
  const body = await res.json();
  return Array.isArray(body) ? body : body.cases ?? body.items ?? [];
}

/** Record a general housing case from the home screen, online or not: back on its detail page
 *  once saved on the phone. */
export async function recordCase(page, title, description = '') {
  await page.locator('[data-testid=record]').click();
  await page.locator('[data-testid=cat-housing]').click();
  await page.locator('[data-testid=sev-general]').click();
  await page.locator('[data-testid=title]').fill(title);
  if (description) await page.locator('[data-testid=description]').fill(description);
  await page.locator('[data-testid=save]').click();
  await page.waitForURL(/#\/case\//); // navigation happens once IndexedDB has committed
}

export const cardWith = (page, title) => page.locator('[data-testid=case-card]', { hasText: title });

/** Debian's chromium and a CJK font (tofu boxes otherwise), installed when missing and root. */
export function ensureBrowser() {
  const haveFont = spawnSync('sh', ['-c', 'fc-list | grep -qi "Noto Sans CJK"']).status === 0;
  if (fs.existsSync(CHROMIUM) && haveFont) return;
  if (process.getuid?.() !== 0) throw new Error(`need ${CHROMIUM} and fonts-noto-cjk: apt-get install chromium fonts-noto-cjk`);
  console.log('installing chromium and fonts-noto-cjk with apt-get…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-noto-cjk'], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error('apt-get install chromium fonts-noto-cjk failed');
}


export const servedDirPath = () => servedDir;
/** The running server's data folder (its SQLite database is `anlan.db` there). */
export const dataDirPath = () => dataDir;

/** Run one file's checks on their own (`node e2e/<file>.mjs` after `npm run build`): a server
 *  of their own, the summary line, every process stopped, the exit status. */
export async function runAlone(checks) {
  await runToEnd(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    ensureBrowser();
    assert(fs.existsSync(BIN), `server binary not found at ${BIN} (set ANLAN_BIN)`);
    assert(fs.existsSync(`${distDir}/index.html`), 'run `npm run build` first');
    const base = await startServer();
    console.log(`server at ${base}`);
    await checks({ base, check, launch, until, assert, shot, apiCases, cardWith });
  });
}

/** The end of every e2e entry point: run `main`, count a throw as a failed setup, stop every
 *  process and remove every folder it started, print the summary line, exit with its status. */
export async function runToEnd(main) {
  try {
    await main();
  } catch (e) {
    failed++;
    console.log(`FAIL setup: ${(e && e.stack) || e}`);
  } finally {
    for (const c of cleanups.reverse()) {
      try { await c(); } catch { /* best effort */ }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
export { here, pwaDir, distDir, artifacts, BIN, cleanups };
