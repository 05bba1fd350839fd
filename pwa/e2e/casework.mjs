// Leaders' casework end to end: the officer reports a case; the township leader, at a desk-wide
// window (list and case side by side), assigns a responsible leader, the officer as handler and
// a deadline, and acknowledges; the officer, as handler, starts handling and resolves; the leader
// closes with an outcome. The server's projection must show every step attributed. People are
// chosen and shown by name (the people directory), never by user id; the handler records the
// mediation with the agreement photographed, and adds a photo, both uploaded after the sync.
// Run alone with `node e2e/casework.mjs` (after `npm run build`), or as part of run.mjs.
import { fileURLToPath } from 'node:url';

/** A small PNG drawn in the page, as a camera would hand it over. */
async function pagePng(page, hue) {
  const b64 = await page.evaluate(async (h) => {
    const c = new OffscreenCanvas(400, 300);
    const g = c.getContext('2d');
    for (let y = 0; y < 300; y += 10) for (let x = 0; x < 400; x += 10) {
      g.fillStyle = `hsl(${h + Math.random() * 40}, 60%, ${30 + Math.random() * 40}%)`;
      g.fillRect(x, y, 10, 10);
    }
    const blob = await c.convertToBlob({ type: 'image/png' });
    return new Promise((resolve) => { const r = new FileReader(); r.onload = () => resolve(String(r.result).split(',')[1]); r.readAsDataURL(blob); });
  }, hue);
  return Buffer.from(b64, 'base64');
}

