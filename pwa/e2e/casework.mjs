// Leaders' casework end to end: the officer reports a case; the township leader, at a desk-wide
// window (list and case side by side), assigns a responsible leader, the officer as handler and
// a deadline, and acknowledges; the officer, as handler, starts handling and resolves; the leader
// closes with an outcome. The server's projection must show every step attributed.

export async function caseworkChecks({ base, check, launch, until, assert, shot }) {
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
    await leader.locator('[data-testid=assign-leader]').fill('u_demo_leader');
    await leader.locator('[data-testid=assign-handler]').fill('u_demo_officer');
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
    assert((await leader.locator('[data-testid=chase]').count()) === 0, 'a township leader is offered chasing');
    await shot(leader, 'cw-01-leader-desktop');
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
