// Trusted time end to end (PROTOCOL.md §11): an officer's phone syncs with a right clock, goes
// offline, and its clock jumps two years ahead (a bad update; a forward jump is not seen as one,
// since a sleeping phone's monotonic clock stops). The case it records carries the wrong time;
// when the network returns the server measures the clock, corrects the times and marks them,
// the phone says 手机时间不准, and the leader sees the corrected time with the marker.
//
// The phone's clock is moved in the page and in the dedicated worker where Automerge and the
// sync client run (Playwright's clock control reaches neither worker nor the wall clock the
// app's TrustedClock reads): `Date` is replaced by one shifted by the skew, in both, at once.
// Run alone with `node e2e/clock.mjs` (after `npm run build`), or as part of run.mjs.
import { fileURLToPath } from 'node:url';

const YEAR = 365 * 86_400_000;
const SKEW = 2 * YEAR;

/** Runs in the page and in the worker: every later `Date.now()` and `new Date()` reads the
 *  real clock plus `skew`. */
function shiftClock(skew) {
  const Real = globalThis.__anlanRealDate ?? Date;
  globalThis.__anlanRealDate = Real;
  class Shifted extends Real {
    constructor(...a) {
      super(...(a.length ? a : [Real.now() + skew]));
    }
    static now() {
      return Real.now() + skew;
    }
  }
  globalThis.Date = Shifted;
}