export async function caseworkChecks({ base, check, launch, until, assert, shot }) {
  const blobComplete = async (sha) => {
    const r = await fetch(`${base}/api/v1/blobs/${sha}/upload`, { headers: { Authorization: 'Bearer anlan-demo-leader' } });
    return r.ok && (await r.json()).complete === true;
  };
  const title = `移民后扶资金发放纠纷 ${Date.now() % 100000}`;
  const caseJson = async (doc) => {
    const r = await fetch(`${base}/api/v1/cases/${doc}`, { headers: { Authorization: 'Bearer anlan-demo-leader' } });
    return r.ok ? r.json() : null;
  };
  const officer = (await launch('cw-officer')).page;
  const leader = (await launch('cw-leader', { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false })).page;
  let doc = '';

  await check('casework: the officer reports a case and it reaches the server', async () => {
    await officer.goto(`${base}/#/login?token=anlan-demo-officer`);
    await officer.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    await officer.locator('[data-testid=record]').click();
    await officer.locator('[data-testid=cat-compensation]').click();
    await officer.locator('[data-testid=sev-major]').click();
    await officer.locator('[data-testid=title]').fill(title);
    await officer.locator('[data-testid=description]').fill('村民反映后扶资金未足额发放。');
    await officer.locator('[data-testid=save]').click();
    await officer.waitForURL(/#\/case\//);
    doc = decodeURIComponent(officer.url().split('#/case/')[1]);
    await until(async () => (await caseJson(doc))?.title === title, 'the case on the server');
  });

  await check('casework: at desk width the leader sees list and case side by side, assigns and acknowledges', async () => {
    await leader.goto(`${base}/#/login?token=anlan-demo-leader`);
    await leader.locator('[data-testid=case-card]', { hasText: title }).waitFor({ timeout: 20_000 });
    await leader.goto(`${base}/#/case/${doc}`);
    await leader.locator('[data-testid=side] [data-testid=detail-title]', { hasText: title }).waitFor();
    const list = await leader.locator('[data-testid=case-card]', { hasText: title }).boundingBox();
    const side = await leader.locator('[data-testid=side]').boundingBox();
    assert(list && side && side.x > list.x + list.width - 1, `not side by side: ${JSON.stringify({ list, side })}`);
    // Chosen from the directory by typing part of a name, not by user id.
    await leader.locator('[data-testid=assign-leader]').fill('陈');
    await leader.locator('[data-testid=assign-leader-option]', { hasText: '陈建国' }).click();
    await leader.locator('[data-testid=assign-handler]').fill('林');
    await leader.locator('[data-testid=assign-handler-option]').first().waitFor();
    await shot(leader, 'cw-00-people-picker');
    await leader.locator('[data-testid=assign-handler-option]', { hasText: '林秀英' }).click();
    // The click re-renders the form on the app's next frame: wait for it, do not race it.
    await until(async () => (await leader.locator('[data-testid=assign-handler]').inputValue()) === '林秀英', 'the picker shows the name');
    const due = new Date(Date.now() + 7 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    await leader.locator('[data-testid=assign-deadline]').fill(due);
    await leader.locator('[data-testid=assign]').click();
    await leader.locator('[data-testid=move-acknowledged]').click();
    await until(async () => {
      const c = await caseJson(doc);
      return c?.status === 'acknowledged' && c.handler === 'u_demo_officer' && c.deadline != null;
    }, 'assigned and acknowledged on the server');
    const c = await caseJson(doc);
    assert(c.deadline === Date.parse(`${due}T00:00:00+08:00`), `deadline stored as the Beijing day: ${c.deadline}`);
    assert(c.responsible_leader === 'u_demo_leader', `leader: ${c.responsible_leader}`);
    const pane = leader.locator('[data-testid=side]');
    await until(async () => (await pane.locator('[data-testid=handler]').innerText()).includes('林秀英'), 'the handler shown by name');
    const shown = [
      await pane.locator('[data-testid=handler]').innerText(),
      await pane.locator('[data-testid=responsible-leader]').innerText(),
      await pane.locator('[data-testid=reporter]').innerText(),
      await pane.locator('[data-testid=timeline]').innerText(),
      await pane.locator('[data-testid=transitions]').innerText(),
    ].join('\n');
    assert(shown.includes('陈建国') && shown.includes('林秀英') && !/u_demo_/.test(shown), `ids shown to people:\n${shown}`);
    assert((await leader.locator('[data-testid=chase]').count()) === 0, 'a township leader is offered chasing');
    await shot(leader, 'cw-01-leader-desktop');
  });

  await check('casework: the handler records the mediation with the agreement photo and adds a photo; both upload', async () => {
    await officer.goto(`${base}/#/case/${doc}`);
    await officer.locator('[data-testid=mediation-open]').waitFor({ timeout: 20_000 });
    await officer.locator('[data-testid=mediation-open]').click();
    await officer.locator('[data-testid=mediation-text]').fill('双方在村委会签订调解协议，镇里三日内补发资金');
    await officer.locator('[data-testid=mediation-photo]').setInputFiles({ name: 'agreement.png', mimeType: 'image/png', buffer: await pagePng(officer, 30) });
    await officer.locator('[data-testid=mediation-photo-picked]').waitFor();
    await officer.locator('[data-testid=mediation-save]').click();
    await officer.locator('[data-testid=agreement]').waitFor();
    await officer.locator('[data-testid=photo-add-existing]').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: await pagePng(officer, 200) });
    await until(async () => (await caseJson(doc))?.attachments?.length === 2, 'both photos listed on the server');
    const c = await caseJson(doc);
    const med = c.timeline.find((e) => e.kind === 'mediation');
    assert(med && med.by === 'u_demo_officer' && med.text.includes('调解协议'), JSON.stringify(c.timeline));
    assert(c.agreements.length === 1 && c.agreements[0].entry === med.id, JSON.stringify(c.agreements));
    assert(c.attachments.every((a) => a.mime === 'image/jpeg'), JSON.stringify(c.attachments));
    for (const a of c.attachments) await until(() => blobComplete(a.sha256), `photo ${a.sha256.slice(0, 8)} uploaded`, 30_000);
    await until(async () => (await officer.locator('[data-testid=photo-state]').allInnerTexts()).every((s) => s.includes('已上传')), 'shown as uploaded');
    assert(!/u_demo_/.test(await officer.locator('[data-testid=timeline]').innerText()), 'ids in the officer\'s timeline');
    await shot(officer, 'cw-02a-mediation', '[data-testid=timeline]');
    // The leader's browser fetches the agreement for viewing.
    await leader.goto(`${base}/#/case/${doc}`);
    await leader.locator('[data-testid=side] [data-testid=agreement] img').waitFor({ timeout: 20_000 });
  });

  await check('casework: the handler starts handling and resolves; the leader closes with an outcome', async () => {
    await officer.goto(`${base}/#/case/${doc}`);
    await officer.locator('[data-testid=move-handling]').waitFor({ timeout: 20_000 });
    assert((await officer.locator('[data-testid=close]').count()) === 0, 'field staff are offered closing');
    await officer.locator('[data-testid=move-handling]').click();
    await officer.locator('[data-testid=move-resolved]').click();
    await until(async () => (await caseJson(doc))?.status === 'resolved', 'resolved on the server');
    await shot(officer, 'cw-02-handler');
    await leader.locator('[data-testid=side] [data-testid=close-outcome]').waitFor();
    await until(async () => (await leader.locator('[data-testid=side] .badge.st').innerText()).includes('已化解'), 'the leader sees it resolved');
    await leader.locator('[data-testid=close-outcome]').selectOption('mediated');
    await leader.locator('[data-testid=close-note]').fill('双方达成调解协议，资金已补发');
    await leader.locator('[data-testid=close]').click();
    await until(async () => (await caseJson(doc))?.status === 'closed', 'closed on the server');
    const c = await caseJson(doc);
    assert(c.outcome === 'mediated' && c.closing_note === '双方达成调解协议，资金已补发', `outcome: ${c.outcome} ${c.closing_note}`);
    const steps = c.transitions.map((t) => `${t.from}>${t.to}@${t.by}`).join(' ');
    assert(steps === 'reported>acknowledged@u_demo_leader acknowledged>handling@u_demo_officer handling>resolved@u_demo_officer resolved>closed@u_demo_leader', steps);
    await leader.locator('[data-testid=outcome]').waitFor();
    await shot(leader, 'cw-03-closed');
  });
}

// Alone: `node e2e/casework.mjs`.
if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(caseworkChecks);
