import { chromium } from 'playwright-core';
import { serveDir } from './static-server.mjs';
const { server, url } = await serveDir(process.argv[2] ?? '/work/wt/render/dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const code = 'items = [[i] for i in range(500)]\ntotal = 0\nfor k in range(200):\n    total += k\n';
await page.goto(`${url}#code=${encodeURIComponent(code)}&step=700`);
await page.locator('.step-label').waitFor({ timeout: 60_000 });
await page.waitForTimeout(1000);
console.log(await page.evaluate(() => {
  const count = (sel) => document.querySelectorAll(sel).length;
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const long = []; for (let n; (n = w.nextNode());) if (n.textContent.length > 300) long.push([n.parentElement.tagName + '.' + n.parentElement.className, n.textContent.length]);
  return { long, all: count('*'), svg: count('svg.memory-svg *'), ram: count('[data-lane="ram"] *'), editor: count('.editor *, .gutter *'), anims: document.getAnimations().length };
}));
console.log(await page.evaluate(async () => {
  const stats = {};
  const where = (n) => { const e = n.nodeType === 1 ? n : n.parentElement; const sec = e?.closest('[data-lane], .program, .share, .options, .view-options, .controls, .narration, .output, .object-list'); return (sec ? (sec.dataset?.lane ?? sec.className) : e?.tagName) ; };
  const mo = new MutationObserver((ms) => { for (const m of ms) { const k = m.type + ' ' + where(m.target) + (m.type === 'characterData' ? ' ' + m.target.textContent.length : ''); stats[k] = (stats[k] ?? 0) + 1; } });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  for (let i = 0; i < 5; i++) { document.querySelector('button.step-forward').click(); await new Promise((r) => setTimeout(r, 50)); }
  mo.disconnect();
  return stats;
}));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Tracing.start', { categories: 'devtools.timeline,blink', transferMode: 'ReturnAsStream' });
await page.evaluate(async () => {
  for (let i = 0; i < 20; i++) {
    document.querySelector('button.step-forward').click();
    await new Promise((r) => setTimeout(r, 0));
    document.body.getBoundingClientRect();
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => setTimeout(r, 30));
  }
});
const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
await cdp.send('Tracing.end');
const { stream } = await done;
let data = '';
for (;;) { const r = await cdp.send('IO.read', { handle: stream }); data += r.data; if (r.eof) break; }
const events = JSON.parse(data).traceEvents ?? JSON.parse(data);
const sum = new Map();
for (const e of events) if (e.ph === 'X' && e.dur) sum.set(e.name, (sum.get(e.name) ?? 0) + e.dur / 1000);
for (const [n, t] of [...sum].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((t / 20).toFixed(2).padStart(8), n);
await browser.close(); server.close();
