#!/usr/bin/env node
// End-to-end: the built PWA in Debian's Chromium (playwright-core) against the real `anlan`
// server started here with a fresh data folder and the demo accounts.
//
//   ANLAN_BIN=../target/debug/anlan node e2e/run.mjs      (after `npm run build`)
//
// Prints one line per check and ends with `N passed, M failed`; exits non-zero on failure.
// Screenshots (390×844) go to e2e/artifacts/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  apiCases, artifacts, assert, BIN, cardWith, check, cleanups, distDir, ensureBrowser,
  launch, pwaDir, runToEnd, shot, startServer, until, servedDirPath,
} from './harness.mjs';
import { pushChecks } from './push.mjs';
import { identityChecks } from './identity.mjs';
import { photoChecks } from './photos.mjs';
import { caseworkChecks } from './casework.mjs';
import { petitionChecks } from './petitions.mjs';
import { sweepChecks } from './sweeps.mjs';
import { screenChecks } from './screens.mjs';
import { firstVisitChecks } from './first-visit.mjs';
import { clockChecks } from './clock.mjs';
import { partialReplicaChecks } from './partial-replica.mjs';
import { alertLinkChecks, startSmsGateway } from './alert-link.mjs';

const TITLE = `水库移民安置房漏水纠纷 ${Date.now() % 100000}`;

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  for (const f of fs.readdirSync(artifacts)) if (f.startsWith('fail-')) fs.rmSync(path.join(artifacts, f));
  ensureBrowser();
  assert(fs.existsSync(BIN), `server binary not found at ${BIN} (set ANLAN_BIN)`);
  if (!fs.existsSync(path.join(distDir, 'index.html'))) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: pwaDir, stdio: 'inherit' });
    assert(b.status === 0, 'npm run build failed');
  }
  const gateway = await startSmsGateway();
  cleanups.push(() => gateway.close());
  const base = await startServer(gateway.env);
  console.log(`server at ${base}`);
  const officer = await launch('officer');
  const op = officer.page;
  let dialogPolicy = 'accept';
  const dialogs = [];
  op.on('dialog', async (d) => {
    dialogs.push(d.message());
    if (dialogPolicy === 'accept') await d.accept();
    else await d.dismiss();
  });

  await check('officer signs in with the demo link and the service worker takes control', async () => {
    await op.goto(`${base}/`);
    await op.locator('[data-testid=login-phone]').waitFor();
    await shot(op, '00-login');
    await op.goto(`${base}/#/login?token=anlan-demo-officer`);
    await op.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    await op.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
    await until(async () => (await op.locator('[data-testid=last-sync]').innerText()).includes('上次同步'), 'first sync');
    await shot(op, '01-officer-home');
  });

  await check('Chinese text renders with a CJK font (no tofu)', async () => {
    const cdp = await officer.context.newCDPSession(op);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '[data-testid=record]' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    const names = fonts.map((f) => f.familyName).join(', ');
    assert(/CJK|WenQuanYi|Droid Sans Fallback/i.test(names), `fonts used: ${names}`);
  });

  await check('the app is installable (manifest and service worker accepted)', async () => {
    const cdp = await officer.context.newCDPSession(op);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert(installabilityErrors.length === 0, JSON.stringify(installabilityErrors));
  });

  await check('the app starts with the network off after the first visit', async () => {
    await officer.context.setOffline(true);
    const t0 = Date.now();
    await op.reload();
    await op.locator('[data-testid=record]').waitFor({ timeout: 15_000 });
    console.log(`  offline start → home screen: ${Date.now() - t0} ms`);
    // The benchmark: the same with 4× CPU throttling (a cheap phone).
    const cdp = await officer.context.newCDPSession(op);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const t1 = Date.now();
    await op.reload();
    await op.locator('[data-testid=record]').waitFor({ timeout: 15_000 });
    await op.locator('[data-testid=pending]').waitFor();
    console.log(`  offline start with 4× CPU throttling → home screen: ${Date.now() - t1} ms`);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await cdp.detach();
    await op.locator('[data-testid=net]', { hasText: '离线' }).waitFor();
    await shot(op, '02-officer-home-offline');
  });

  let docId = '';
  await check('a case recorded offline saves instantly and is marked 已保存在手机', async () => {
    await op.locator('[data-testid=record]').click();
    await op.locator('[data-testid=cat-housing]').click();
    dialogPolicy = 'accept';
    await op.locator('[data-testid=sev-urgent]').click(); // asks for confirmation
    assert(dialogs.some((m) => m.includes('紧急')), `no urgent confirmation, dialogs: ${dialogs}`);
    await op.locator('[data-testid=title]').fill(TITLE);
    await op.locator('[data-testid=description]').fill('安置房屋顶漏水，十余户村民准备集体到镇政府反映。');
    await op.locator('[data-testid=add-party]').click();
    const row = op.locator('[data-testid=party-row]').first();
    await row.locator('input').nth(0).fill('王大伯');
    await row.locator('input').nth(1).fill('139 0000 1234');
    await shot(op, '03-new-case');
    const t0 = Date.now();
    await op.locator('[data-testid=save]').click();
    await op.waitForURL(/#\/case\//); // navigation happens once IndexedDB has committed
    const saved = Date.now() - t0;
    await op.locator('[data-testid=detail-title]', { hasText: TITLE }).waitFor();
    const inPage = await op.evaluate(() => performance.getEntriesByName('anlan:tap-to-saved').at(-1)?.duration);
    assert(typeof inPage === 'number', 'the app did not measure tap → saved');
    console.log(`  tap → saved: ${inPage.toFixed(1)} ms in the page (event to IndexedDB commit); ${saved} ms as driven by the test; → detail shown: ${Date.now() - t0} ms`);
    docId = decodeURIComponent(op.url().split('#/case/')[1]);
    const badge = await op.locator('.detail-head [data-testid=delivery]').innerText();
    assert(badge.includes('已保存在手机'), `badge: ${badge}`);
    await shot(op, '04-case-detail-local');
    const onServer = await apiCases(base, 'anlan-demo-leader');
    assert(!onServer.some((c) => c.title === TITLE), 'the server has the case although the phone is offline');
  });

  await check('after an offline reload the case is still there, still only on this phone', async () => {
    await op.reload();
    await op.locator('[data-testid=detail-title]', { hasText: TITLE }).waitFor({ timeout: 15_000 });
    await op.goto(`${base}/#/`);
    const card = cardWith(op, TITLE);
    await card.waitFor();
    assert((await card.locator('[data-testid=delivery]').innerText()).includes('已保存在手机'), 'card badge');
    assert((await op.locator('[data-testid=pending]').innerText()).includes('1'), 'pending count');
  });

  await check('back online, the case reaches the server and shows 已送达', async () => {
    await officer.context.setOffline(false);
    const c = await until(async () => (await apiCases(base, 'anlan-demo-leader')).find((x) => x.title === TITLE), 'case on server');
    assert(c.doc === docId, `doc id ${c.doc} ≠ ${docId}`);
    assert(c.severity === 'urgent' && c.category === 'housing' && c.status === 'reported', JSON.stringify(c));
    assert(c.parties?.[0]?.name === '王大伯', 'party');
    await until(async () => (await cardWith(op, TITLE).locator('[data-testid=delivery]').innerText()).includes('已送达'), 'badge 已送达');
    await until(async () => (await op.locator('[data-testid=pending]').innerText()).includes('全部已送达'), 'pending 0');
    await shot(op, '05-officer-home-synced');
  });

  const leader = await launch('leader');
  const lp = leader.page;
  lp.on('dialog', (d) => d.accept());
  await check('the township leader sees it among urgent unacknowledged cases and acknowledges it', async () => {
    await lp.goto(`${base}/#/login?token=anlan-demo-leader`);
    const card = cardWith(lp, TITLE);
    await card.waitFor({ timeout: 20_000 });
    const group = await lp.locator('h2.attention').innerText();
    assert(group.includes('待受理'), `group: ${group}`);
    const first = await lp.locator('[data-testid=case-card]').first().innerText();
    assert(first.includes(TITLE) && first.includes('紧急'), `first card: ${first}`);
    await shot(lp, '06-leader-home');
    await card.locator('.card-link').click();
    await lp.locator('[data-testid=detail-title]', { hasText: TITLE }).waitFor();
    await lp.locator('[data-testid=ack]').click();
    await lp.locator('[data-testid=assign-leader]').fill('u_demo_leader');
    await lp.locator('[data-testid=assign-handler]').fill('u_demo_officer');
    await lp.locator('[data-testid=assign-deadline]').fill('2026-12-31');
    await lp.locator('[data-testid=assign]').click();
    await until(async () => (await lp.locator('.detail-head').innerText()).includes('已受理'), 'status 已受理');
    await until(async () => (await lp.locator('.detail-head [data-testid=delivery]').innerText()).includes('已送达'), 'leader edit delivered', 20_000);
    await shot(lp, '07-leader-case-detail');
    const c = (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === docId);
    assert(c.status === 'acknowledged' && c.responsible_leader === 'u_demo_leader', JSON.stringify(c));
  });

  await check('the officer sees the acknowledgement and the case number without touching anything (live channel)', async () => {
    await cardWith(op, TITLE).locator('.card-link').click();
    await until(async () => (await op.locator('.detail-head').innerText()).includes('已受理'), 'officer sees 已受理', 30_000);
    const title = await op.locator('header.top h1').innerText();
    assert(/\d/.test(title), `case number in header: ${title}`);
    await shot(op, '08-officer-case-detail-acknowledged');
  });

  await check('concurrent severity edits made offline are both kept and shown side by side', async () => {
    // The leader lowers the severity first (only the township may lower it); the officer sees it.
    await lp.locator('[data-testid=severity-select]').selectOption('general');
    await until(async () => (await op.locator('[data-testid=severity-select]').inputValue()) === 'general', 'officer sees 一般', 30_000);
    const lowerOffered = await op.locator('[data-testid=severity-select] option[value=general]').isDisabled();
    assert(!lowerOffered, 'the current value stays selectable');
    // Offline, the officer raises it to 紧急; meanwhile the leader raises it to 较大. Both may
    // raise, so both values stand side by side (an officer's value lower than a leader's
    // concurrent one would not: the server re-asserts the leader's, docs/permissions.md).
    await officer.context.setOffline(true);
    await op.locator('[data-testid=severity-select]').selectOption('urgent');
    await until(() => op.locator('[data-testid=severity-select] option[value=general]').isDisabled(), 'an officer is not offered lowering');
    await op.locator('[data-testid=followup-text]').fill('上门走访，情绪已稳定。');
    await op.locator('[data-testid=followup-add]').click();
    await op.locator('[data-testid=timeline]', { hasText: '情绪已稳定' }).waitFor();
    await lp.locator('[data-testid=severity-select]').selectOption('major');
    await until(async () => (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === docId)?.severity === 'major', 'leader severity on server');
    await officer.context.setOffline(false);
    await op.locator('[data-testid=conflict-severity]').waitFor({ timeout: 30_000 });
    const txt = await op.locator('[data-testid=conflict-severity]').innerText();
    assert(txt.includes('较大') && txt.includes('紧急'), txt);
    await shot(op, '09-conflict', '[data-testid=conflict-severity]');
    const c = await until(async () => {
      const x = (await apiCases(base, 'anlan-demo-leader')).find((y) => y.doc === docId);
      return x?.timeline?.some((e) => e.text.includes('情绪已稳定')) && x;
    }, 'officer follow-up on server');
    assert(c.conflicts?.some((k) => k.field === 'severity'), `server conflicts: ${JSON.stringify(c.conflicts)}`);
  });

  await check('log out is refused while changes are unsynced, after saying how many', async () => {
    await officer.context.setOffline(true);
    await op.locator('[data-testid=followup-text]').fill('离线补充记录');
    await op.locator('[data-testid=followup-add]').click();
    await op.locator('[data-testid=timeline]', { hasText: '离线补充记录' }).waitFor();
    await op.goto(`${base}/#/settings`);
    await op.locator('[data-testid=storage]').waitFor();
    await shot(op, '10-settings');
    dialogs.length = 0;
    dialogPolicy = 'dismiss';
    await op.locator('[data-testid=logout]').click();
    await op.locator('[data-testid=toast]').waitFor();
    assert(dialogs.length === 1 && dialogs[0].includes('1 项'), `dialogs: ${JSON.stringify(dialogs)}`);
    await op.goto(`${base}/#/`);
    await cardWith(op, TITLE).waitFor();
    dialogPolicy = 'accept';
  });

  await check('the description is edited as shared text and the edit reaches the server', async () => {
    await officer.context.setOffline(false);
    await cardWith(op, TITLE).locator('.card-link').click();
    await op.locator('[data-testid=description]').click();
    const box = op.locator('[data-testid=description-edit]');
    await box.focus();
    await op.keyboard.press('End');
    await op.keyboard.type('镇里已派人查看。');
    await op.locator('[data-testid=detail-title]').click(); // blur saves
    await until(async () => {
      const c = (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === docId);
      return c?.description?.endsWith('镇里已派人查看。');
    }, 'description edit on the server');
    await op.goto(`${base}/#/`);
  });

  await check('a new app version installs over the old one without losing data', async () => {
    await officer.context.setOffline(false);
    await op.goto(`${base}/#/`);
    // Publish "version 2": a changed shell.html (what the service worker serves for navigations),
    // and a service worker whose precache manifest names the new revision (what a real rebuild
    // produces).
    const shellPath = path.join(servedDirPath(), 'shell.html');
    fs.writeFileSync(shellPath, fs.readFileSync(shellPath, 'utf8').replace('<head>', '<head><meta name="anlan-build" content="v2">'));
    const swPath = path.join(servedDirPath(), 'sw.js');
    const sw = fs.readFileSync(swPath, 'utf8');
    const updated = sw.replace(/("?url"?\s*:\s*"shell\.html"\s*,\s*"?revision"?\s*:\s*")[0-9a-f]+/, `$1${'e2e' + Date.now().toString(16)}`)
      .replace(/("?revision"?\s*:\s*")[0-9a-f]+("\s*,\s*"?url"?\s*:\s*"shell\.html")/, `$1${'e2e' + Date.now().toString(16)}$2`);
    assert(updated !== sw, 'could not find the shell.html revision in sw.js');
    fs.writeFileSync(swPath, updated);
    // What the app does on every start: ask for an update. The new worker installs (precaching
    // version 2), takes over at once (skipWaiting + clientsClaim), and the next load is version 2.
    // One deliberate reload, not a reload loop: reloading while a worker installs can leave the
    // navigation waiting on it.
    const swapped = await op.evaluate(() => new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      navigator.serviceWorker.addEventListener('controllerchange', () => { clearTimeout(timer); resolve(true); }, { once: true });
      navigator.serviceWorker.getRegistration().then((reg) => reg?.update());
    }));
    assert(swapped, 'the new service worker took over within 30 s');
    await op.reload();
    await until(async () => (await op.locator('meta[name=anlan-build]').count()) > 0, 'the new version to be served by the service worker');
    await cardWith(op, TITLE).waitFor();
    // The unsent follow-up from the refused log-out is still here and still goes out.
    await until(async () => {
      const c = (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === docId);
      return c?.timeline?.some((e) => e.text === '离线补充记录');
    }, 'the unsent follow-up delivered after the update');
    await officer.context.setOffline(true);
    await op.reload();
    await cardWith(op, TITLE).waitFor({ timeout: 15_000 });
    assert((await op.locator('meta[name=anlan-build]').count()) > 0, 'the new version is what starts offline');
    await officer.context.setOffline(false);
  });

  await check('the leader closes the case; it leaves the officer\'s open list', async () => {
    await lp.goto(`${base}/#/case/${docId}`);
    // Closing records how the case was settled (the casework panel's form).
    await lp.locator('[data-testid=close-outcome]').selectOption('handled');
    await lp.locator('[data-testid=close-note]').fill('已维修屋顶，村民满意');
    await lp.locator('[data-testid=close]').click();
    await until(async () => (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === docId)?.status === 'closed', 'closed on the server');
    await lp.goto(`${base}/#/`);
    await lp.locator('[data-testid=filters-toggle]').click(); // the filters fold away until asked for
    await lp.locator('[data-testid=filter-status]').selectOption('closed');
    await cardWith(lp, TITLE).waitFor();
    await shot(lp, '11-leader-home-filtered-closed');
    await until(async () => (await op.locator('main.home').innerText()).includes('已化解/结案 1 件'), 'officer closed count', 30_000);
    assert((await cardWith(op, TITLE).count()) === 0, 'closed case still in the open list');
  });

  await check('hashed assets are served brotli-compressed from the build and cached for good', async () => {
    const wasm = fs.readdirSync(path.join(servedDirPath(), 'assets')).find((f) => f.endsWith('.wasm'));
    const res = await fetch(`${base}/assets/${wasm}`, { headers: { 'Accept-Encoding': 'br' } });
    assert(res.ok && res.headers.get('content-encoding') === 'br', `encoding ${res.headers.get('content-encoding')}`);
    assert(res.headers.get('content-type') === 'application/wasm', `type ${res.headers.get('content-type')}`);
    assert(/immutable/.test(res.headers.get('cache-control') ?? ''), 'immutable');
    const sent = Number(res.headers.get('content-length'));
    const raw = fs.statSync(path.join(servedDirPath(), 'assets', wasm)).size;
    console.log(`  automerge wasm on the wire: ${(sent / 1024).toFixed(0)} KiB of ${(raw / 1024).toFixed(0)} KiB`);
    assert(sent > 0 && sent < raw / 3, `${sent} bytes sent for ${raw}`);
  });

  const caseNo = (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === docId)?.case_no;
  await pushChecks({ base, check, launch, until, assert, shot, docId, caseNo });

  await identityChecks({ base, check, launch, until, assert, shot, apiCases });

  await photoChecks({ base, check, launch, until, assert, shot, apiCases });

  await caseworkChecks({ base, check, launch, until, assert, shot });

  await petitionChecks({ base, check, launch, until, assert, shot });

  await sweepChecks({ base, check, launch, until, assert, shot });

  await screenChecks({ base, check, launch, until, assert, shot });

  await firstVisitChecks({ base, check, launch, until, assert, shot });

  await clockChecks({ base, check, launch, until, assert, shot, apiCases });
  await alertLinkChecks({ base, check, launch, until, assert, shot, gateway, caseNo });
  await partialReplicaChecks({ base, check, launch, until, assert, shot, apiCases, cardWith });

  await check('the sync client passes its protocol checks against this server (tests/server.e2e.ts)', async () => {
    const r = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.e2e.config.ts'], { cwd: pwaDir, env: { ...process.env, ANLAN_URL: base }, encoding: 'utf8' });
    assert(r.status === 0 && /passed/.test(r.stdout) && !/skipped/.test(r.stdout), `vitest exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  });

  console.log(`artifacts in ${artifacts}`);
}

await runToEnd(main);
