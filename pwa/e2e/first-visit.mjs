// A first visit's sign-in form comes with index.html, before the app's code (ui/static-login.ts):
// it must be the app's own form, what is typed into it must survive the app taking over, and an
// installed app must not flash it on a signed-in start (the service worker serves shell.html).
// Run as part of run.mjs, or alone: `node e2e/first-visit.mjs` (after `npm run build`).
import { fileURLToPath } from 'node:url';

/** Elements, attributes and text of `el`, for comparing two renderings of one form: lit's
 *  comment markers, whitespace between tags and `data-static` left out. */
function shapeOf(el) {
  const walk = (n) => {
    if (n.nodeType === 3) return n.textContent.trim() || null;
    if (n.nodeType !== 1) return null;
    const attrs = [...n.attributes].filter((a) => a.name !== 'data-static').map((a) => `${a.name}=${a.value.trim()}`).sort();
    return [n.tagName.toLowerCase(), attrs, [...n.childNodes].map(walk).filter((x) => x !== null)];
  };
  return JSON.stringify(walk(el));
}

export async function firstVisitChecks({ base, check, launch, assert, shot }) {
  await check('first visit: index.html carries the sign-in form, and it is the app\'s own', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const { context, page } = await launch('first-visit-shape');
    await page.goto(`${base}/`);
    await page.locator('main.login:not([data-static]) [data-testid=login-phone]').waitFor();
    const [fromHtml, fromApp] = await page.evaluate(([html, shape]) => {
      const f = new Function(`return ${shape}`)();
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const stat = doc.querySelector('#app > main.login[data-static]');
      return [stat ? f(stat) : null, f(document.querySelector('#app main.login'))];
    }, [html, shapeOf.toString()]);
    assert(fromHtml !== null, 'index.html has no <main class="login" data-static> in #app');
    assert(fromHtml === fromApp, `index.html's form differs from ui/login.ts's:\n  html ${fromHtml}\n  app  ${fromApp}`);
    await context.close();
  });

  await check('first visit: what is typed before the app\'s code arrives carries over, caret included', async () => {
    const { context, page } = await launch('first-visit-typing');
    // Hold the page's scripts back until the form has been filled in, as a slow link does.
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route(/\/assets\/index-[^/]+\.js$/, async (route) => { await held; await route.continue(); });
    await page.goto(`${base}/`, { waitUntil: 'commit' });
    await page.locator('main[data-static] [data-testid=login-phone]').fill('13800000001');
    await page.locator('main[data-static] [data-testid=login-password]').fill('wrongpass');
    await page.locator('main[data-static] [data-testid=login-password]').evaluate((el) => el.setSelectionRange(3, 3));
    assert(await page.locator('main[data-static] [data-testid=login]').isDisabled(), 'the static submit button is enabled before the code arrives');
    await shot(page, 'first-visit-static-form');
    release();
    await page.locator('main.login:not([data-static])').waitFor();
    assert(await page.locator('[data-testid=login-phone]').inputValue() === '13800000001', 'phone lost');
    assert(await page.locator('[data-testid=login-password]').inputValue() === 'wrongpass', 'password lost');
    const caret = await page.evaluate(() => ({ name: document.activeElement?.getAttribute('name'), at: document.activeElement?.selectionStart }));
    assert(caret.name === 'password' && caret.at === 3, `caret ${JSON.stringify(caret)}`);
    await shot(page, 'first-visit-app-form');
    // The carried-over values are the app's state: submitting them reaches the server.
    await page.locator('[data-testid=login]').click();
    await page.locator('[data-testid=login-error]').waitFor();
    await context.close();
  });

  await check('an installed app starts from shell.html: no sign-in form before a signed-in home', async () => {
    const { context, page } = await launch('first-visit-shell');
    await page.goto(`${base}/#/login?token=anlan-demo-officer`);
    await page.locator('[data-testid=record]').waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
    // A phone holding documents waits for its engine before showing them (main.ts `start`).
    await page.locator('[data-testid=record]').click();
    await page.locator('[data-testid=cat-land]').click();
    await page.locator('[data-testid=sev-general]').click();
    await page.locator('[data-testid=title]').fill('重启前记录');
    await page.locator('[data-testid=save]').click();
    await page.waitForURL(/#\/case\//);
    await page.goto(`${base}/#/`);
    // Nor once the app's code runs: while the engine loads, no frame draws the sign-in screen.
    await page.addInitScript(() => {
      new MutationObserver(() => {
        if (document.querySelector('[data-testid=login-phone]')) window.__anlanSawSignIn = true;
      }).observe(document, { childList: true, subtree: true });
    });
    // A slow phone: the engine takes longer to start than the page takes to draw.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });
    // The page as served, before the app's code runs (request interception would bypass the
    // service worker, so the response is read instead).
    const res = await page.reload();
    assert(res?.fromServiceWorker(), 'the reload was not answered by the service worker');
    const served = await res.text();
    assert(served.includes('class="boot"') && !served.includes('login-phone'), `served page:\n${served}`);
    await page.locator('[data-testid=record]').waitFor();
    assert(!(await page.evaluate(() => window.__anlanSawSignIn)), 'the sign-in form was drawn during a signed-in start');
    await context.close();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await (await import('./harness.mjs')).runAlone(firstVisitChecks);
