// The hostile inputs of tests/hostile/cases.json in the built page (dist/): each program
// typed into the editor and run, each link opened as the page's address. Every case must
// end in its expected message in the page, the page must stay usable (a fresh program
// runs), no dialog may open, no injected script may run (window.__pwned stays unset, no
// element from a payload appears) and the Content-Security-Policy reports no violation.
// A deliberate panic must leave a visible error box with its message.
//   node --test tests/browser/hostile.test.mjs   (after trunk build --release --offline)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useSite } from './site.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { cases } = JSON.parse(readFileSync(path.resolve(here, '../hostile/cases.json'), 'utf8'));

/** `field`, or the concatenation of `field_parts` ([text, times] pairs). */
const text = (c, field) => c[field] ?? c[`${field}_parts`]?.map(([t, n]) => t.repeat(n)).join('');

let siteUrl;
let browser;
useSite((site) => ({ url: siteUrl, browser } = site));

/** A page with traps: dialogs, page errors, console errors, CSP violations and requests
 * to other hosts are recorded (and other hosts blocked). */
async function trappedPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    problems.push(`request to another host: ${url.href}`);
    return route.abort('blockedbyclient');
  });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.on('dialog', (d) => { problems.push(`dialog: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  return { context, page, problems };
}

async function open(page, fragment = '') {
  await page.goto('about:blank');
  await page.goto(siteUrl + (fragment ? `#${fragment}` : ''));
  await page.locator('.step-label, .link-error').first().waitFor({ timeout: 30_000 });
}

/** Shows the last step and returns the output panel's text once the run's end is shown. */
async function outcome(page) {
  const last = page.getByRole('button', { name: 'Last step', exact: true });
  if (await last.isEnabled()) await last.click();
  const end = page.locator('.output .traceback, .output .error, .output .finished');
  await end.first().waitFor({ timeout: 30_000 });
  return page.locator('.output').textContent();
}

async function runProgram(page, source) {
  await page.getByLabel('Python code').fill(source);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('.edited-note') === null);
}

/** Nothing a payload carries ran or became an element. */
async function assertNothingRan(page, name) {
  const state = await page.evaluate(() => ({
    pwned: window.__pwned,
    csp: window.__cspViolations,
    injected: document.querySelectorAll('img[src="x"], [onerror], [onload], svg[onload], script:not([src]), a[href^="javascript:"]').length,
  }));
  assert.equal(state.pwned, undefined, `${name}: an injected script ran`);
  assert.equal(state.injected, 0, `${name}: a payload became an element`);
  assert.deepEqual(state.csp, [], `${name}: Content-Security-Policy violations`);
}

test('the page loads under its Content-Security-Policy with no violation and no inline script', async () => {
  const { context, page, problems } = await trappedPage();
  await open(page);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.doesNotMatch(csp, /[\s]'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
  await assertNothingRan(page, 'load');
  assert.deepEqual(problems, []);
  await context.close();
});

test(`all ${cases.length} hostile cases end in their expected message and leave the page usable`, async () => {
  assert.ok(cases.length >= 40);
  const { context, page, problems } = await trappedPage();
  const failures = [];
  for (const c of cases) {
    const started = Date.now();
    try {
      let shown;
      if (c.kind === 'program') {
        // A case's own step cap comes in a link, as a reader's would.
        await open(page, c.max_steps ? `code=&steps=${c.max_steps}` : '');
        await runProgram(page, text(c, 'source'));
        shown = await outcome(page);
      } else {
        await open(page, text(c, 'fragment'));
        const linkError = page.locator('.link-error');
        if (await linkError.count()) {
          shown = await linkError.textContent();
          assert.equal(await page.getByLabel('Python code').inputValue(), '', `${c.name}: an empty editor`);
        } else {
          shown = await outcome(page);
        }
      }
      if (c.expect !== undefined) {
        assert.ok(shown.includes(c.expect), `${c.name}: expected ${JSON.stringify(c.expect)}, shown ${JSON.stringify(shown.slice(0, 300))}`);
      } else {
        assert.ok(shown.includes('The program finished'), `${c.name}: did not finish: ${JSON.stringify(shown.slice(0, 300))}`);
      }
      if (c.stdout) {
        assert.equal(await page.locator('.output .stdout').textContent(), c.stdout.replace(/\n$/, '').length ? c.stdout : '', `${c.name}: output`);
      }
      if (c.shows) {
        const pageText = await page.evaluate(() => document.body.textContent + document.querySelector('textarea')?.value);
        assert.ok(pageText.includes(c.shows), `${c.name}: ${JSON.stringify(c.shows)} is not shown as text`);
      }
      await assertNothingRan(page, c.name);
      // Still usable: a fresh program runs to its end.
      await runProgram(page, 'print(6 * 7)\n');
      const after = await outcome(page);
      assert.ok(after.includes('42') && after.includes('The program finished'), `${c.name}: the page no longer runs programs`);
    } catch (e) {
      failures.push(e.message);
    }
    if (process.env.HOSTILE_VERBOSE) console.error(`${Date.now() - started} ms  ${c.name}`);
  }
  await context.close();
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
});

test('a panic leaves a visible error box with its message, as text', async () => {
  const { context, page, problems } = await trappedPage();
  await open(page);
  await page.evaluate(() => {
    setTimeout(() => window.wasmBindings.panic_for_test('deliberate <b>test</b> panic'), 0);
  });
  const box = page.locator('#fatal-error');
  await box.waitFor({ timeout: 10_000 });
  assert.ok(await box.isVisible());
  assert.equal(await box.getAttribute('role'), 'alert');
  assert.match(await box.textContent(), /memlane stopped working.*internal error: .*deliberate <b>test<\/b> panic/s);
  assert.equal(await box.locator('b').count(), 0, 'the message is text, not HTML');
  // The trap that follows the panic is the only page error.
  assert.ok(problems.every((p) => /unreachable|panic|internal error/i.test(p)), problems.join('\n'));
  await context.close();
});
