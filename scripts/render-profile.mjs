// Profiles stepping with 500 live objects (the program of tests/browser/perf.test.mjs) in
// headless Chromium: Chromium's sampling CPU profiler over N steps, self time summed by
// function. For wasm names, serve a build whose wasm keeps its names:
//   cargo build --profile wasm-release --target wasm32-unknown-unknown -p memlane-web
//   wasm-bindgen --keep-debug --target web --no-typescript --out-dir DIR/ \
//     target/wasm32-unknown-unknown/wasm-release/memlane-web.wasm   (DIR a copy of dist/)
//   node scripts/render-profile.mjs [DIR] [steps]
import path from 'node:path';
import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { serveDir } from './static-server.mjs';

const dir = path.resolve(process.argv[2] ?? 'dist');
const steps = Number(process.argv[3] ?? 30);
const code = 'items = [[i] for i in range(500)]\ntotal = 0\nfor k in range(200):\n    total += k\n';
const { server, url } = await serveDir(dir);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const open = async (step) => {
  await page.goto(`${url}#code=${encodeURIComponent(code)}&step=${step}`);
  await page.locator('.step-label').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => !document.querySelector('[role=progressbar]'), null, { timeout: 60_000 });
};
await open(10_000_000);
const count = Number((await page.locator('.step-label').textContent()).match(/of (\d+)/)[1]);
await page.goto('about:blank');
await open(count - steps - 20);
const cards = await page.locator('[data-lane="heap"] [data-object-id]').count();
const nodes = await page.evaluate(() => document.querySelectorAll('svg *').length);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
const times = await page.evaluate(async (n) => {
  const forward = document.querySelector('button.step-forward');
  const out = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    forward.click();
    await new Promise((r) => setTimeout(r, 0));
    document.body.getBoundingClientRect();
    out.push(performance.now() - start);
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => setTimeout(r, 30));
  }
  return out;
}, steps);
const { profile } = await cdp.send('Profiler.stop');
const self = new Map();
const dt = profile.timeDeltas;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
profile.samples.forEach((id, i) => {
  const f = byId.get(id).callFrame;
  const name = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) : ''}`;
  self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
});
// Inclusive time of the project's own functions (each counted once per sample's stack).
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const total = new Map();
profile.samples.forEach((id, i) => {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = byId.get(at).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '');
    if (/memlane_|replaceState|getBoundingClientRect|^click$/.test(name) && !seen.has(name)) {
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
    }
  }
});
const sorted = [...times].sort((a, b) => a - b);
console.log(`${cards} cards, ${nodes} SVG nodes; ${steps} steps: click -> laid out median ` +
  `${sorted[Math.floor(steps / 2)].toFixed(1)} ms, p95 ${sorted[Math.ceil(0.95 * steps) - 1].toFixed(1)} ms ` +
  `[load average ${loadavg()[0].toFixed(2)}]`);
const busy = [...self].filter(([n]) => !/^\((idle|program)\)/.test(n)).reduce((a, [, t]) => a + t, 0);
console.log(`script and wasm, with the style and layout they force: ${(busy / steps).toFixed(2)} ms a step ` +
  `(the CPU profile's samples outside idle and the browser's own work; ${((self.get('getBoundingClientRect ') ?? 0) / steps).toFixed(2)} ms of it forced style and layout)`);
console.log('self time per step (ms), top functions:');
for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).filter(([n]) => !n.startsWith('(idle)')).slice(0, 40)) {
  console.log(`${(t / steps).toFixed(3).padStart(8)}  ${name.slice(0, 150)}`);
}
console.log('inclusive time per step (ms), the project\'s functions:');
for (const [name, t] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${(t / steps).toFixed(3).padStart(8)}  ${name.slice(0, 150)}`);
}
await browser.close();
server.close();
