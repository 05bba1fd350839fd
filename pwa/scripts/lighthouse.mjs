#!/usr/bin/env node
// Lighthouse 12 mobile scores for the built app, as issue 4's benchmark asks.
//
//   cd pwa && npm run build && node scripts/lighthouse.mjs
//
// Starts `anlan serve --demo` on a free port with a fresh data folder and the build in dist/,
// runs `npx lighthouse@12` (not a dependency: fetched once into npx's cache) with Debian's
// Chromium, headless, the default mobile preset (Moto G Power emulation, slow 4G, 4× CPU
// throttling), and prints the four category scores. The full report is kept in
// e2e/artifacts/lighthouse.json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pwaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.ANLAN_BIN ?? path.resolve(pwaDir, '..', 'target', 'debug', 'anlan');
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const out = path.join(pwaDir, 'e2e', 'artifacts', 'lighthouse.json');

if (!fs.existsSync(path.join(pwaDir, 'dist', 'index.html'))) throw new Error('run `npm run build` first');
if (!fs.existsSync(BIN)) throw new Error(`server binary not found at ${BIN} (set ANLAN_BIN)`);
fs.mkdirSync(path.dirname(out), { recursive: true });
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
  // The first screen anyone sees (sign-in); the app shell is the same for every screen.
  const r = spawnSync('npx', ['--yes', 'lighthouse@12', `${base}/`, '--quiet', '--output=json', `--output-path=${out}`,
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu', '--only-categories=performance,accessibility,best-practices,seo'],
  { env: { ...process.env, CHROME_PATH: CHROME }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`lighthouse exited with ${r.status}`);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  console.log(`Lighthouse ${report.lighthouseVersion}, ${report.configSettings.formFactor}, ${report.finalDisplayedUrl}`);
  for (const c of Object.values(report.categories)) console.log(`${c.title}: ${Math.round(c.score * 100)}`);
  for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index']) {
    const a = report.audits[id];
    if (a) console.log(`  ${a.title}: ${a.displayValue}`);
  }
} finally {
  server.kill('SIGTERM');
  fs.rmSync(data, { recursive: true, force: true });
}
