// A county phone keeps a partial replica (PROTOCOL.md §12): it holds the open case, not the one
// finished three years ago; typing that case's number opens it from the server; a case whose
// recent period runs out leaves IndexedDB at the next sync. Run alone with
// `node e2e/partial-replica.mjs` (after `npm run build`), or as part of run.mjs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDirPath } from './harness.mjs';

const DAY = 86_400_000;
/** The server's recent period (server/src/store/working_set.rs). */
const RECENT = 90 * DAY;

/** SQL on the running server's SQLite database, for what only time would otherwise do. */
function sql(statements) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', path.join(dataDirPath(), 'anlan.db'), statements], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

/** Mark a case finished in the server's projection (which the working set reads) and move its
 *  last change to `at`. */
function finishedAt(caseNo, at) {
  sql(`UPDATE cases SET status = 'closed' WHERE case_no = '${caseNo}';
       UPDATE documents SET updated_at = ${Math.round(at)} WHERE doc_id = (SELECT doc_id FROM cases WHERE case_no = '${caseNo}');`);
}

export async function partialReplicaChecks({ base, check, launch, until, assert, shot, apiCases, cardWith }) {
  const stamp = Date.now() % 100000;
  const oldTitle = `三年前化解的纠纷 ${stamp}`;
  const openTitle = `仍在调处的纠纷 ${stamp}`;
  const officer = (await launch('pr-officer')).page;
  const county = (await launch('pr-county')).page;
  const numbered = (title) => until(async () => {
    const c = (await apiCases(base, 'anlan-demo-county')).find((x) => x.title === title);
    return c?.case_no ? c : null;
  }, `${title} numbered on the server`, 30_000);
  const record = async (title) => {
    await officer.evaluate(() => { location.hash = '#/'; });
    await officer.locator('[data-testid=record]').click({ timeout: 20_000 });
    await officer.locator('[data-testid=cat-land]').click();
    await officer.locator('[data-testid=sev-general]').click();
    await officer.locator('[data-testid=title]').fill(title);
    await officer.locator('[data-testid=save]').click();
    await officer.waitForURL(/#\/case\//);
  };
  const heldTitles = () => county.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('anlan');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const q = open.result.transaction('meta').objectStore('meta').getAll();
      q.onsuccess = () => { resolve(q.result.map((m) => m.summary?.title ?? '')); open.result.close(); };
      q.onerror = () => reject(q.error);
    };
  }));
  let oldNo = '';
  let openNo = '';

  await check('partial replica: the officer reports two cases; one of them was finished three years ago', async () => {
    await officer.goto(`${base}/#/login?token=anlan-demo-officer`);
    await officer.locator('[data-testid=record]').waitFor({ timeout: 30_000 });
    await record(oldTitle);
    await record(openTitle);
    oldNo = (await numbered(oldTitle)).case_no;
    openNo = (await numbered(openTitle)).case_no;
    finishedAt(oldNo, Date.now() - 3 * 365 * DAY);
  });

  await check('partial replica: the county phone holds the open case only, and opens the old one by its number', async () => {
    await county.goto(`${base}/#/login?token=anlan-demo-county`);
    await cardWith(county, openTitle).waitFor({ timeout: 30_000 });
    await until(async () => (await county.locator('[data-testid=last-sync]').innerText()).includes('上次同步'), 'first sync');
    const held = await heldTitles();
    assert(held.includes(openTitle) && !held.includes(oldTitle), `held: ${JSON.stringify(held)}`);
    assert((await cardWith(county, oldTitle).count()) === 0, 'the old case is listed');

    await county.locator('[data-testid=open-number-input]').fill(oldNo);
    await county.locator('[data-testid=open-number] button').click();
    await county.locator('[data-testid=detail-title]', { hasText: oldTitle }).waitFor({ timeout: 20_000 });
    assert((await heldTitles()).includes(oldTitle), 'the opened case is kept for offline reading');
    await shot(county, 'partial-01-opened-by-number');
  });

  await check('partial replica: a case whose recent period ran out leaves IndexedDB at the next sync', async () => {
    finishedAt(openNo, Date.now() - RECENT - 1);
    await county.goto(`${base}/#/`);
    await county.reload(); // a new start syncs at once
    await until(async () => !(await heldTitles()).includes(openTitle), 'the finished case evicted', 30_000);
    assert((await heldTitles()).includes(oldTitle), 'the case opened on demand was evicted too');
    await until(async () => (await cardWith(county, openTitle).count()) === 0, 'its card gone');
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(partialReplicaChecks);
