// What the browser tests share: the built site (dist/) served on 127.0.0.1, and Debian's
// chromium launched headless with playwright-core. Not a test file itself.
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from '../../scripts/static-server.mjs';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const dist = path.resolve(here, '../../dist');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Registers the file's before/after hooks: serve dist/, launch chromium, then call
 * `ready({ url, browser })`; close both after the file's tests. */
export function useSite(ready) {
  let server;
  let browser;
  before(async () => {
    if (!existsSync(path.join(dist, 'index.html'))) {
      throw new Error(`${dist}/index.html is missing: build the site first (trunk build --release --offline)`);
    }
    const served = await serveDir(dist);
    server = served.server;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    ready({ url: served.url, browser });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  });
}

/** A fresh 1280×900 page on the site at `fragment`, with requests to other hosts aborted
 * and page errors collected in `errors`; `init` runs before the page's scripts. Resolves
 * once a trace is shown (its first step, with no run or layout still in progress). */
export async function openShownTrace(browser, url, fragment = '', init) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route('**/*', (route) =>
    new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient'));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (init) await page.addInitScript(init);
  await page.goto(url + fragment);
  await page.locator('.step-label').waitFor({ timeout: 60_000 });
  // A long trace is laid out in slices after its run: wait until it is shown.
  await page.waitForFunction(() => !document.querySelector('[role=progressbar]'), null, { timeout: 60_000 });
  return { page, context, errors };
}
