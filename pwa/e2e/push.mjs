// Web Push in the browser: a push delivered through the DevTools protocol (as a push service
// would) shows a Chinese notification tagged with the case, and clicking it opens the case.
// Headless Chromium has no push service, so the message is injected with
// `ServiceWorker.deliverPushMessage`; the payload is the server's, byte for byte in shape.

export async function pushChecks({ base, check, launch, until, assert, shot, docId, caseNo }) {
  const { context, page } = await launch('alerts');
  await check('a pushed alert shows a Chinese notification for the case, even with no page looking', async () => {
    await context.grantPermissions(['notifications'], { origin: base });
    await page.goto(`${base}/#/login?token=anlan-demo-leader`);
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
    const cdp = await context.newCDPSession(page);
    const regs = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => regs.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    await until(async () => regs.some((r) => !r.isDeleted && r.scopeURL === `${base}/`), 'service worker registration');
    // A push delivered while a new worker is still installing can be lost with it: wait until
    // exactly one active worker is in charge.
    await until(
      () => page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return !!reg.active && !reg.installing && !reg.waiting && reg.active.state === 'activated';
      }),
      'an activated service worker',
    );
    const { registrationId } = regs.filter((r) => !r.isDeleted && r.scopeURL === `${base}/`).at(-1);
    // Leave the app: the alert must not depend on an open case screen.
    await page.goto(`${base}/#/settings`);
    const payload = { v: 1, kind: 'urgent', doc_id: docId, case_no: caseNo, township: '曹远镇', category: 'housing', severity: 'urgent' };
    // Delivered again if nothing shows: a push service would retry a message the phone never
    // acknowledged; one notification per case (tag) means a repeat cannot show twice.
    const deliver = () => cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId, data: JSON.stringify(payload) });
    await deliver();
    let tries = 0;
    const shown = await until(async () => {
      if (++tries % 20 === 0) await deliver();
      const list = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, sticky: n.requireInteraction }));
      });
      return list.length ? list : null;
    }, 'notification shown');
    assert(shown.length === 1, `one notification per case, got ${shown.length}`);
    const n = shown[0];
    assert(n.title.includes('紧急事件') && n.title.includes(caseNo), `title: ${n.title}`);
    assert(n.body.includes('曹远镇') && n.body.includes('安置房') && n.body.includes('紧急'), `body: ${n.body}`);
    assert(n.tag === docId, `tag ${n.tag} is the case`);
    assert(n.sticky, 'an urgent notification stays until dismissed');
    await shot(page, '12-settings-alerts', '[data-testid=alerts-state]');
  });

  await check('clicking the notification opens the case', async () => {
    const [sw] = context.serviceWorkers();
    assert(sw, 'the service worker is running');
    // No DevTools call clicks a notification; dispatch the event the browser would. A
    // synthetic event cannot be extended, so waitUntil's complaint is expected and harmless.
    await sw.evaluate(async (tag) => {
      const [n] = await self.registration.getNotifications({ tag });
      const e = new NotificationEvent('notificationclick', { notification: n });
      Object.defineProperty(e, 'waitUntil', { value: (p) => p });
      self.dispatchEvent(e);
    }, docId);
    await until(async () => page.url().includes(`#/case/${docId}`), 'navigated to the case');
    await page.locator('[data-testid=detail-title]').waitFor({ timeout: 20_000 });
    // The case shows who the server alerted: this leader had not turned alerts on then.
    const log = await until(async () => {
      const el = page.locator('[data-testid=alert-log]');
      return (await el.count()) ? el.innerText() : null;
    }, 'alert log on the case');
    assert(log.includes('乡镇领导') && log.includes('陈建国'), `alert log: ${log}`);
    await shot(page, '13-case-alert-log', '[data-testid=alert-log]');
  });
}
