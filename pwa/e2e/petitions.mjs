// Petitions end to end: the township leader, offline, records a petition received ten days ago;
// it syncs when the network returns, the leader confirms the date the new phone could not vouch
// for, the server's list shows five days left to decide, and so does the phone's countdown;
// accepting it starts the 60 days. Then a downward visit. Run alone with
// `node e2e/petitions.mjs` (after `npm run build`), or as part of run.mjs.
import { fileURLToPath } from 'node:url';

const DAY = 86_400_000;
const beijingDate = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

export async function petitionChecks({ base, check, launch, until, assert, shot }) {
  const name = `信访人${Date.now() % 100000}`;
  const { page, context } = await launch('petitions');
  const listed = async () => {
    const r = await fetch(`${base}/api/v1/petitions`, { headers: { Authorization: 'Bearer anlan-demo-leader' } });
    return (await r.json()).find((p) => p.person === name);
  };
  let doc = '';

  await check('petitions: a leader records a petition offline; it syncs and shows 剩余5天 to decide', async () => {
    await page.goto(`${base}/#/login?token=anlan-demo-leader`);
    await page.locator('[data-testid=petitions-link]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=petitions-link]').click();
    await page.locator('[data-testid=new-petition]').click();
    await page.locator('[data-testid=pf-village]').waitFor();
    await context.setOffline(true);
    await page.locator('[data-testid=pf-village]').selectOption('350481101201');
    await page.locator('[data-testid=pf-source]').selectOption('reception_day');
    await page.locator('[data-testid=pf-date]').fill(beijingDate(Date.now() - 10 * DAY));
    await page.locator('[data-testid=pf-name]').fill(name);
    await page.locator('[data-testid=pf-phone]').fill('139 0000 1234');
    await page.locator('[data-testid=pf-request]').fill('要求补发2025年度后期扶持资金。');
    await page.locator('[data-testid=pf-save]').click();
    await page.waitForURL(/#\/petition\//);
    doc = decodeURIComponent(page.url().split('#/petition/')[1]);
    assert((await page.locator('[data-testid=countdown]').innerText()) === '剩余5天', 'countdown offline');
    assert(!(await listed()), 'on the server before the network returned');
    await context.setOffline(false);
    // The phone was enrolled today (demo data), so a date ten days back is not taken on its word
    // (PROTOCOL.md §11): the server counts from its receipt until the leader confirms the date.
    const p = await until(listed, 'the petition on the server', 30_000);
    assert(p.doc === doc && p.status === 'awaiting_decision' && p.body.pending_dates.includes('received_at'), JSON.stringify(p));
    await page.goto(`${base}/#/petition/${doc}`);
    await page.locator('[data-testid=confirm-date]').click({ timeout: 20_000 });
    await page.locator('[data-testid=confirm-date-input]').fill(beijingDate(Date.now() - 10 * DAY));
    await page.locator('[data-testid=confirm-date-save]').click();
    const confirmed = await until(async () => { const x = await listed(); return x && !x.body.pending_dates.length ? x : null; }, 'the date confirmed on the server');
    assert(confirmed.days_left === 5 && confirmed.body.deadline.provisional === false, JSON.stringify(confirmed));
    await page.goto(`${base}/#/petitions`);
    const card = page.locator('[data-testid=petition-card]', { hasText: name });
    await card.waitFor();
    // The server wrote the confirmation (PROTOCOL.md §11): the phone shows it after its next pull.
    await until(async () => (await card.locator('[data-testid=countdown]').innerText()) === '剩余5天', 'countdown in the list');
    await shot(page, 'pet-01-list');
  });

  await check('petitions: accepting it today starts the 60 days to reply', async () => {
    await page.goto(`${base}/#/petition/${doc}`);
    await page.locator('[data-testid=act-accept]').click();
    await page.locator('[data-testid=action-confirm]').click();
    await until(async () => (await page.locator('[data-testid=petition-stage]').innerText()) === '办理中', 'stage on the phone');
    assert((await page.locator('[data-testid=countdown]').innerText()) === '剩余60天', 'reply countdown');
    const p = await until(async () => { const x = await listed(); return x?.status === 'handling' ? x : null; }, 'handling on the server');
    assert(p.days_left === 60 && p.body.deadline.kind === 'reply', JSON.stringify(p));
    // A second decision is not offered, nor is an extension: only petition staff move a
    // deadline (docs/permissions.md); the leader may reply.
    assert(await page.locator('[data-testid=act-reply]').isVisible(), 'reply offered');
    assert((await page.locator('[data-testid=act-extend]').count()) === 0, 'a leader is offered the extension');
    assert((await page.locator('[data-testid=act-accept]').count()) === 0, 'a second decision is offered');
    await shot(page, 'pet-02-detail');
  });

  await check('visits: the leader records a downward visit and it is listed on the server', async () => {
    await page.goto(`${base}/#/visits`);
    await page.locator('[data-testid=new-visit]').click();
    await page.locator('[data-testid=vf-village]').selectOption('350481101201');
    await page.locator('[data-testid=vf-people]').fill('王大伯\n李婶');
    await page.locator('[data-testid=vf-resolved]').fill('1');
    await page.locator('[data-testid=vf-notes]').fill(`走访移民户 ${name}`);
    await page.locator('[data-testid=vf-save]').click();
    await page.locator('[data-testid=visit-card]').first().waitFor();
    const v = await until(async () => {
      const r = await fetch(`${base}/api/v1/visits`, { headers: { Authorization: 'Bearer anlan-demo-county' } });
      return (await r.json()).find((x) => x.body.notes.includes(name));
    }, 'the visit on the server');
    assert(v.person === '陈建国' && v.body.people_met.length === 2 && v.body.resolved === 1, JSON.stringify(v));
    await shot(page, 'pet-03-visits');
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(petitionChecks);
