// The app as its users see it, at 390×844 in zh-CN: names rather than codes, one checkbox row
// with the label beside the box, a failed save that shows where and why, leaders' sweep
// completeness live, and every main screen passing axe-core (contrast included) — with a
// screenshot of each screen in e2e/artifacts/scr-*.png.
// Run as part of run.mjs, or alone: `node e2e/screens.mjs` (after `npm run build`).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const listOf = (b) => (Array.isArray(b) ? b : b.cases ?? b.items ?? []);
const PUTOU = '350481101201';
const CAOYUAN = '350481101';
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it stands (WCAG 2 A/AA rules). */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`).join(' | ')}`);
  });
}

/** Controls smaller than 44×44 px (WCAG 2.5.5). Links inside running text are exempt, as is a
 *  box inside a choice row (the row is the target) and a visually hidden file input (its label is). */
export function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button]')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
      if (el.closest('label.choice') || el.classList.contains('visually-hidden')) continue;
      if (el.tagName === 'A' && getComputedStyle(el).display === 'inline' && el.parentElement?.closest('p, li, dd, span')) continue;
      const target = el.matches('input[type=file]') ? el.closest('label') ?? el : el;
      const t = target.getBoundingClientRect();
      if (t.width < 44 - 0.5 || t.height < 44 - 0.5) out.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''} «${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 12)}» ${Math.round(t.width)}×${Math.round(t.height)}`);
    }
    return out;
  });
}

/** At the current width: what sticks out sideways (the page scrolls horizontally), or null. */
export function overflowAt320(page) {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth <= root.clientWidth + 1) return null;
    const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= root.clientWidth + 1)
      .slice(0, 4).map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return `scrolls to ${root.scrollWidth} px for ${root.clientWidth}: ${wide.join(', ')}`;
  });
}

/** Dates written the phone's or the machine's way (2026/12/1, 12/1/2026, 2026-12-01) rather than
 *  in Chinese (2026年12月1日) in the visible text. Form fields' values are not text. */
export function foreignDates(page) {
  return page.evaluate(() => {
    const text = document.body.innerText;
    return [...text.matchAll(/\b(\d{4}[/-]\d{1,2}[/-]\d{1,2}|\d{1,2}\/\d{1,2}\/\d{2,4})\b/g)].map((m) => m[0]).slice(0, 4);
  });
}

/** Where each checkbox sits against its label's text, and how big the tappable row is. */
function choiceLayout(page, scope) {
  return page.locator(scope).evaluateAll((roots) => roots.flatMap((root) => [...root.querySelectorAll('input[type=checkbox], input[type=radio]')].map((input) => {
    const label = input.closest('label');
    const box = input.getBoundingClientRect();
    if (!label) return { text: '(no label)', box, label: null };
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT, { acceptNode: (n) => (n.textContent.trim() ? 1 : 3) });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    const range = document.createRange();
    range.setStartBefore(nodes[0]);
    range.setEndAfter(nodes.at(-1));
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    return { text: label.textContent.trim(), box: box.toJSON(), textBox: range.getBoundingClientRect().toJSON(), lines: tops.size, label: label.getBoundingClientRect().toJSON() };
  })));
}

/** Label beside the box, on its line, and a whole row big enough to tap. */
export async function assertChoices(page, scope, assert, min = 1) {
  const rows = await choiceLayout(page, scope);
  assert(rows.length >= min, `${rows.length} choices in ${scope}`);
  for (const r of rows) {
    const where = `${scope} «${r.text}»`;
    assert(r.label, `${where}: no label around the box`);
    assert(r.box.width <= 32 && r.box.height <= 32, `${where}: box ${r.box.width}×${r.box.height} px`);
    assert(r.box.right <= r.textBox.left + 1, `${where}: the box is not left of its label (box ${r.box.right}, text ${r.textBox.left})`);
    const mid = r.box.top + r.box.height / 2;
    assert(mid >= r.textBox.top && mid <= r.textBox.bottom, `${where}: the box is not beside its text (box middle ${mid}, text ${r.textBox.top}–${r.textBox.bottom})`);
    assert(r.lines === 1 || r.textBox.width >= 150, `${where}: the label is squeezed into ${r.textBox.width} px over ${r.lines} lines`);
    assert(r.label.height >= 44 && r.label.width >= 200, `${where}: the tappable row is ${r.label.width}×${r.label.height} px`);
  }
}

/** Tapping the row's far end (not the box) toggles it. */
async function assertRowToggles(page, row) {
  const input = row.locator('input');
  const before = await input.isChecked();
  const b = await row.boundingBox();
  await row.click({ position: { x: b.width - 12, y: b.height / 2 } });
  if ((await input.isChecked()) === before) throw new Error('tapping the row away from the box did not toggle it');
  await row.click({ position: { x: b.width - 12, y: b.height / 2 } });
}

export async function screenChecks({ base, check, launch, until, assert, shot }) {
  const api = async (token, p, init = {}) => {
    const r = await fetch(`${base}/api/v1${p}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
    if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${p}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const officer = await launch('scr-officer', { bypassCSP: true });
  const leader = await launch('scr-leader', { bypassCSP: true });
  const county = await launch('scr-county', { bypassCSP: true });
  const op = officer.page;
  const lp = leader.page;
  const cp = county.page;
  op.on('dialog', (d) => d.accept());
  const title = `安置房围墙开裂 ${Date.now() % 100000}`;
  const axeFindings = [];
  const smallFindings = [];
  const narrowFindings = [];
  const dateFindings = [];
  const audit = async (page, name) => {
    await shot(page, `scr-${name}`);
    const v = await axeViolations(page);
    if (v.length) axeFindings.push(`${name}: ${v.join('\n    ')}`);
    const small = await smallTargets(page);
    if (small.length) smallFindings.push(`${name}: ${small.join(', ')}`);
    const dates = await foreignDates(page);
    if (dates.length) dateFindings.push(`${name}: ${dates.join(', ')}`);
    // The smallest phones in use: 320 px wide. Nothing may need a sideways scroll there.
    const size = page.viewportSize();
    await page.setViewportSize({ width: 320, height: size.height });
    try {
      await page.waitForTimeout(100);
      const wide = await overflowAt320(page);
      if (wide) {
        narrowFindings.push(`${name}: ${wide}`);
        await shot(page, `scr-${name}-320`);
      }
    } finally {
      await page.setViewportSize(size);
    }
  };

  await op.goto(`${base}/#/login?token=anlan-demo-officer`);
  await lp.goto(`${base}/#/login?token=anlan-demo-leader`);
  await cp.goto(`${base}/#/login?token=anlan-demo-county`);
  await op.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
  await lp.locator('[data-testid=filters]').waitFor({ timeout: 20_000 });
  await cp.locator('[data-testid=filters]').waitFor({ timeout: 20_000 });

  await check('screens: an empty 保存 scrolls to and focuses the first missing field, each marked with its message', async () => {
    await op.goto(`${base}/#/new`);
    await op.locator('[data-testid=save]').waitFor();
    await op.locator('[data-testid=save]').click();
    const invalid = op.locator('[aria-invalid=true]');
    await until(async () => (await invalid.count()) >= 3, 'three fields marked invalid');
    const focused = await until(() => op.evaluate(() => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      const field = a.closest('[data-field]')?.dataset.field;
      return field && { testid: field, top: r.top, bottom: r.bottom, h: innerHeight };
    }), 'the focus on a marked field', 3000);
    assert(focused.testid === 'category', `focus on ${focused.testid}, not the category`);
    assert(focused.top >= 0 && focused.bottom <= focused.h, `the focused field is off screen: ${JSON.stringify(focused)}`);
    for (const [field, msg] of [['category', '请选择类别'], ['severity', '请选择轻重缓急'], ['title', '请填写标题']]) {
      const box = op.locator(`[data-field=${field}]`);
      const err = box.locator('.field-error');
      assert((await err.innerText()).includes(msg), `${field}: message ${await err.innerText().catch(() => 'missing')}`);
      const id = await err.getAttribute('id');
      const described = await box.locator('[aria-invalid=true]').first().getAttribute('aria-describedby');
      assert(described?.split(' ').includes(id), `${field}: the message is not tied to the control (${described} vs ${id})`);
    }
    await shot(op, 'scr-new-case-errors-focused', '[data-field=category]');
    await op.evaluate(() => window.scrollTo(0, 0));
    await audit(op, 'new-case-errors');
    // Fixing a field clears its own mark at once.
    await op.locator('[data-testid=cat-housing]').click();
    await until(async () => (await op.locator('[data-field=category] .field-error').count()) === 0, 'the category message gone');
  });

  await check('screens: the officer records a case (setup for the leader screens)', async () => {
    if (!op.url().includes('#/new')) await op.goto(`${base}/#/new`);
    await op.locator('[data-testid=cat-housing]').click();
    await op.locator('[data-testid=sev-major]').click();
    await op.locator('[data-testid=title]').fill(title);
    await op.locator('[data-testid=save]').click();
    await op.waitForURL(/#\/case\//);
    await until(async () => listOf(await api('anlan-demo-leader', '/cases')).some((c) => c.title === title), 'the case on the server');
    await audit(op, 'officer-case-detail');
    await op.goto(`${base}/#/`);
    await op.locator('[data-testid=case-card]', { hasText: title }).waitFor();
    await audit(op, 'officer-home');
  });

  await check('screens: leaders and the county see the village by name on cards, filters and the case, never its code', async () => {
    await lp.goto(`${base}/#/`);
    const card = lp.locator('[data-testid=case-card]', { hasText: title });
    await card.waitFor({ timeout: 20_000 });
    await until(async () => (await card.innerText()).includes('埔头村'), 'the village name on the card');
    const options = await lp.locator('[data-testid=filter-village] option').allTextContents();
    assert(options.includes('埔头村') && !options.some((o) => o.includes(PUTOU)), `village filter: ${options}`);
    await audit(lp, 'leader-home');
    // The first case awaiting acknowledgement is on the first screen, nav and filters above it compact.
    const first = await lp.locator('h2.attention + ul [data-testid=case-card]').first().evaluate((el) => { window.scrollTo(0, 0); const r = el.getBoundingClientRect(); return { bottom: r.bottom, h: innerHeight }; });
    assert(first.bottom <= first.h, `the first case to acknowledge ends at ${first.bottom} px of ${first.h}`);
    await card.locator('.card-link').click();
    await lp.locator('[data-testid=detail-title]', { hasText: title }).waitFor();
    const fields = await lp.locator('dl.fields').innerText();
    assert(fields.includes('埔头村') && !fields.includes(PUTOU), `case fields: ${fields}`);
    assert(fields.includes('林秀英') && !fields.includes('u_demo_officer'), `reporter by name: ${fields}`);
    await audit(lp, 'leader-case-detail');
    // Offline, from what the phone kept.
    await leader.context.setOffline(true);
    try {
      await lp.reload();
      await lp.locator('[data-testid=detail-title]', { hasText: title }).waitFor({ timeout: 15_000 });
      const offline = await lp.locator('dl.fields').innerText();
      assert(offline.includes('埔头村') && !offline.includes(PUTOU), `offline case fields: ${offline}`);
    } finally {
      await leader.context.setOffline(false);
    }
    await cp.goto(`${base}/#/`);
    const ccard = cp.locator('[data-testid=case-card]', { hasText: title });
    await ccard.waitFor({ timeout: 20_000 });
    await until(async () => (await ccard.innerText()).includes('埔头村'), 'the village name on the county card');
    await audit(cp, 'county-home');
  });

  await check('screens: 只看我的案件 on the leader and county homes is one row, label beside the box', async () => {
    for (const p of [lp, cp]) {
      await p.goto(`${base}/#/`);
      await p.locator('[data-testid=filter-mine]').waitFor({ state: 'attached' });
      if (!(await p.locator('[data-testid=filters]').evaluate((d) => d.open))) await p.locator('[data-testid=filters-toggle]').click();
      await assertChoices(p, '[data-testid=filters]', assert);
      await assertRowToggles(p, p.locator('[data-testid=filters] label', { has: p.locator('[data-testid=filter-mine]') }));
    }
    await shot(lp, 'scr-leader-filters', '[data-testid=filters]');
  });

  // A campaign for 曹远镇 open now, for the sweep screens below.
  const now = Date.now();
  const made = await api('anlan-demo-county', '/campaigns', { method: 'POST', body: JSON.stringify({ name: `屏幕排查 ${now % 100000}`, kind: 'concentrated', window_start: now - 3_600_000, window_end: now + 86_400_000, deadline: now + 86_400_000 - 1, focus: [], townships: [CAOYUAN] }) });
  const campaign = made.campaign.id;
  await check('screens: 发起排查 lists townships one per row, label beside the box', async () => {
    await cp.goto(`${base}/#/`);
    await cp.locator('[data-testid=sweep-launch-open]').click({ timeout: 20_000 });
    await cp.locator('[data-testid=launch-townships] label').first().waitFor();
    await assertChoices(cp, '[data-testid=launch-townships]', assert, 2);
    await assertChoices(cp, '[data-testid=launch-focus]', assert, 2);
    await assertRowToggles(cp, cp.locator('[data-testid=launch-townships] label', { hasText: '曹远镇' }));
    await shot(cp, 'scr-county-launch-townships', '[data-testid=launch-townships]');
    await audit(cp, 'county-launch');
  });

  await check('screens: the sweep report\'s case list is one row per case, label beside the box', async () => {
    await op.goto(`${base}/#/`);
    const row = op.locator(`[data-testid=sweep-row][data-campaign="${campaign}"]`);
    await until(async () => {
      if (await row.count()) return true;
      await op.reload();
      await op.locator('[data-testid=record]').waitFor({ timeout: 10_000 });
      return row.count();
    }, 'the sweep row on the officer phone');
    await row.locator('[data-testid=sweep-report]').click();
    await row.locator('[data-testid=sweep-case]').first().waitFor();
    await assertChoices(op, '[data-testid=sweep-form]', assert);
    await assertRowToggles(op, row.locator('label', { hasText: title }));
    await shot(op, 'scr-officer-sweep-report-cases', '[data-testid=sweep-form]');
    await audit(op, 'officer-sweep-report');
  });

  await check('screens: the visit form\'s 发现的矛盾纠纷 is one row per case, label beside the box', async () => {
    await lp.goto(`${base}/#/visits/new`);
    await lp.locator('[data-testid=vf-village]').selectOption(PUTOU);
    await lp.locator('[data-testid=vf-cases] label', { hasText: title }).waitFor();
    await assertChoices(lp, '[data-testid=vf-cases]', assert);
    await assertRowToggles(lp, lp.locator('[data-testid=vf-cases] label', { hasText: title }));
    await shot(lp, 'scr-leader-visit-form-cases', '[data-testid=vf-cases]');
    await audit(lp, 'leader-visit-form');
  });

  await check('screens: a village\'s nil report shows in the county\'s open completeness view within 2 s of its commit', async () => {
    await cp.goto(`${base}/#/`);
    const card = cp.locator(`[data-testid=campaign-card][data-campaign="${campaign}"]`);
    await card.locator('[data-testid=campaign-toggle]').click({ timeout: 20_000 });
    const putou = card.locator(`[data-testid=village-state][data-village="${PUTOU}"]`);
    await until(async () => (await putou.getAttribute('data-answer')) === 'missing', '埔头村 missing first');
    // The officer answers offline; the county looks at the card again (a refresh of the list)
    // just before the answer reaches the server — the case a leader meets between reports.
    const row = op.locator(`[data-testid=sweep-row][data-campaign="${campaign}"]`);
    await officer.context.setOffline(true);
    await row.locator('[data-testid=sweep-nil]').click();
    await row.locator('[data-testid=sweep-state]').waitFor();
    await cp.waitForTimeout(5500);
    await card.locator('[data-testid=campaign-toggle]').click();
    await card.locator('[data-testid=campaign-toggle]').click();
    await putou.waitFor();
    await officer.context.setOffline(false);
    const committed = await until(async () => {
      const c = await api('anlan-demo-county', `/campaigns/${campaign}/completeness`);
      return c.completeness.villages.find((v) => v.code === PUTOU)?.answer === 'nil' && Date.now();
    }, 'the nil report on the server', 30_000);
    await until(async () => (await putou.getAttribute('data-answer')) === 'nil', '埔头村 nil on the county phone', 10_000);
    const lag = Date.now() - committed;
    console.log(`  report committed → county completeness: ${lag} ms`);
    assert(lag <= 2000, `took ${lag} ms`);
    await shot(cp, 'scr-county-completeness-open', `[data-testid=campaign-card][data-campaign="${campaign}"]`);
    await audit(cp, 'county-completeness');
  });

  await check('screens: 一张图 works offline: villages placed from unit coordinates, sized by open cases, tap to list', async () => {
    await lp.goto(`${base}/#/`);
    await lp.locator('[data-testid=map-link]').click();
    await lp.locator('[data-testid=map-village]').first().waitFor({ timeout: 20_000 });
    await leader.context.setOffline(true);
    try {
      await lp.reload();
      const putou = lp.locator(`[data-testid=map-village][data-village="${PUTOU}"]`);
      await putou.waitFor({ timeout: 15_000 });
      assert(Number(await putou.getAttribute('data-open')) >= 1 && (await putou.getAttribute('data-worst')) === 'major', `埔头村: ${await putou.getAttribute('data-open')} open, worst ${await putou.getAttribute('data-worst')}`);
      const other = lp.locator('[data-testid=map-village][data-village="350481101202"]');
      assert((await other.getAttribute('data-open')) === '0', '曹远村 has no open case');
      const [a, b] = [await putou.locator('circle').last().boundingBox(), await other.locator('circle').last().boundingBox()];
      assert(a.width > b.width, `the village with cases is drawn bigger (${a.width} vs ${b.width})`);
      assert(b.y < a.y, '曹远村 lies north of 埔头村');
      assert((await lp.locator('[data-testid=map-tile]').count()) === 0, 'no tiles by default');
      await putou.click();
      await lp.locator('[data-testid=map-list] [data-testid=case-card]', { hasText: title }).waitFor();
      await shot(lp, 'scr-leader-map-offline');
    } finally {
      await leader.context.setOffline(false);
    }
    await audit(lp, 'leader-map');
    await cp.goto(`${base}/#/map`);
    await cp.locator(`[data-testid=map-village][data-village="${PUTOU}"]`).waitFor({ timeout: 20_000 });
    await audit(cp, 'county-map');
  });

  await check('screens: every main screen passes axe-core with no serious or critical violation (contrast ≥ 4.5:1)', async () => {
    for (const [page, path, name, ready] of [
      [op, '#/settings', 'officer-settings', '[data-testid=logout]'],
      [lp, '#/stats', 'leader-stats', '[data-testid=stats-summary]'],
      [lp, '#/visits', 'leader-visits', 'main'],
      [lp, '#/petitions', 'leader-petitions', 'main'],
      [cp, '#/settings', 'county-settings', '[data-testid=logout]'],
    ]) {
      await page.goto(`${base}/${path}`);
      await page.locator(ready).first().waitFor({ timeout: 20_000 });
      await audit(page, name);
      if (name.endsWith('settings')) {
        const text = await page.locator('main').innerText();
        assert(!/u_demo_|3504\d{2,}|Linux #/.test(text), `${name} shows internal ids: ${text.slice(0, 200)}`);
      }
    }
    assert(axeFindings.length === 0, `\n  ${axeFindings.join('\n  ')}`);
  });

  await check('screens: every control on the main screens is at least 44×44 px', async () => {
    assert(smallFindings.length === 0, `\n  ${smallFindings.join('\n  ')}`);
  });

  await check('screens: no main screen scrolls sideways at 320 px', async () => {
    assert(narrowFindings.length === 0, `\n  ${narrowFindings.join('\n  ')}`);
  });

  await check('screens: dates are written the Chinese way (2026年12月1日), never 2026/12/1 or 12/1/2026', async () => {
    assert(dateFindings.length === 0, `\n  ${dateFindings.join('\n  ')}`);
  });

  await check('settings: the device is named by model and browser, renamed by its owner, and the name is kept on the server', async () => {
    await op.goto(`${base}/#/settings`);
    const input = op.locator('input[data-testid=device-name]');
    await until(async () => (await input.inputValue()).includes('Chrome'), 'a default name with the browser in it');
    const shown = await input.inputValue();
    assert(!/^(Linux|手机)$/.test(shown) && !/#\d/.test(shown), `default device name: ${shown}`);
    assert((await op.locator('label[for=device-name]').innerText()).includes('设备'), 'the name field has a label');
    await input.fill('  林秀英的工作手机 ');
    await op.locator('[data-testid=device-name-save]').click();
    await op.locator('[data-testid=toast]', { hasText: '已改名' }).waitFor();
    const list = await api('anlan-demo-officer', '/devices');
    assert(list.devices.find((d) => d.current)?.label === '林秀英的工作手机', JSON.stringify(list.devices));
    await op.reload();
    await until(async () => (await input.inputValue()) === '林秀英的工作手机', 'the new name after a reload');
    await shot(op, 'scr-officer-settings-renamed', '[data-testid=device-name]');
    await audit(op, 'officer-settings-renamed');
    assert(axeFindings.length === 0 && smallFindings.length === 0, `\n  ${[...axeFindings, ...smallFindings].join('\n  ')}`);
  });

  await officer.context.close();
  await leader.context.close();
  await county.context.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(screenChecks);