async function apiJson(base, token, path, init = {}) {
  const r = await fetch(`${base}/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  return r.json();
}

/** A campaign over 曹远镇 launched by the demo leader. */
function launchCampaign(base, name, windowStart, deadline) {
  return apiJson(base, 'anlan-demo-leader', '/campaigns', { method: 'POST', body: JSON.stringify({
    name, kind: 'special', window_start: windowStart, window_end: deadline, deadline }) });
}

export async function clockChecks({ base, check, launch, until, assert, shot, apiCases }) {
  const title = `移民补偿款争议 ${Date.now() % 100000}`;
  const { page, context } = await launch('clock-officer');
  let doc = '';

  /** A campaign open from now until `deadlineIn` from now, and the demo officer's phone, synced
   *  with a right clock, offering it. */
  const officerSeesCampaign = async (profile, name, deadlineIn) => {
    const now = Date.now();
    const launched = await launchCampaign(base, `${name} ${now % 100000}`, now - 60_000, now + deadlineIn);
    const id = launched.campaign?.id;
    assert(id, JSON.stringify(launched));
    const { page: op, context: oc } = await launch(profile);
    await op.goto(`${base}/#/login?token=anlan-demo-officer`);
    await until(async () => (await op.locator('[data-testid=last-sync]').innerText()).includes('上次同步'), 'first sync');
    const row = op.locator(`[data-testid=sweep-row][data-campaign="${id}"]`);
    await row.waitFor({ timeout: 20_000 });
    return { id, op, oc, row };
  };

  await check('clock: a phone whose clock jumps two years ahead offline records a case; the server corrects and marks it', async () => {
    await page.goto(`${base}/#/login?token=anlan-demo-officer`);
    await page.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    await until(async () => (await page.locator('[data-testid=last-sync]').innerText()).includes('上次同步'), 'first sync');
    assert((await page.locator('[data-testid=clock-warning]').count()) === 0, 'a warning while the clock is right');
    await context.setOffline(true);
    const workers = page.workers();
    assert(workers.length >= 1, 'no dedicated worker to move the clock in');
    await page.evaluate(shiftClock, SKEW);
    for (const w of workers) await w.evaluate(shiftClock, SKEW);
    assert(new Date(await workers[0].evaluate(() => Date.now())).getUTCFullYear() >= new Date().getUTCFullYear() + 2, 'the worker clock did not move');

    await page.locator('[data-testid=record]').click();
    await page.locator('[data-testid=cat-compensation]').click();
    await page.locator('[data-testid=sev-major]').click();
    await page.locator('[data-testid=title]').fill(title);
    await page.locator('[data-testid=description]').fill('移民后期扶持资金发放名单有争议，三户村民不服。');
    await page.locator('[data-testid=save]').click();
    await page.waitForURL(/#\/case\//);
    doc = decodeURIComponent(page.url().split('#/case/')[1]);

    await context.setOffline(false);
    const c = await until(async () => (await apiCases(base, 'anlan-demo-leader')).find((x) => x.doc === doc), 'the case on the server', 30_000);
    const now = Date.now();
    assert(Math.abs(c.reported_at - now) < 5 * 60_000, `reported_at ${new Date(c.reported_at).toISOString()} is not now`);
    assert(c.case_no.includes(`-${new Date(now + 8 * 3_600_000).getUTCFullYear()}-`), `case number ${c.case_no}`);
    const fixed = c.clock_corrections.find((x) => x.field === 'reported_at');
    assert(fixed && Math.abs(fixed.claimed - (now + SKEW)) < 5 * 60_000, `the phone's claim is kept: ${JSON.stringify(c.clock_corrections)}`);
    assert(c.title === title, 'what the officer typed');

    // The phone learnt its clock is off and says so; its replica holds the corrected time.
    await page.locator('[data-testid=clock-corrected]').waitFor({ timeout: 20_000 });
    await page.goto(`${base}/#/`);
    const warning = page.locator('[data-testid=clock-warning]');
    await warning.waitFor({ timeout: 20_000 });
    const text = await warning.innerText();
    assert(text.includes('手机时间不准') && text.includes('快') && text.includes('2年'), `warning: ${text}`);
    await shot(page, 'clock-01-officer-warning');
  });

  await check('clock: the leader sees the corrected time with the 时间更正 marker', async () => {
    const { page: lp } = await launch('clock-leader');
    await lp.goto(`${base}/#/login?token=anlan-demo-leader`);
    await lp.locator('[data-testid=last-sync]').waitFor({ timeout: 20_000 });
    await lp.goto(`${base}/#/case/${doc}`);
    const marker = lp.locator('[data-testid=clock-corrected]');
    await marker.waitFor({ timeout: 30_000 });
    const text = await marker.innerText();
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    assert(text.includes('手机时间不准') && text.includes(String(year + 2)) && text.includes(String(year)), `marker: ${text}`);
    assert((await lp.locator('[data-testid=clock-warning]').count()) === 0, 'the leader\'s own clock is right');
    await shot(lp, 'clock-02-leader-marker', '[data-testid=clock-corrected]');
  });

  await check('clock: a petition recorded under a jumped clock waits for a leader to confirm its date; confirmed, the clock counts from it', async () => {
    const name = `信访人${Date.now() % 100000}`;
    const { page: pp, context: pc } = await launch('clock-petitions');
    const listed = async () => {
      const r = await fetch(`${base}/api/v1/petitions`, { headers: { Authorization: 'Bearer anlan-demo-leader' } });
      return (await r.json()).find((p) => p.person === name);
    };
    await pp.goto(`${base}/#/login?token=anlan-demo-leader`);
    await until(async () => (await pp.locator('[data-testid=last-sync]').innerText()).includes('上次同步'), 'first sync');
    await pc.setOffline(true);
    await pp.evaluate(shiftClock, SKEW);
    for (const w of pp.workers()) await w.evaluate(shiftClock, SKEW);
    await pp.goto(`${base}/#/petitions/new`);
    await pp.locator('[data-testid=pf-village]').selectOption('350481101201');
    await pp.locator('[data-testid=pf-source]').selectOption('visit');
    await pp.locator('[data-testid=pf-name]').fill(name);
    await pp.locator('[data-testid=pf-request]').fill('反映安置房漏水，要求维修。');
    await pp.locator('[data-testid=pf-save]').click();
    await pp.waitForURL(/#\/petition\//);
    const petitionUrl = pp.url();
    // A downward visit under the same wrong clock: its date is corrected and its card says so.
    await pp.goto(`${base}/#/visits`);
    await pp.locator('[data-testid=new-visit]').click();
    await pp.locator('[data-testid=vf-village]').selectOption('350481101201');
    await pp.locator('[data-testid=vf-people]').fill(name);
    await pp.locator('[data-testid=vf-resolved]').fill('0');
    await pp.locator('[data-testid=vf-notes]').fill(`走访 ${name}`);
    await pp.locator('[data-testid=vf-save]').click();
    await pp.locator('[data-testid=visit-card]').first().waitFor();
    await pc.setOffline(false);
    const p = await until(async () => { const x = await listed(); return x?.body.pending_dates.length ? x : null; }, 'the petition, pending, on the server', 30_000);
    assert(Math.abs(p.body.received_at - Date.now()) < 5 * 60_000 && p.body.deadline.provisional === true && p.days_left === 15, JSON.stringify(p));
    await pp.goto(petitionUrl);
    await pp.locator('[data-testid=date-pending]').waitFor({ timeout: 20_000 });
    await shot(pp, 'clock-03-petition-pending', '[data-testid=petition-clock]');
    await pp.locator('[data-testid=confirm-date]').click();
    await pp.locator('[data-testid=confirm-date-save]').click();
    const done = await until(async () => { const x = await listed(); return x && !x.body.pending_dates.length ? x : null; }, 'confirmed on the server');
    assert(done.body.deadline.provisional === false && done.days_left === 15, JSON.stringify(done));
    await until(async () => (await pp.locator('[data-testid=date-pending]').count()) === 0, 'the phone shows it confirmed');
    await shot(pp, 'clock-04-petition-confirmed', '[data-testid=petition-clock]');

    await pp.goto(`${base}/#/visits`);
    const marked = pp.locator('[data-testid=visit-card] [data-testid=visit-clock]');
    await until(async () => (await marked.count()) > 0, 'the visit card marked 手机时间不准', 30_000);
    const said = await marked.first().innerText();
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    assert(said.includes('手机时间不准') && said.includes(String(year + 2)), `visit marker: ${said}`);
    await shot(pp, 'clock-05-visit-corrected', '[data-testid=visit-clock]');
  });

  await check('clock: a sweep answer written under a jumped clock is marked beside its village on the leader\'s campaign', async () => {
    const PUTOU = '350481101201';
    const api = (token, path, init) => apiJson(base, token, path, init);
    // Six hours fast, not two years: until its next sync measures the jump, the phone knows no
    // better than its clock, and by a clock past the deadline the campaign is no longer offered.
    // Still far beyond the server's 15 minutes' tolerance.
    const skew = 6 * 3_600_000;
    const { id, op, oc, row } = await officerSeesCampaign('clock-sweep-officer', '时钟排查', 3 * 86_400_000);
    await oc.setOffline(true);
    await op.evaluate(shiftClock, skew);
    for (const w of op.workers()) await w.evaluate(shiftClock, skew);
    await row.locator('[data-testid=sweep-nil]').click();
    await row.locator('[data-testid=sweep-state]').waitFor();
    await oc.setOffline(false);
    const report = await until(async () => {
      const l = await api('anlan-demo-leader', '/campaigns');
      const r = l.campaigns.find((c) => c.campaign.id === id)?.reports.find((x) => x.village === PUTOU);
      return r?.clock_corrections > 0 ? r : null;
    }, 'the corrected report on the server', 30_000);
    assert(report.nil === true, JSON.stringify(report));

    const { page: lp } = await launch('clock-sweep-leader');
    await lp.goto(`${base}/#/login?token=anlan-demo-leader`);
    const campaign = lp.locator(`[data-testid=campaign-card][data-campaign="${id}"]`);
    await campaign.locator('[data-testid=campaign-toggle]').click({ timeout: 20_000 });
    const village = campaign.locator(`[data-testid=village-state][data-village="${PUTOU}"]`);
    await until(async () => (await village.locator('[data-testid=sweep-clock]').count()) > 0, 'the village marked', 20_000);
    assert((await village.locator('[data-testid=sweep-clock]').innerText()).includes('上报时手机时间不准，时间已更正'), 'the marker text');
    assert((await campaign.locator('[data-testid=sweep-clock]').count()) === 1, 'only the corrected village is marked');
    await shot(lp, 'clock-06-sweep-marker', `[data-testid=campaign-card][data-campaign="${id}"]`);
  });

  await check('clock: a phone whose clock runs a month ahead still offers an open campaign, not late, once a sync has measured it', async () => {
    const DAY = 86_400_000;
    const skew = 30 * DAY;
    const now = Date.now();
    const { id, op, oc, row } = await officerSeesCampaign('clock-campaign-officer', '月底排查', DAY);

    // The clock jumps a month ahead: by it the campaign closed more than a week ago.
    await op.evaluate(shiftClock, skew);
    for (const w of op.workers()) await w.evaluate(shiftClock, skew);
    assert(await op.evaluate((d) => Date.now() > d + 7 * 86_400_000, now + DAY), 'the page clock did not move past the deadline');
    // The next sync measures the clock (a reconnection starts one).
    await oc.setOffline(true);
    await oc.setOffline(false);
    // Measured: the warning shows, and the screen is drawn again by the corrected clock.
    await op.locator('[data-testid=clock-warning]').waitFor({ timeout: 30_000 });
    await row.waitFor({ timeout: 20_000 });
    assert((await row.locator('.late').count()) === 0, 'the open campaign is marked late by the phone\'s raw clock');
    await shot(op, 'clock-07-campaign-under-wrong-clock', `[data-testid=sweep-row][data-campaign="${id}"]`);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(clockChecks);
