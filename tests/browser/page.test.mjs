// Browser tests of the built site. They build nothing: run `trunk build --release --offline`
// first (scripts/test.sh does). They serve dist/ on 127.0.0.1, drive Debian's chromium with
// playwright-core, block every request to any other host, and write screenshots to
// tests/browser/screenshots/.
//   node --test tests/browser/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from '../../scripts/static-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../dist');
const screenshots = path.join(here, 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server;
let siteUrl;
let browser;

before(async () => {
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: build the site first (trunk build --release --offline)`);
  }
  ({ server, url: siteUrl } = await serveDir(dist));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** A fresh page on the site. Requests to other hosts are aborted and recorded, as are
 * page errors and console errors; `done()` asserts there were none. */
async function openPage(width = 1280, height = 900) {
  const context = await browser.newContext({ viewport: { width, height } });
  const blocked = [];
  const errors = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  await page.goto(siteUrl);
  await page.locator('.step-label').waitFor({ timeout: 30_000 });
  const done = async () => {
    await context.close();
    assert.deepEqual(blocked, [], 'the page requested other hosts');
    assert.deepEqual(errors, [], 'the page reported errors');
  };
  return { page, done };
}

const label = (page) => page.locator('.step-label').textContent();

/** Clicks "Step forward" and waits for the step label to change. */
async function stepForward(page) {
  const before = await label(page);
  await page.getByRole('button', { name: 'Step forward' }).click();
  await page.waitForFunction((prev) => document.querySelector('.step-label')?.textContent !== prev, before);
}

/** Steps forward until `selector` is on the page or the last step is reached. */
async function stepUntil(page, selector, maxSteps = 200) {
  const forward = page.getByRole('button', { name: 'Step forward' });
  for (let i = 0; i < maxSteps; i++) {
    if ((await page.locator(selector).count()) > 0) return true;
    if (await forward.isDisabled()) return false;
    await stepForward(page);
  }
  return (await page.locator(selector).count()) > 0;
}

/** name → data-target-id for the locals of the frame `fn`. */
async function locals(page, fn) {
  return page.locator(`[data-frame="${fn}"] [data-local]`).evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.local, r.dataset.targetId])),
  );
}

test('shows the first step of the default program', async () => {
  const { page, done } = await openPage();
  assert.match(await label(page), /^Step 1 of \d+$/);
  await page.getByText(/^Step 1 of \d+$/).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Step back' }).isDisabled(), 'Step back is disabled at step 1');
  assert.ok(await page.getByRole('button', { name: 'Step forward' }).isEnabled(), 'Step forward is enabled at step 1');
  assert.equal(await page.locator('.source li.current').getAttribute('data-line'), '1');
  assert.equal(await page.locator('[data-frame="<module>"]').count(), 1, 'the module frame is shown');
  await done();
});

test('stepping into make_pair shows its locals; a and b name one object', async () => {
  const { page, done } = await openPage();
  assert.ok(await stepUntil(page, '[data-frame="make_pair"]'), 'a make_pair frame appears');

  const mod = await locals(page, '<module>');
  const pair = await locals(page, 'make_pair');
  assert.ok(mod.a && mod.b, `a and b are bound in <module>: ${JSON.stringify(mod)}`);
  assert.equal(mod.a, mod.b, 'a and b refer to the same object');
  assert.ok(pair.first && pair.second, `first and second are bound in make_pair: ${JSON.stringify(pair)}`);
  assert.equal(pair.first, mod.a, 'first is the object a names');

  const seven = page.locator(`.object-list [data-object-id="${mod.a}"]`);
  assert.equal(await seven.count(), 1, 'the object a names is listed once');
  assert.equal(await seven.locator('.type').textContent(), 'int');
  assert.equal(await seven.locator('.value').textContent(), '7');
  assert.match(await seven.getAttribute('data-address'), /^0x[0-9a-f]+$/);
  const second = page.locator(`.object-list [data-object-id="${pair.second}"]`);
  assert.equal(await second.locator('.type').textContent(), 'str');
  assert.match(await second.locator('.value').textContent(), /seven/);

  // One step back is the step before the call: no make_pair frame, a and b still there.
  const at = (await label(page)).match(/^Step (\d+) of (\d+)$/);
  await page.getByRole('button', { name: 'Step back' }).click();
  await page.getByText(`Step ${Number(at[1]) - 1} of ${at[2]}`, { exact: true }).waitFor();
  assert.equal(await page.locator('[data-frame="make_pair"]').count(), 0, 'make_pair is gone after stepping back');
  assert.deepEqual(Object.keys(await locals(page, '<module>')).filter((n) => n === 'a' || n === 'b'), ['a', 'b']);
  await done();
});

test('the last step disables Step forward and shows how the run ended', async () => {
  const { page, done } = await openPage();
  assert.equal(await stepUntil(page, '.no-such-element'), false);
  const [, n, m] = (await label(page)).match(/^Step (\d+) of (\d+)$/);
  assert.equal(n, m, 'the last step is shown');
  assert.ok(await page.getByRole('button', { name: 'Step forward' }).isDisabled());
  assert.ok(await page.getByRole('button', { name: 'Step back' }).isEnabled());
  await page.getByText('The program finished.').waitFor();
  assert.equal(await page.locator('[data-frame="<module>"] [data-local="items"]').count(), 0, 'del items unbound it');
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'last-step-1280.png'), fullPage: true });
  await done();
});

test('screenshots at 1280 and 390 px', async () => {
  mkdirSync(screenshots, { recursive: true });
  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ]) {
    const { page, done } = await openPage(width, height);
    await stepUntil(page, '[data-frame="make_pair"]');
    const file = path.join(screenshots, `make_pair-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at ${width} px (overflow ${overflow} px)`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    await done();
  }
});
