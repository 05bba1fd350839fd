// Enrolment by one-time code, the device list, and a revoked phone wiping itself — in the
// browser, under the server's Content-Security-Policy.
import { serverOutput } from './harness.mjs';

const PHONE = '13900000001';
const PASSWORD = '埔头村信息员2026';

export async function identityChecks({ base, check, launch, until, assert, shot, apiCases }) {
  const { page } = await launch('enrolled');
  page.on('dialog', (d) => d.accept());
  const cspViolations = [];
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  const title = `激活后上报 ${Date.now() % 100000}`;

  await check('an officer enrols with the printed link (phone + code → password) and syncs under the CSP', async () => {
    const link = serverOutput().match(/林秀英 \(village_officer\) enrol: (http:\S+)/)?.[1];
    assert(link, `no enrolment link for 林秀英 in the server output:\n${serverOutput()}`);
    const res = await page.goto(link);
    const csp = res.headers()['content-security-policy'] ?? '';
    assert(csp.includes("script-src 'self' 'wasm-unsafe-eval'") && csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`);
    assert(res.headers()['x-frame-options'] === 'DENY' && res.headers()['x-content-type-options'] === 'nosniff', 'security headers');
    await page.locator('[data-testid=login-code]').waitFor();
    assert(await page.locator('[data-testid=login-phone]').inputValue() === PHONE, 'phone filled in from the link');
    assert(/^\d{8}$/.test(await page.locator('[data-testid=login-code]').inputValue()), 'code filled in from the link');
    await page.locator('[data-testid=login-password]').fill(PASSWORD);
    await page.locator('[data-testid=login-password2]').fill(PASSWORD);
    await shot(page, '20-enrol');
    await page.locator('[data-testid=login]').click();
    await page.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    assert(!page.url().includes('code='), `the code stays out of the address bar: ${page.url()}`);

    await page.locator('[data-testid=record]').click();
    await page.locator('[data-testid=cat-land]').click();
    await page.locator('[data-testid=sev-general]').click();
    await page.locator('[data-testid=title]').fill(title);
    await page.locator('[data-testid=description]').fill('激活新手机后记录的第一件事。');
    await page.locator('[data-testid=save]').click();
    await until(async () => (await apiCases(base, 'anlan-demo-leader')).find((c) => c.title === title), 'the case on the server');
    assert(cspViolations.length === 0, `CSP violations: ${cspViolations.join('\n')}`);
  });

  await check('settings lists the account\'s devices; a phone signed out elsewhere wipes itself', async () => {
    await page.goto(`${base}/#/settings`);
    await until(async () => (await page.locator('[data-testid=device-row]').count()) >= 2, 'the device list');
    assert((await page.locator('[data-testid=devices]').innerText()).includes('本机'), 'this device is marked');
    await shot(page, '21-devices', '[data-testid=devices]');

    // The officer, on another phone, signs this one out (say it was lost).
    const login = await fetch(`${base}/api/v1/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone: PHONE, password: PASSWORD }),
    });
    assert(login.ok, `login: ${login.status}`);
    const other = (await login.json()).token;
    const list = await (await fetch(`${base}/api/v1/devices`, { headers: { Authorization: `Bearer ${other}` } })).json();
    const lost = list.devices.find((d) => !d.current && d.label !== 'demo' && !d.revoked_at);
    assert(lost, JSON.stringify(list));
    const r = await fetch(`${base}/api/v1/devices/${lost.id}/revoke`, { method: 'POST', headers: { Authorization: `Bearer ${other}` } });
    assert(r.ok, `revoke: ${r.status}`);

    await page.goto(`${base}/#/`);
    await page.locator('[data-testid=sync-now]').click();
    await page.locator('[data-testid=login-error]', { hasText: '已被注销' }).waitFor({ timeout: 20_000 });
    const left = await page.evaluate(() => new Promise((resolve, reject) => {
      const req = indexedDB.open('anlan');
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const db = req.result;
        const tx = db.transaction(['docs', 'meta', 'kv'], 'readonly');
        const counts = ['docs', 'meta', 'kv'].map((s) => tx.objectStore(s).count());
        tx.oncomplete = () => resolve(counts.map((c) => c.result).reduce((a, b) => a + b, 0));
      };
    }));
    assert(left === 0, `records left on the revoked phone: ${left}`);
    await shot(page, '22-revoked');
  });
}
