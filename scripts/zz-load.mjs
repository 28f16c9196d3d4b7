import { chromium } from 'playwright-core';
import { loadavg } from 'node:os';
import { serveDir } from './static-server.mjs';
const dirs = process.argv.slice(2);
const served = await Promise.all(dirs.map((d) => serveDir(d)));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const res = dirs.map(() => []);
for (let i = 0; i < 7; i++) {
  for (const [k, s] of served.entries()) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, o) => { if (document.querySelector('[data-lane="heap"] [data-object-id]')) { o.disconnect(); requestAnimationFrame(() => { window.__painted = performance.now(); }); } })
        .observe(document, { childList: true, subtree: true });
    });
    await page.goto(s.url);
    await page.waitForFunction(() => window.__painted !== undefined, null, { timeout: 30000 });
    res[k].push(await page.evaluate(() => window.__painted));
    await context.close();
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[3];
dirs.forEach((d, k) => console.log(`${d}: median ${med(res[k]).toFixed(0)} ms, max ${Math.max(...res[k]).toFixed(0)} ms`));
console.log(`load average ${loadavg()[0].toFixed(2)}`);
await browser.close(); served.forEach((s) => s.server.close());
