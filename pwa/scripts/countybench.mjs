#!/usr/bin/env node
// Phones whose scope is a county, on emulated 3G (issue 14 §3; figures in BENCHMARKS.md).
//
//   cargo build --release -p anlan-tests --bin countybench
//   cd pwa && npm run build && node scripts/countybench.mjs [countybench options…]
//
// Starts `countybench` (COUNTYBENCH_BIN, default target/release/countybench) on a data folder
// (COUNTY_DATA, default /tmp/anlan-county-50000: filled with 50,000 cases the first time, which
// takes minutes, and reused after), waits for its `countybench-ready` line, and puts the
// server behind a 3G link: 300 ms round trip, 1.6 Mbit/s (200,000 B/s) each way. The link is
// e2e/slow-link.mjs, one line shared by the page, its Automerge worker and the service worker,
// rather than CDP's Network.emulateNetworkConditions, which throttles the page's target only:
// the sync runs in the worker, which would get an unthrottled line of its own.
// COUNTY_TOKEN and OFFICER_TOKEN sign in other phones than the demo's county administrator and
// 埔头村's officer (on a database another generator filled, say: countybench serves any data
// folder that holds cases as it is).
// Debian's Chromium through playwright-core, 390×844, zh-CN, a fresh profile per phone. For the
// county administrator and then a village officer it measures, from the sign-in link:
//   - the signed-in home on screen, and "上次同步" (the first sync done) as the UI shows it;
//   - the sync responses' bytes on the wire (the worker's resource timing: encoded body and
//     transfer size) and all bytes the link carried down and up by then;
//   - IndexedDB's usage (navigator.storage.estimate().usageDetails) and the cases it holds;
// and for the county phone the time to open its longest-finished case by typing its number
// until the case's title is on screen. Screenshots go to e2e/artifacts/countybench-*.png.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { slowLink } from '../e2e/slow-link.mjs';

const pwaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.COUNTYBENCH_BIN ?? path.resolve(pwaDir, '..', 'target', 'release', 'countybench');
const DATA = process.env.COUNTY_DATA ?? '/tmp/anlan-county-50000';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = path.join(pwaDir, 'e2e', 'artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MOBILE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const LINK = { rttMs: 300, kbitPerSec: 1600 };

if (!fs.existsSync(path.join(pwaDir, 'dist', 'index.html'))) throw new Error('run `npm run build` first');
if (!fs.existsSync(BIN)) throw new Error(`countybench not found at ${BIN}: cargo build --release -p anlan-tests --bin countybench`);
fs.mkdirSync(artifacts, { recursive: true });

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;

const bench = spawn(BIN, ['--data', DATA, '--static-dir', path.join(pwaDir, 'dist'), ...process.argv.slice(2)], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const ready = await new Promise((resolve, reject) => {
  bench.on('exit', (code) => reject(new Error(`countybench exited with ${code}`)));
  readline.createInterface({ input: bench.stdout }).on('line', (line) => {
    const m = line.match(/^countybench-ready (.*)$/);
    if (m) resolve(JSON.parse(m[1]));
    else console.log(line);
  });
});
const link = await slowLink(ready.url, LINK);
try {
  console.log(`\nbrowser phones behind ${LINK.rttMs} ms / ${LINK.kbitPerSec} kbit/s; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const county = await phone('county', process.env.COUNTY_TOKEN ?? ready.county, true);
  const officer = await phone('officer', process.env.OFFICER_TOKEN ?? ready.officer, false);
  console.log('\n| phone | home on screen | first sync done (上次同步) | sync responses: bodies / with headers | all bytes down / up by then | IndexedDB | cases held |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [who, r] of [['county administrator (partial replica)', county], ['village officer (one village)', officer]]) {
    console.log(`| ${who} | ${s(r.home)} | ${s(r.synced)} | ${mb(r.syncBody)} / ${mb(r.syncTransfer)} in ${r.syncRequests} requests | ${mb(r.down)} / ${mb(r.up)} | ${mb(r.idb)} | ${r.held} |`);
  }
  for (const [who, r] of [['county', county], ['officer', officer]]) {
    const p = r.split;
    console.log(`${who}: first sync request at ${s(p.before)}; then waiting for answers ${s(p.wait)}, receiving them ${s(p.receive)}, the phone's work between and after them ${s(p.phone)}`);
  }
  console.log(`\nopen ${ready.closed_case_no} (closed, longest finished) by its number: ${s(county.open)} to its detail on screen, ${county.openBytes} B of fetch response`);
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await link.stop();
  bench.stdin.end();
  await new Promise((r) => { if (bench.exitCode !== null) r(); else bench.on('exit', r); });
}

/** Sign `token` in on a fresh phone and measure its first sync (and, on the county's phone,
 *  opening a closed case by number). */
async function phone(who, token, openClosed) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `anlan-county-${who}-`));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS, ...MOBILE });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.log(`  [${who} pageerror] ${e.message}`));
    const down0 = link.stats.down;
    const up0 = link.stats.up;
    const t0 = Date.now();
    await page.goto(`${link.url}/#/login?token=${token}`, { waitUntil: 'commit' });
    await page.locator('main.home').waitFor({ timeout: 300_000 });
    const home = Date.now() - t0;
    await page.locator('[data-testid=last-sync]', { hasText: '上次同步' }).waitFor({ timeout: 900_000 });
    const synced = Date.now() - t0;
    const down = link.stats.down - down0;
    const up = link.stats.up - up0;
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(artifacts, `countybench-${who}-home.png`) });
    const sync = await workerEntries(page, '/api/v1/sync');
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usageDetails ?? {});
    const held = await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('anlan');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const q = open.result.transaction('meta').objectStore('meta').count();
        q.onsuccess = () => { resolve(q.result); open.result.close(); };
        q.onerror = () => reject(q.error);
      };
    }));
    // Where the first sync's time went: before its first request (the engine loading), waiting
    // for each answer (the server's work and a round trip), receiving it, and the phone's own
    // work between answers and after the last one (applying and storing what was pulled).
    const first = sync.filter((e) => e.start < t0 + synced).sort((a, b) => a.start - b.start);
    const split = { before: first.length ? first[0].start - t0 : 0, wait: 0, receive: 0, phone: 0 };
    first.forEach((e, i) => {
      split.wait += e.responseStart - e.requestStart;
      split.receive += e.responseEnd - e.responseStart;
      split.phone += (i + 1 < first.length ? first[i + 1].start : t0 + synced) - e.responseEnd;
    });
    const r = {
      home, synced, split, down, up, held, idb: usage.indexedDB ?? 0,
      syncRequests: sync.length,
      syncBody: sync.reduce((a, e) => a + e.encodedBodySize, 0),
      syncTransfer: sync.reduce((a, e) => a + e.transferSize, 0),
    };
    if (openClosed) {
      const t1 = Date.now();
      await page.locator('[data-testid=open-number-input]').fill(ready.closed_case_no);
      await page.locator('[data-testid=open-number] button').click();
      await page.locator('[data-testid=detail-title]').waitFor({ timeout: 60_000 });
      r.open = Date.now() - t1;
      r.openBytes = (await workerEntries(page, '/api/v1/fetch')).reduce((a, e) => a + e.transferSize, 0);
      await page.screenshot({ path: path.join(artifacts, `countybench-${who}-opened.png`) });
    }
    return r;
  } finally {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The Automerge worker's resource-timing entries for URLs containing `part`. */
async function workerEntries(page, part) {
  const all = [];
  for (const w of page.workers()) {
    const got = await w.evaluate((p) => performance.getEntriesByType('resource')
      .filter((e) => e.name.includes(p))
      .map((e) => ({
        encodedBodySize: e.encodedBodySize, transferSize: e.transferSize,
        // Absolute times (ms since the epoch): the worker's clock starts at its own origin.
        start: performance.timeOrigin + e.startTime,
        requestStart: performance.timeOrigin + e.requestStart,
        responseStart: performance.timeOrigin + e.responseStart,
        responseEnd: performance.timeOrigin + e.responseEnd,
      })), part).catch(() => []);
    all.push(...got);
  }
  return all;
}
