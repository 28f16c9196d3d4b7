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
