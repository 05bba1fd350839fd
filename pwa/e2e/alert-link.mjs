// SMS fallback in the browser: the acknowledgement link an SMS carries opens a small page that
// works at 360 px in a plain browser (no app, no login, no script), and a leader's SMS setting
// in 设置 saves and is what the server then uses.
import http from 'node:http';

/** What SMS links point under here; the checks open them on the test server instead. */
const PUBLIC = 'http://anlan.test';
const LEADER_PHONE = '13900000002';

/** A county SMS gateway on loopback that keeps what it is sent, and the server settings for it. */
export function startSmsGateway() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try { received.push(JSON.parse(body)); } catch { /* not an SMS */ }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({
      received,
      close: () => server.close(),
      env: {
        ANLAN_SMS_PROVIDER: 'http',
        ANLAN_HTTP_SMS_URL: `http://127.0.0.1:${server.address().port}/sms`,
        ANLAN_HTTP_SMS_BODY: '{"to":"{phone}","text":"{text}"}',
        ANLAN_SMS_TEMPLATE_TEXT: '【安澜】${case_no}${link}',
        ANLAN_SMS_TEMPLATE_PARAMS: 'case_no,link',
        ANLAN_PUBLIC_URL: PUBLIC,
      },
    });
  }));
}

export async function alertLinkChecks({ base, check, launch, until, assert, shot, gateway, caseNo }) {
  const { page } = await launch('sms-link', { viewport: { width: 360, height: 640 } });
  await check('the SMS link opens a page that works at 360 px without script errors, and 已知悉 answers', async () => {
    const sms = await until(
      async () => gateway.received.find((m) => m.to === LEADER_PHONE && m.text.includes(caseNo)),
      'an SMS to the township leader about the urgent case',
    );
    const link = sms.text.slice(sms.text.indexOf(PUBLIC)).replace(PUBLIC, base);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(link);
    const button = page.getByRole('button', { name: '已知悉' });
    await button.waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 360, `no sideways scrolling at 360 px: ${width}`);
    const said = await page.locator('.alert').innerText();
    assert(said.includes(caseNo) && said.includes('曹远镇'), `what the SMS said: ${said}`);
    await shot(page, '30-sms-link');
    await button.click();
    // The leader acknowledged this case in the app earlier in the run: the page says so.
    const done = await until(async () => {
      const t = await page.locator('body').innerText();
      return t.includes('已记录您知悉此事') || t.includes('已有人知悉') ? t : null;
    }, 'the acknowledgement answer');
    assert(done.includes('打开安澜'), `offers the app: ${done}`);
    await shot(page, '31-sms-link-done');
    assert(errors.length === 0, `errors: ${errors.join('; ')}`);
    // Opened again it answers 410 Gone (which the console reports as a failed load).
    await page.goto(link);
    assert((await page.locator('body').innerText()).includes('已使用'), 'a link works once');
  });

  const { page: lp } = await launch('channels');
  await check('a leader turns SMS off in 设置 and the server keeps it', async () => {
    await lp.goto(`${base}/#/login?token=anlan-demo-leader`);
    await lp.locator('[data-testid=record], [data-testid=case-card], main:not(.login)').first().waitFor({ timeout: 20_000 });
    await lp.goto(`${base}/#/settings`);
    const state = lp.locator('[data-testid=channels-sms-state]');
    await until(async () => (await state.count()) && (await state.innerText()).includes('已开启'), 'SMS on by default');
    await lp.locator('[data-testid=channels-sms-off]').click();
    await until(async () => (await state.innerText()).includes('已关闭'), 'SMS shown off');
    const res = await fetch(`${base}/api/v1/me/alert-channels`, { headers: { Authorization: 'Bearer anlan-demo-leader' } });
    const body = await res.json();
    assert(body.effective.sms === false && body.own.sms === false, JSON.stringify(body));
    await shot(lp, '32-settings-sms', '[data-testid=alert-channels]');
    await lp.locator('[data-testid=channels-sms-on]').click();
    await until(async () => (await state.innerText()).includes('已开启'), 'SMS back on');
  });
}
