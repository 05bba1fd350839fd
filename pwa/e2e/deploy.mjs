#!/usr/bin/env node
// The acceptance of a county's installation, end to end: the binary and app from the Debian
// package (unpacked into ROOT by scripts/package-check.sh), configured through a copy of the
// packaged /etc/anlan/anlan.toml for HTTPS by ACME, with a certificate that Debian's `pebble`
// issues after really validating the HTTP-01 challenge against Anlan. Chromium trusts pebble's
// issuing root through an NSS database of its own (as a county's managed phones trust their CA),
// installs the app, records a case offline and syncs it.
//
//   node e2e/deploy.mjs ROOT          (ROOT holds usr/bin/anlan, usr/share/anlan/pwa, etc/anlan)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  artifacts, assert, check, cleanups, ensureBrowser, launch, recordCase, runToEnd, shot, until,
} from './harness.mjs';

const root = path.resolve(process.argv[2] ?? '');
const bin = path.join(root, 'usr/bin/anlan');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'anlan-deploy-'));
cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const openssl = (...args) => execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });

/** GET over HTTPS trusting only `ca` (PEM): the status and body. */
function get(url, ca, headers = {}) {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (b) => { body += b; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** A process stopped at the end; its output goes to artifacts/NAME.log and to `onLine`. */
function start(name, cmd, args, env, onLine = () => {}) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const log = fs.createWriteStream(path.join(artifacts, `${name}.log`));
  for (const s of [proc.stdout, proc.stderr]) {
    s.on('data', (b) => { log.write(b); for (const l of String(b).split('\n')) onLine(l); });
  }
  let exited = null;
  proc.on('exit', (code, signal) => { exited = `${name} exited: code ${code}, signal ${signal} (see e2e/artifacts/${name}.log)`; });
  cleanups.push(() => proc.kill('SIGTERM'));
  return { alive: () => { if (exited) throw new Error(exited); return true; } };
}

/** Pebble's own HTTPS listener needs a certificate; this CA signs it, and Anlan is told to
 *  trust it for the ACME directory (`acme_directory_root`), as for a provincial PKI. */
function makeCa() {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=Anlan deploy test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  fs.writeFileSync(path.join(work, 'pebble.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=pebble',
    '-keyout', 'pebble.key', '-out', 'pebble.csr');
  openssl('x509', '-req', '-in', 'pebble.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', 'pebble.ext', '-out', 'pebble.pem');
  return fs.readFileSync(path.join(work, 'ca.pem'));
}

async function startPebble(ca, httpPort) {
  const [acme, mgmt, tls] = [await freePort(), await freePort(), await freePort()];
  const config = { pebble: {
    listenAddress: `127.0.0.1:${acme}`, managementListenAddress: `127.0.0.1:${mgmt}`,
    certificate: path.join(work, 'pebble.pem'), privateKey: path.join(work, 'pebble.key'),
    // Pebble validates HTTP-01 on this port of the name being certified: Anlan's redirect listener.
    httpPort, tlsPort: tls, ocspResponderURL: '', externalAccountBindingRequired: false,
  } };
  fs.writeFileSync(path.join(work, 'pebble.json'), JSON.stringify(config));
  // No random pause before validating, and no nonce rejections to retry through.
  const p = start('pebble', 'pebble', ['-config', path.join(work, 'pebble.json')],
    { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' });
  const directory = `https://127.0.0.1:${acme}/dir`;
  await until(async () => p.alive() && (await get(directory, ca)).status === 200, 'pebble to answer', 15_000);
  return { directory, issuingRoot: async () => (await get(`https://127.0.0.1:${mgmt}/roots/0`, ca)).body };
}

/** The packaged settings file, edited as docs/operations.md tells an administrator to. */
function writeConfig({ directory, httpPort }) {
  const packaged = fs.readFileSync(path.join(root, 'etc/anlan/anlan.toml'), 'utf8');
  assert(/^listen = /m.test(packaged), 'the packaged anlan.toml sets no listen address');
  const file = path.join(work, 'anlan.toml');
  fs.writeFileSync(file, `${packaged.replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"')}
redirect_listen = "127.0.0.1:${httpPort}"
acme_domain = ["localhost"]
acme_contact = ["mailto:it@county.example"]
acme_directory = "${directory}"
acme_directory_root = "${path.join(work, 'ca.pem')}"
data = "${path.join(work, 'data')}"
static_dir = "${path.join(root, 'usr/share/anlan/pwa')}"
`);
  return file;
}

async function startAnlan(config) {
  execFileSync(bin, ['config', 'check', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  let port = '';
  const p = start('anlan', bin, ['serve', '--config', config, '--demo'], { RUST_LOG: 'warn' }, (l) => {
    const m = l.match(/^listening on https:\/\/127\.0\.0\.1:(\d+)/);
    if (m) port = m[1];
  });
  await until(() => p.alive() && port, 'Anlan to listen on HTTPS', 15_000);
  // The certificate is named for localhost; the phone reaches the server by that name.
  return `https://localhost:${port}`;
}

/** An NSS database trusting `rootPem` for websites: Chromium on Linux reads $HOME/.pki/nssdb. */
function trustingHome(rootPem) {
  const home = path.join(work, 'home');
  const db = path.join(home, '.pki/nssdb');
  fs.mkdirSync(db, { recursive: true });
  fs.writeFileSync(path.join(work, 'issuing-root.pem'), rootPem);
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'county CA', '-i', path.join(work, 'issuing-root.pem')]);
  return home;
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  ensureBrowser();
  assert(fs.existsSync(bin), `no packaged binary at ${bin}`);
  const t0 = Date.now();
  const ca = makeCa();
  const httpPort = await freePort();
  const pebble = await startPebble(ca, httpPort);
  const base = await startAnlan(writeConfig({ directory: pebble.directory, httpPort }));
  const issuer = await pebble.issuingRoot();
  let home = '';

  await check('Anlan obtains its certificate from the ACME CA and serves the packaged app over HTTPS', async () => {
    const res = await until(() => get(`${base}/`, issuer), 'a certificate issued by pebble', 30_000);
    assert(res.status === 200 && res.body.includes('<html'), `GET / → ${res.status}`);
    assert(/max-age=\d+/.test(res.headers['strict-transport-security'] ?? ''), 'no HSTS header');
    const redirect = await redirectOf(`http://127.0.0.1:${httpPort}/`);
    assert(redirect.status === 308 && redirect.location.startsWith('https://'), `plain HTTP → ${JSON.stringify(redirect)}`);
    console.log(`  package unpacked → pebble up → certificate served: ${Date.now() - t0} ms`);
    home = trustingHome(issuer);
  });

  await check('a browser that does not trust the county\'s CA is refused', async () => {
    const { context, page } = await launch('untrusting');
    const err = await page.goto(`${base}/`).then(() => null, (e) => e.message);
    assert(/ERR_CERT_AUTHORITY_INVALID/.test(err ?? ''), `expected a certificate error, got ${err}`);
    await context.close();
  });

  const officer = await launch('officer', { env: { ...process.env, HOME: home } });
  const op = officer.page;
  op.on('dialog', (d) => d.accept());

  await check('the officer signs in over HTTPS, the service worker takes control, the app is installable', async () => {
    const res = await op.goto(`${base}/`);
    const sec = await res.securityDetails();
    assert(sec && /Pebble/i.test(sec.issuer ?? ''), `issuer: ${JSON.stringify(sec)}`);
    await op.goto(`${base}/#/login?token=anlan-demo-officer`);
    await op.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    await op.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
    await until(async () => (await op.locator('[data-testid=last-sync]').innerText()).includes('上次同步'), 'first sync');
    const cdp = await officer.context.newCDPSession(op);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert(installabilityErrors.length === 0, JSON.stringify(installabilityErrors));
    const manifest = await cdp.send('Page.getAppManifest');
    assert(manifest.url.startsWith(`${base}/`) && manifest.errors.length === 0, JSON.stringify(manifest.errors));
    await cdp.detach();
    await shot(op, 'deploy-01-home-https');
  });

  const title = `安置点围墙倒塌 ${Date.now() % 100000}`;
  const cases = async () => JSON.parse((await get(`${base}/api/v1/cases`, issuer, { Authorization: 'Bearer anlan-demo-leader' })).body);
  await check('offline, the app starts from the service worker and records a case on the phone', async () => {
    await officer.context.setOffline(true);
    await op.reload();
    await op.locator('[data-testid=record]').waitFor({ timeout: 15_000 });
    await recordCase(op, title, '围墙倒塌压坏两户村民的菜地，村民要求赔偿。');
    await op.locator('[data-testid=detail-title]', { hasText: title }).waitFor();
    assert(!(await cases()).some((c) => c.title === title), 'the server has the case although the phone is offline');
  });

  await check('back online, the case reaches the server over HTTPS', async () => {
    await officer.context.setOffline(false);
    const c = await until(async () => (await cases()).find((x) => x.title === title), 'the case on the server');
    assert(c.category === 'housing', JSON.stringify(c));
    await until(async () => (await op.locator('.detail-head [data-testid=delivery]').innerText()).includes('已送达'), 'badge 已送达');
    await shot(op, 'deploy-02-synced');
  });
  console.log(`  whole acceptance: ${Date.now() - t0} ms`);
}

/** One plain-HTTP request, not followed: the redirect listener's answer. */
function redirectOf(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode, location: res.headers.location ?? '' });
    }).on('error', reject);
  });
}

await runToEnd(main);
