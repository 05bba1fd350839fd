// Sweeps end to end (issue 7's "done when"): the county (王志明) launches a concentrated sweep
// for 曹远镇; the officer (林秀英) answers 无新增矛盾纠纷 offline, then syncs; the county's
// completeness shows her village nil and the others missing, and the phone counts the same
// offline; the county reminds the missing villages; the month's XLSX downloads from 统计.
// Run as part of run.mjs (after `npm run build`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PUTOU = '350481101201';
const CAOYUAN = '350481101';

export async function sweepChecks({ base, check, launch, until, assert, shot }) {
  const api = async (token, p, init = {}) => {
    const r = await fetch(`${base}/api/v1${p}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
    if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${p}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const name = `春节前集中排查 ${Date.now() % 100000}`;
  const county = await launch('sw-county');
  const officer = await launch('sw-officer');
  let id = '';
  const card = () => county.page.locator(`[data-testid=campaign-card][data-campaign="${id}"]`);
  const serverCompleteness = () => api('anlan-demo-county', `/campaigns/${id}/completeness`);

  await check('sweeps: the county launches a concentrated sweep for 曹远镇 by name', async () => {
    const p = county.page;
    await p.goto(`${base}/#/login?token=anlan-demo-county`);
    await p.locator('[data-testid=sweep-launch-open]').click({ timeout: 20_000 });
    await p.locator('[data-testid=launch-name]').fill(name);
    await p.locator('[data-testid=launch-kind]').selectOption('concentrated');
    const towns = p.locator('[data-testid=launch-townships] label');
    await towns.first().waitFor();
    await p.locator('[data-testid=launch-townships] label', { hasText: '曹远镇' }).locator('input').check();
    await shot(p, 'sw-00-launch-form', '[data-testid=sweep-launch]');
    await p.locator('[data-testid=launch-submit]').click();
    const list = await until(async () => {
      const l = await api('anlan-demo-county', '/campaigns');
      return l.campaigns.find((c) => c.campaign.name === name);
    }, 'the campaign on the server');
    id = list.campaign.id;
    assert(list.villages.every((v) => v.township === CAOYUAN), `only 曹远镇's villages: ${JSON.stringify(list.villages.map((v) => v.township))}`);
    assert(list.villages.every((v) => v.name && v.township_name === '曹远镇'), 'the roster carries names');
    await card().waitFor({ timeout: 20_000 });
    assert(!(await card().innerText()).includes(CAOYUAN), 'names, not codes, on the card');
  });

  await check('sweeps: the officer answers 无新增矛盾纠纷 offline, and it reaches the server once online', async () => {
    const p = officer.page;
    await p.goto(`${base}/#/login?token=anlan-demo-officer`);
    await p.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    const row = p.locator(`[data-testid=sweep-row][data-campaign="${id}"]`);
    await until(async () => {
      if (await row.count()) return true;
      await p.reload();
      await p.locator('[data-testid=record]').waitFor({ timeout: 10_000 });
      return row.count();
    }, 'the sweep row on the officer phone');
    assert((await row.innerText()).includes('埔头村'), 'the village by name');
    await shot(p, 'sw-01-officer-due', `[data-testid=sweep-row][data-campaign="${id}"]`);
    await officer.context.setOffline(true);
    await row.locator('[data-testid=sweep-nil]').click();
    await row.locator('[data-testid=sweep-state]').waitFor();
    await shot(p, 'sw-02-officer-answered-offline', `[data-testid=sweep-row][data-campaign="${id}"]`);
    const before = await serverCompleteness();
    assert(before.completeness.villages.find((v) => v.code === PUTOU).answer === 'missing', 'still missing on the server while offline');
    await officer.context.setOffline(false);
    await until(async () => (await serverCompleteness()).completeness.villages.find((v) => v.code === PUTOU)?.answer === 'nil', 'the nil report on the server', 30_000);
  });

  let expected = null;
  await check('sweeps: the county sees 埔头村 nil-reported and the other villages missing', async () => {
    const p = county.page;
    const c = (await serverCompleteness()).completeness;
    expected = c.total;
    assert(c.total.nil === 1 && c.total.reported === 0 && c.total.missing === c.total.villages - 1, JSON.stringify(c.total));
    await p.reload();
    await card().locator('[data-testid=campaign-toggle]').click({ timeout: 20_000 });
    await until(async () => (await card().locator(`[data-testid=village-state][data-village="${PUTOU}"]`).getAttribute('data-answer')) === 'nil', '埔头村 nil on the phone');
    const states = await card().locator('[data-testid=village-state]').evaluateAll((els) => els.map((e) => [e.dataset.village, e.dataset.answer, e.textContent]));
    assert(states.length === c.total.villages, `${states.length} villages listed`);
    assert(states.every(([v, a]) => (v === PUTOU ? a === 'nil' : a === 'missing')), JSON.stringify(states));
    assert(states.every(([v, , text]) => !text.includes(v)), 'village names, not codes');
    const town = await card().locator('[data-testid=township-completeness] th').first().innerText();
    assert(town.includes('曹远镇'), `township by name: ${town}`);
    await shot(p, 'sw-03-county-completeness', `[data-testid=campaign-card][data-campaign="${id}"]`);
  });

  await check('sweeps: offline, the county phone counts the same completeness from its replica', async () => {
    const p = county.page;
    await county.context.setOffline(true);
    try {
      await card().locator('[data-testid=campaign-toggle]').click();
      await card().locator('[data-testid=campaign-toggle]').click();
      await card().locator('[data-testid=village-state]').first().waitFor();
      const n = async (k) => Number(await card().locator(`[data-testid=campaign-tally] [data-testid=n-${k}]`).innerText());
      const got = { reported: await n('reported'), nil: await n('nil'), missing: await n('missing'), late: await n('late') };
      const want = { reported: expected.reported, nil: expected.nil, missing: expected.missing, late: expected.late };
      assert(JSON.stringify(got) === JSON.stringify(want), `phone ${JSON.stringify(got)} vs server ${JSON.stringify(want)}`);
      assert(await card().locator('[data-testid=sweep-remind]').isDisabled(), 'reminding needs the network');
    } finally {
      await county.context.setOffline(false);
    }
  });

  await check('sweeps: 提醒未报村 reminds the missing villages, not the one that answered', async () => {
    const p = county.page;
    const btn = card().locator('[data-testid=sweep-remind]');
    await until(async () => !(await btn.isDisabled()), 'the remind button enabled online');
    await btn.click();
    const log = await until(async () => {
      const l = await api('anlan-demo-county', `/campaigns/${id}/reminders`);
      return l.reminders.length ? l : null;
    }, 'reminders enqueued');
    const villages = new Set(log.reminders.map((r) => r.village));
    assert(!villages.has(PUTOU), 'the village that answered is not reminded');
    assert(villages.size >= 1 && villages.size <= expected.missing, `reminded ${[...villages]}`);
    await shot(p, 'sw-04-county-reminded', `[data-testid=campaign-card][data-campaign="${id}"]`);
    const again = await api('anlan-demo-county', `/campaigns/${id}/remind`, { method: 'POST' });
    assert(again.villages === 0 && again.already_today.length >= 1, `a second press enqueues nothing: ${JSON.stringify(again)}`);
  });

  await check('sweeps: the county downloads the month XLSX from 统计 with the completeness sheet', async () => {
    const p = county.page;
    await p.goto(`${base}/#/stats`);
    await p.locator('[data-testid=stats-summary]').waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([p.waitForEvent('download'), p.locator('[data-testid=download-xlsx]').click()]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anlan-xlsx-')), 'report.xlsx');
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    assert(bytes.subarray(0, 2).toString() === 'PK', 'a zip file');
    // The sheet names and shared strings, read with Python's standard zipfile (no openpyxl needed).
    const py = spawnSync('python3', ['-c', `import zipfile,sys,json
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"names": z.namelist(), "workbook": z.read("xl/workbook.xml").decode(), "strings": z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""}))`, file], { encoding: 'utf8' });
    assert(py.status === 0, py.stderr);
    const z = JSON.parse(py.stdout);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    assert(z.names.includes('xl/workbook.xml'), 'xl/workbook.xml in the zip');
    assert(z.workbook.includes('排查完成情况'), 'the 排查完成情况 sheet');
    // The campaign is due this month (deadline today), so its row is in the sheet.
    assert(z.strings.includes(name), 'the campaign named in a cell');
    // The shown table agrees.
    const row = p.locator(`[data-testid=stats-sweeps] tr[data-campaign="${id}"]`);
    await row.waitFor();
    await shot(p, 'sw-05-stats-sweeps', '[data-testid=stats-sweeps]');
  });

  await check('sweeps: signing in as someone else on the same phone shows their villages and campaigns, never the last person\'s', async () => {
    const { context, page: p } = await launch('sw-switch');
    const signIn = async (token, ready) => {
      await p.goto(`${base}/#/login?token=${token}`);
      await p.locator(ready).waitFor({ timeout: 20_000 });
    };
    const mapVillages = async (token) => {
      const want = (await api(token, '/villages')).length;
      await p.goto(`${base}/#/map`);
      await until(async () => (await p.locator('[data-testid=map-village]').count()) === want, `${want} villages on ${token}'s map`, 20_000);
    };
    // The township leader's directory has 曹远镇's villages; the county's has all of 永安市's.
    await signIn('anlan-demo-leader', '[data-testid=filters]');
    await mapVillages('anlan-demo-leader');
    await signIn('anlan-demo-county', '[data-testid=filters]');
    await mapVillages('anlan-demo-county');
    await p.goto(`${base}/#/`);
    await p.locator(`[data-testid=campaign-card][data-campaign="${id}"]`).waitFor({ timeout: 20_000 });
    // The county's campaign lists every village of 曹远镇; the officer answers for hers alone,
    // from the first frame of her home on.
    const mine = (await api('anlan-demo-officer', '/campaigns')).campaigns.find((c) => c.campaign.id === id).villages.map((v) => v.code);
    await signIn('anlan-demo-officer', '[data-testid=record]');
    const rows = p.locator(`[data-testid=sweep-row][data-campaign="${id}"]`);
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const shown = await rows.evaluateAll((els) => els.map((e) => e.dataset.village));
      assert(shown.every((v) => mine.includes(v)), `the officer is shown the county's rows: ${shown} (hers: ${mine})`);
      await p.waitForTimeout(100);
    }
    await until(async () => (await rows.count()) === mine.length, "the officer's own rows");
    await shot(p, 'sw-06-switched-to-officer');
    await context.close();
  });

  await county.context.close();
  await officer.context.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(sweepChecks);
