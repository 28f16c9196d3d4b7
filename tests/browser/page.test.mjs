// Browser tests of the built site. They build nothing: run `trunk build --release --offline`
// first (scripts/test.sh does). They serve dist/ on 127.0.0.1, drive Debian's chromium with
// playwright-core, block every request to any other host, and write screenshots to
// tests/browser/screenshots/.
//   node --test tests/browser/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useSite } from './site.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const screenshots = path.join(here, 'screenshots');

let siteUrl;
let browser;
useSite((site) => ({ url: siteUrl, browser } = site));

/** A fresh page on the site. Requests to other hosts are aborted and recorded, as are
 * page errors and console errors; `done()` asserts there were none. */
async function openPage(width = 1280, height = 900, options = {}, fragment = '') {
  const context = await browser.newContext({ viewport: { width, height }, ...options });
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
  await page.goto(siteUrl + fragment);
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
  // In event mode the step label may stay while the event label moves: watch both.
  const where = () => (document.querySelector('.step-label')?.textContent ?? '') + '|' + (document.querySelector('.event-label')?.textContent ?? '');
  const before = await page.evaluate(where);
  await page.getByRole('button', { name: 'Step forward' }).click();
  await page.waitForFunction(`(${where})() !== ${JSON.stringify(before)}`);
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

/** Waits for the step label to read exactly `text`. */
const waitForLabel = (page, text) =>
  page.waitForFunction((t) => document.querySelector('.step-label')?.textContent === t, text);

/** [n, m] from "Step n of m". */
async function position(page) {
  const [, n, m] = (await label(page)).match(/^Step (\d+) of (\d+)$/);
  return [Number(n), Number(m)];
}

/** The arrows on the page as "from -> to" strings. */
const arrows = (page) =>
  page.locator('path.arrow').evaluateAll((ps) => ps.map((p) => `${p.dataset.from} -> ${p.dataset.to}`));

/** Replaces the editor's text and runs it. */
async function runProgram(page, source) {
  await page.getByLabel('Python code').fill(source);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForFunction((s) => document.querySelector('.edited-note') === null, source);
}

/** name → data-target-id for the locals of the frame `fn`. */
async function locals(page, fn) {
  return page.locator(`[data-frame="${fn}"] [data-local]`).evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.local, r.dataset.targetId])),
  );
}

test('shows the first step of the default program, with every control named', async () => {
  const { page, done } = await openPage();
  assert.match(await label(page), /^Step 1 of \d+$/);
  await page.getByText(/^Step 1 of \d+$/).waitFor();
  for (const name of ['First step', 'Step back']) {
    assert.ok(await page.getByRole('button', { name, exact: true }).isDisabled(), `${name} is disabled at step 1`);
  }
  for (const name of ['Play', 'Step forward', 'Last step', 'Run']) {
    assert.ok(await page.getByRole('button', { name, exact: true }).isEnabled(), `${name} is enabled at step 1`);
  }
  assert.equal(await page.getByRole('slider', { name: 'Step slider' }).count(), 1);
  assert.equal(await page.getByRole('combobox', { name: 'Speed' }).count(), 1);
  assert.equal(await page.getByRole('radio', { name: 'line' }).isChecked(), true);
  assert.equal(await page.getByRole('radio', { name: 'event' }).isChecked(), false);
  assert.equal(await page.getByRole('combobox', { name: 'CPython version' }).inputValue(), '3.13');
  assert.equal(await page.locator('.gutter li.current').getAttribute('data-line'), '1');
  assert.equal(await page.locator('.gutter li.current .marker').textContent(), 'ran');
  assert.equal(await page.locator('[data-frame="<module>"]').count(), 1, 'the module frame is shown');
  assert.equal(await page.locator('[data-lane="stack"]').count(), 1);
  assert.equal(await page.locator('[data-lane="heap"]').count(), 1);
  assert.equal(await page.locator('[data-lane="ram"]').count(), 1);
  const narration = page.locator('.narration');
  assert.equal(await narration.getAttribute('aria-live'), 'polite');
  assert.ok((await narration.textContent()).trim().length > 10, 'the step is narrated');
  await done();
});

test('stepping into make_pair: frames, one card for a and b, refcounts and arrows', async () => {
  const { page, done } = await openPage();
  assert.ok(await stepUntil(page, '[data-frame="make_pair"]'), 'a make_pair frame appears');
  assert.match(await page.locator('[data-frame="make_pair"] .frame-status').textContent(), /running/);

  const moduleId = await page.locator('[data-frame="<module>"]').getAttribute('data-frame-id');
  const pairId = await page.locator('[data-frame="make_pair"]').getAttribute('data-frame-id');
  const mod = await locals(page, '<module>');
  const pair = await locals(page, 'make_pair');
  assert.ok(mod.a && mod.b, `a and b are bound in <module>: ${JSON.stringify(mod)}`);
  assert.equal(mod.a, mod.b, 'a and b refer to the same object');
  assert.equal(pair.first, mod.a, 'first is the object a names');

  // One card for the small int 7, and an arrow to it from each name.
  const seven = page.locator(`[data-object-id="${mod.a}"]`);
  assert.equal(await seven.count(), 1, 'the object a names is drawn once');
  assert.equal(await seven.getAttribute('data-type'), 'int');
  assert.equal(await seven.locator('.value').textContent(), '7');
  assert.match(await seven.getAttribute('data-address'), /^0x[0-9a-f]+$/);
  const all = await arrows(page);
  for (const from of [`frame:${moduleId}:a`, `frame:${moduleId}:b`, `frame:${pairId}:first`]) {
    assert.ok(all.includes(`${from} -> obj:${mod.a}`), `${from} points at the 7: ${all.join(', ')}`);
  }
  const second = page.locator(`[data-object-id="${pair.second}"]`);
  assert.equal(await second.getAttribute('data-type'), 'str');
  assert.match(await second.locator('.value').textContent(), /seven/);

  // The refcount badge shows the core's count; the details list who holds it.
  const refs = Number((await seven.locator('.badge-text').textContent()).replace('refs ', ''));
  assert.ok(refs >= 3, `a, b and first hold the 7 (refs ${refs})`);
  await seven.click();
  const details = page.locator('.details');
  await details.waitFor();
  assert.equal(await details.getAttribute('data-details-id'), mod.a);
  assert.match(await details.locator('.refcount').textContent(), new RegExp(`^${refs}\\b`));
  const holders = await details.locator('.holders li').allTextContents();
  for (const h of ['name `a` in <module>', 'name `b` in <module>', 'name `first` in make_pair']) {
    assert.ok(holders.includes(h), `${h} in ${JSON.stringify(holders)}`);
  }
  assert.equal(await seven.getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Close details' }).click();
  assert.equal(await details.count(), 0);

  // One step back is the step before the call: no make_pair frame, a and b still there.
  const [n, m] = await position(page);
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitForLabel(page, `Step ${n - 1} of ${m}`);
  assert.equal(await page.locator('[data-frame="make_pair"]').count(), 0, 'make_pair is gone after stepping back');
  const popped = page.locator('[data-popped-frame="make_pair"]');
  assert.equal(await popped.count(), 1, 'and fades out');
  assert.equal(await popped.getAttribute('aria-hidden'), 'true');
  await done();
});

test('the list holds its slots as arrows, and points at itself after append', async () => {
  const { page, done } = await openPage();
  assert.ok(await stepUntil(page, '[data-frame="<module>"] [data-local="items"]'));
  const { items, a } = await locals(page, '<module>');
  const list = page.locator(`[data-object-id="${items}"]`);
  assert.equal(await list.getAttribute('data-type'), 'list');
  const all = await arrows(page);
  assert.ok(all.includes(`obj:${items}:[0] -> obj:${a}`), `[0] points at a's object: ${all.join(', ')}`);
  await stepForward(page); // items.append(items)
  assert.ok((await arrows(page)).includes(`obj:${items}:[2] -> obj:${items}`), 'the list refers to itself');
  await done();
});

test('a card keeps its place while it lives', async () => {
  const { page, done } = await openPage();
  assert.ok(await stepUntil(page, '[data-frame="<module>"] [data-local="a"]'));
  const { a } = await locals(page, '<module>');
  const box = () => page.locator(`[data-object-id="${a}"] .card-box`).evaluate((r) => [r.getAttribute('x'), r.getAttribute('y')].join(','));
  const first = await box();
  const forward = page.getByRole('button', { name: 'Step forward' });
  while (await forward.isEnabled()) {
    await stepForward(page);
    if ((await page.locator(`[data-object-id="${a}"]`).count()) === 0) break;
    assert.equal(await box(), first, `the 7 stayed put at ${await label(page)}`);
  }
  await done();
});

test('the last step disables Step forward and shows how the run ended', async () => {
  const { page, done } = await openPage();
  await page.getByRole('button', { name: 'Last step' }).click();
  const [n, m] = await position(page);
  assert.equal(n, m, 'the last step is shown');
  assert.ok(await page.getByRole('button', { name: 'Step forward' }).isDisabled());
  assert.ok(await page.getByRole('button', { name: 'Last step' }).isDisabled());
  await page.getByText('The program finished.').waitFor();
  await page.getByRole('button', { name: 'First step' }).click();
  await waitForLabel(page, `Step 1 of ${m}`);
  await page.getByRole('button', { name: 'Last step' }).click();
  await waitForLabel(page, `Step ${m} of ${m}`);
  mkdirSync(screenshots, { recursive: true });
  await page.waitForTimeout(800); // let the fade-outs finish
  await page.screenshot({ path: path.join(screenshots, 'last-step-1280.png'), fullPage: true });
  await done();
});

test('edit the code and Run: the new program is traced', async () => {
  const { page, done } = await openPage();
  await runProgram(page, 'x = [1, 2]\ny = x\nprint(len(y))\n');
  assert.equal(await label(page), 'Step 1 of 4');
  await page.getByRole('button', { name: 'Last step' }).click();
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitForLabel(page, 'Step 3 of 4');
  const { x, y } = await locals(page, '<module>');
  assert.equal(x, y, 'x and y name one list');
  assert.equal(await page.locator(`[data-object-id="${x}"] .slot`).count(), 2, 'the list shows two slots');
  assert.equal(await page.locator('.stdout').textContent(), '2\n');
  await done();
});

test('errors point at their line and keep what was typed', async () => {
  const { page, done } = await openPage();
  const broken = 'x = 1\ny = (2\nz = 3\n';
  await runProgram(page, broken);
  assert.equal(await page.getByLabel('Python code').inputValue(), broken, 'the text is kept');
  await page.locator('.code-error').waitFor();
  assert.match(await page.locator('.code-error').textContent(), /SyntaxError/);
  assert.equal(await page.locator('.gutter li.error-line .marker').textContent(), 'error');

  await runProgram(page, 'def f(n):\n    return 10 / n\n\nf(0)\n');
  await page.getByRole('button', { name: 'Last step' }).click();
  await page.locator('.traceback').waitFor();
  const traceback = await page.locator('.traceback').textContent();
  assert.match(traceback, /^Traceback \(most recent call last\):/);
  assert.match(traceback, /ZeroDivisionError: division by zero$/);
  assert.equal(await page.locator('.gutter li.error-line').getAttribute('data-line'), '2');
  // The gutter row, the coloured line and the textarea's line stay aligned.
  const gutterRow = await page.locator('.gutter li.error-line').boundingBox();
  const codeRow = await page.locator('.code-line.error-line').boundingBox();
  assert.ok(Math.abs(gutterRow.y - codeRow.y) < 1 && Math.abs(gutterRow.height - codeRow.height) < 1,
    `gutter ${JSON.stringify(gutterRow)} vs code ${JSON.stringify(codeRow)}`);
  const lineHeights = await page.evaluate(() => ['.highlight', '.code-input', '.gutter li'].map(
    (sel) => getComputedStyle(document.querySelector(sel)).lineHeight));
  assert.equal(new Set(lineHeights).size, 1, `one line height: ${lineHeights}`);

  await runProgram(page, 'async def f():\n    pass\n');
  assert.match(await page.locator('.code-error').textContent(), /not supported/);
  assert.equal(await page.locator('.gutter li.error-line').getAttribute('data-line'), '1');
  await done();
});

test('keyboard: arrows, Home, End and Space step and play, but not while typing', async () => {
  const { page, done } = await openPage();
  const [, m] = await position(page);
  await page.locator('body').press('ArrowRight');
  await waitForLabel(page, `Step 2 of ${m}`);
  await page.keyboard.press('End');
  await waitForLabel(page, `Step ${m} of ${m}`);
  await page.keyboard.press('ArrowLeft');
  await waitForLabel(page, `Step ${m - 1} of ${m}`);
  await page.keyboard.press('Home');
  await waitForLabel(page, `Step 1 of ${m}`);

  await page.getByLabel('Python code').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('End');
  await page.keyboard.press('Space');
  assert.equal(await label(page), `Step 1 of ${m}`, 'keys typed in the editor do not step');
  assert.ok((await page.getByLabel('Python code').inputValue()).includes(' '));

  await page.locator('.narration').click();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  await done();
});

test('Play steps on its own and Pause stops it', async () => {
  const { page, done } = await openPage();
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('40');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await waitForLabel(page, `Step 3 of ${(await position(page))[1]}`);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const stopped = await label(page);
  await page.waitForTimeout(700);
  assert.equal(await label(page), stopped, 'nothing moves after Pause');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.getByText('The program finished.').waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  await done();
});

test('stepping by event narrates each event in order', async () => {
  const { page, done } = await openPage();
  await page.getByRole('radio', { name: 'event' }).check();
  await page.locator('.event-label').waitFor();
  const first = await page.locator('.narration').textContent();
  const sentences = [first];
  for (let i = 0; i < 6; i++) {
    await page.getByRole('button', { name: 'Step forward' }).click();
    await page.waitForFunction((prev) => document.querySelector('.narration')?.textContent !== prev, sentences.at(-1));
    sentences.push(await page.locator('.narration').textContent());
  }
  assert.ok(sentences.some((s) => /refcount goes from/.test(s)), sentences.join('\n'));
  assert.match(await page.locator('.event-label').textContent(), /^Event \d+ of \d+ \(event \d+ of \d+ in this step\)$/);
  await done();
});

test('toggles: internal objects, inline small values, CPython placement and version', async () => {
  const { page, done } = await openPage();
  await stepUntil(page, '[data-frame="<module>"] [data-local="b"]');
  const cards = () => page.locator('[data-object-id]').count();
  const before = await cards();
  await page.getByLabel(/Show internal objects/).check();
  await page.waitForFunction((n) => document.querySelectorAll('[data-object-id]').length > n, before);
  await page.getByLabel(/Show internal objects/).uncheck();
  await page.waitForFunction((n) => document.querySelectorAll('[data-object-id]').length === n, before);

  const { a } = await locals(page, '<module>');
  await page.getByLabel('Small ints and strings inline').check();
  await page.waitForFunction((id) => !document.querySelector(`[data-object-id="${id}"]`), a);
  assert.equal(await page.locator('[data-frame="<module>"] [data-local="a"] .row-value').textContent(), '7');
  await page.getByLabel('Small ints and strings inline').uncheck();

  await page.getByRole('combobox', { name: 'Frames drawn as' }).selectOption('heap');
  await page.getByText(/CPython's actual placement/).waitFor();
  assert.match(await page.locator('[data-frame="<module>"] .frame-where').textContent(), /^at 0x[0-9a-f]+ \(\d+ B\)$/);

  await page.getByRole('combobox', { name: 'CPython version' }).selectOption('3.11');
  await page.getByText('Modelled on CPython 3.11.7 (64-bit).').waitFor();
  assert.match(await label(page), /^Step 1 of \d+$/, 'a new trace starts at step 1');
  await done();
});

test('Enter on a focused card opens its details', async () => {
  const { page, done } = await openPage();
  await stepUntil(page, '[data-frame="<module>"] [data-local="a"]');
  const card = page.locator('[data-object-id]').first();
  await card.focus();
  await page.keyboard.press('Enter');
  await page.locator('.details').waitFor();
  assert.match(await page.locator('.details .address').textContent(), /^0x[0-9a-f]+$/);
  await done();
});

test('reduced motion turns animation off', async () => {
  const { page, done } = await openPage(1280, 900, { reducedMotion: 'reduce' });
  await stepUntil(page, '[data-frame="<module>"] [data-local="a"]');
  const animation = await page.locator('[data-object-id]').first().evaluate((el) => getComputedStyle(el).animationName);
  assert.equal(animation, 'none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  const animated = await page.locator('[data-object-id]').first().evaluate((el) => getComputedStyle(el).animationName);
  assert.equal(animated, 'appear');
  await done();
});

test('at 360 px the lanes stack and nothing scrolls sideways', async () => {
  const { page, done } = await openPage(360, 800);
  await stepUntil(page, '[data-frame="make_pair"]');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow} px)`);
  const box = (sel) => page.locator(sel).boundingBox();
  const [stack, heap, ram] = [await box('[data-lane="stack"]'), await box('[data-lane="heap"]'), await box('[data-lane="ram"]')];
  assert.ok(stack.y + stack.height <= heap.y, `heap lane below the stack lane: ${JSON.stringify({ stack, heap })}`);
  assert.ok(heap.y + heap.height <= ram.y, 'RAM lane below the heap lane');
  for (const name of ['First step', 'Step back', 'Play', 'Step forward', 'Last step']) {
    const b = await page.getByRole('button', { name, exact: true }).boundingBox();
    assert.ok(b.x >= 0 && b.x + b.width <= 360, `${name} fits on screen`);
  }
  await done();
});

test('at 360 px, frames coming and going do not move the cards below them', async () => {
  const { page, done } = await openPage(360, 800);
  assert.ok(await stepUntil(page, '[data-frame="<module>"] [data-local="a"]'));
  const { a } = await locals(page, '<module>');
  const where = () => page.locator(`[data-object-id="${a}"] .card-box`).evaluate((r) => `${r.getAttribute('x')},${r.getAttribute('y')}`);
  const first = await where();
  assert.ok(await stepUntil(page, '[data-frame="make_pair"]'));
  assert.equal(await where(), first, 'pushing make_pair moved nothing');
  while ((await page.locator('[data-frame="make_pair"]').count()) > 0) await stepForward(page);
  assert.equal(await where(), first, 'popping make_pair moved nothing');
  await done();
});

test('at 1280 px the lanes sit side by side', async () => {
  const { page, done } = await openPage();
  const stack = await page.locator('[data-lane="stack"]').boundingBox();
  const heap = await page.locator('[data-lane="heap"]').boundingBox();
  assert.ok(stack.x + stack.width <= heap.x, 'heap lane right of the stack lane');
  await done();
});

test('screenshots at 1280 and 390 px', async () => {
  mkdirSync(screenshots, { recursive: true });
  for (const [width, height, colorScheme] of [
    [1280, 900, 'light'],
    [390, 844, 'light'],
    [390, 844, 'dark'],
  ]) {
    const { page, done } = await openPage(width, height, { colorScheme });
    await stepUntil(page, '[data-frame="make_pair"]');
    await page.waitForTimeout(800); // let the step's animations finish
    const suffix = colorScheme === 'dark' ? '-dark' : '';
    const file = path.join(screenshots, `make_pair-${width}${suffix}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at ${width} px (overflow ${overflow} px)`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    await done();
  }
});

test('the RAM lane shows physical frames, and where the drawn objects live', async () => {
  const { page, done } = await openPage();
  await stepUntil(page, '[data-frame="<module>"] [data-local="a"]');
  assert.ok((await page.locator('.ram-frame').count()) >= 256, 'a grid of physical frames');
  assert.ok((await page.locator('.ram-frame[data-use="kernel"]').count()) > 0, 'the kernel holds some');
  assert.ok((await page.locator('.ram-frame.holds-drawn').count()) > 0, 'some frames hold drawn objects');
  const { a } = await locals(page, '<module>');
  await page.locator(`[data-object-id="${a}"]`).click();
  const physical = await page.locator('.details .physical').textContent();
  const m = physical.match(/^0x[0-9a-f]+ \(frame (0x[0-9a-f]+), offset 0x[0-9a-f]+\)$/);
  assert.ok(m, `a physical address from the core: ${physical}`);
  assert.equal(await page.locator('.ram-frame.selected').getAttribute('data-pfn'), String(parseInt(m[1], 16)));
  await done();
});

test('a freed object fades out where it stood; the others stay put', async () => {
  const { page, done } = await openPage();
  await runProgram(page, 'x = [1, 2]\ny = [3]\ndel x\nz = [4, 5, 6]\n');
  await waitForLabel(page, 'Step 1 of 5');
  await stepForward(page);
  const { x, y } = await locals(page, '<module>');
  const where = (sel) => page.locator(`${sel} .card-box`).evaluate((r) => `${r.getAttribute('x')},${r.getAttribute('y')}`);
  const [xAt, yAt] = [await where(`[data-object-id="${x}"]`), await where(`[data-object-id="${y}"]`)];
  await stepForward(page); // del x
  const ghost = page.locator(`[data-freed-id="${x}"]`);
  assert.equal(await ghost.count(), 1, 'the freed list is drawn once more, fading');
  assert.equal(await ghost.locator('.card-status').textContent(), 'freed');
  assert.match(await ghost.getAttribute('style'), /^animation-delay: \d+ms$/, 'it fades in its turn');
  assert.equal(await where(`[data-freed-id="${x}"]`), xAt, 'it fades where it stood');
  assert.equal(await where(`[data-object-id="${y}"]`), yAt, 'y did not move');
  assert.equal(await page.locator(`[data-object-id="${x}"]`).count(), 0);
  await stepForward(page);
  assert.equal(await where(`[data-object-id="${y}"]`), yAt, 'y still did not move');
  await done();
});

test('a collection lights up its phases in event mode', async () => {
  const { page, done } = await openPage();
  await runProgram(page, 'import gc\na = []\nb = [a]\na.append(b)\ndel a, b\nn = gc.collect()\n');
  // After `del a, b` the two lists are garbage in a cycle: still drawn, marked, with
  // their arrows to each other.
  await page.getByRole('slider', { name: 'Step slider' }).fill('5');
  await waitForLabel(page, 'Step 5 of 7');
  const garbage = page.locator('.card.unreachable');
  assert.equal(await garbage.count(), 2, 'the cycle is drawn');
  assert.deepEqual(await garbage.locator('.card-status').allTextContents(), ['unreachable', 'unreachable']);
  await page.getByRole('button', { name: 'First step' }).click();
  await page.getByRole('radio', { name: 'event' }).check();
  const forward = page.getByRole('button', { name: 'Step forward' });
  let phases = new Set();
  let marked = 0;
  for (let i = 0; i < 200 && (await forward.isEnabled()); i++) {
    const before = await page.locator('.narration').textContent();
    await forward.click();
    await page.waitForFunction((prev) => document.querySelector('.narration')?.textContent !== prev, before);
    const phase = page.locator('.gc-phase');
    if ((await phase.count()) > 0) {
      phases.add(await phase.textContent());
      marked = Math.max(marked, await page.locator('.card.gc-marked').count());
    }
    if ([...phases].some((p) => p.startsWith('GC: done'))) break;
  }
  assert.ok(phases.has('GC: find unreachable'), [...phases].join(', '));
  assert.ok([...phases].some((p) => p.startsWith('GC: done')), [...phases].join(', '));
  assert.ok(marked >= 1, 'the objects a phase examines are marked');
  await done();
});

/** The animation-delay in ms an element's style gives it, or null. */
const delayOf = (locator) =>
  locator.evaluate((el) => {
    const m = (el.getAttribute('style') ?? '').match(/animation-delay: (\d+)ms/);
    return m ? Number(m[1]) : null;
  });

test('by event, the slider and "Event N of M" move by event, "Step N of M" stays; switching modes keeps the place', async () => {
  const { page, done } = await openPage();
  await stepForward(page);
  await stepForward(page);
  const [step, steps] = await position(page);
  assert.equal(step, 3);
  await page.getByRole('radio', { name: 'event' }).check();
  await page.waitForFunction(() => /^Event \d+ of \d+ /.test(document.querySelector('.event-label')?.textContent));
  assert.equal(await label(page), `Step 3 of ${steps}`, 'the step label stays in event mode');
  const slider = page.getByRole('slider', { name: 'Step slider' });
  const eventPosition = async () => {
    const [, n, m] = (await page.locator('.event-label').textContent()).match(/^Event (\d+) of (\d+) /);
    return [Number(n), Number(m)];
  };
  const [first, total] = await eventPosition();
  assert.ok(total > steps, `more events (${total}) than steps (${steps})`);
  assert.ok(first > 1, 'event mode starts at the first event of step 3, not at the start');
  assert.equal(await slider.getAttribute('max'), String(total));
  assert.equal(await slider.inputValue(), String(first));
  assert.match(await page.locator('.event-label').textContent(), /\(event 1 of \d+ in this step\)$/);
  await stepForward(page);
  assert.deepEqual(await eventPosition(), [first + 1, total]);
  assert.equal(await slider.inputValue(), String(first + 1));
  // The slider seeks by event.
  const target = Math.floor(total * 0.6);
  await slider.fill(String(target));
  await page.waitForFunction((t) => document.querySelector('.event-label')?.textContent.startsWith(t), `Event ${target} of ${total} `);
  const [, inStep] = (await label(page)).match(/^Step (\d+) of/);
  // Back to lines: the step holding that event.
  await page.getByRole('radio', { name: 'line' }).check();
  await waitForLabel(page, `Step ${inStep} of ${steps}`);
  assert.equal(await slider.getAttribute('max'), String(steps));
  assert.equal(await slider.inputValue(), inStep);
  await done();
});

test('a page fault marks the frame brought in, with a label; by event the TLB walk is shown', async () => {
  const { page, done } = await openPage();
  await runProgram(page, 'x = [0] * 3000\ny = x * 4\n');
  await waitForLabel(page, 'Step 1 of 3');
  assert.ok(await stepUntil(page, '.ram-fault'), 'a step faults in a page');
  const text = await page.locator('.ram-fault').first().textContent();
  const m = text.match(/^page fault: frame (0x[0-9a-f]+) ← page 0x[0-9a-f]+/);
  assert.ok(m, `a label names the frame: ${text}`);
  const pfn = String(parseInt(m[1], 16));
  const cell = page.locator(`.ram-frame[data-pfn="${pfn}"]`);
  assert.match(await cell.getAttribute('class'), /\bfaulted\b/);
  assert.equal(await cell.getAttribute('data-use'), 'page', 'the frame now holds a page of the program');
  const ring = page.locator(`.fault-ring[data-fault-pfn="${pfn}"]`);
  assert.equal(await ring.count(), 1, 'the frame is outlined');
  assert.equal(await ring.evaluate((el) => getComputedStyle(el).animationName), 'fault-pulse');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await ring.evaluate((el) => getComputedStyle(el).animationName), 'none', 'no pulse');
  assert.equal(await page.locator('.ram-fault').first().isVisible(), true, 'the label stays');

  // By event: a page fault's event shows the MMU's walk of the missed address.
  const first = page.getByRole('button', { name: 'First step' });
  if (await first.isEnabled()) await first.click();
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.getByRole('radio', { name: 'event' }).check();
  await page.waitForFunction(() => /^Event 1 of \d+ /.test(document.querySelector('.event-label')?.textContent));
  assert.ok(await stepUntil(page, '.tlb-walk'), 'an event shows a walk');
  const levels = await page.locator('.tlb-walk [data-walk-level]').allTextContents();
  assert.equal(levels.length, 4, levels.join(' '));
  ['PML4', 'PDPT', 'PD', 'PT'].forEach((name, i) => assert.match(levels[i], new RegExp(`^${name}\\[\\d+\\] in frame 0x[0-9a-f]+$`)));
  assert.match(await page.locator('.tlb-walk .walk-end').textContent(), /^frame 0x[0-9a-f]+ → physical 0x[0-9a-f]+$/);
  assert.match(await page.locator('.tlb-walk .walk-head').textContent(), /^TLB miss: .* 0x[0-9a-f]+$/);
  await done();
});

test('one step forward plays its changes in order: the frame push, then its names and arrows', async () => {
  const { page, done } = await openPage();
  assert.ok(await stepUntil(page, '[data-frame="make_pair"]'));
  const frame = page.locator('[data-frame="make_pair"]');
  const pushed = await delayOf(frame);
  assert.ok(pushed !== null, 'the pushed frame carries its place in the step');
  const names = frame.locator('.binding.bound');
  assert.ok((await names.count()) > 0, 'names bound in the new frame are sequenced');
  const pairId = await frame.getAttribute('data-frame-id');
  for (const row of await names.all()) {
    const bound = await delayOf(row);
    assert.ok(bound > pushed, `a name appears after its frame (${bound} > ${pushed})`);
    const arrow = page.locator(`path.arrow[data-from="frame:${pairId}:${await row.getAttribute('data-local')}"]`);
    if ((await arrow.count()) > 0) assert.ok((await delayOf(arrow)) >= bound, 'its arrow is drawn once it is bound');
  }
  // A card that appears in a step appears before any arrow to it is drawn.
  assert.ok(await stepUntil(page, '[data-frame="make_pair"] [data-local="pair"]'));
  const { pair } = await locals(page, 'make_pair');
  const card = await delayOf(page.locator(`[data-object-id="${pair}"]`));
  for (const a of await page.locator(`path.arrow[data-to="obj:${pair}"]`).all()) {
    const d = await delayOf(a);
    if (card !== null && d !== null) assert.ok(d >= card, `arrow after the card (${d} >= ${card})`);
  }
  await done();
});

/** The page's fragment, without `#`. */
const fragment = (page) => page.evaluate(() => location.hash.slice(1));

/** The fragment once the page has written the shown state's link: the address is
 * rewritten when stepping settles (150 ms after the last move), so wait until it is a
 * link and has not changed for 400 ms. */
async function settledFragment(page) {
  await page.waitForFunction(() => location.hash.startsWith('#v1.'));
  for (let last = await fragment(page); ;) {
    await page.waitForTimeout(400);
    const now = await fragment(page);
    if (now === last) return now;
    last = now;
  }
}

test('a link made by the page opens the same state', async () => {
  const { page, done } = await openPage();
  await page.getByRole('combobox', { name: 'CPython version' }).selectOption('3.12');
  await page.getByText(/^Modelled on CPython 3\.12/).waitFor();
  await stepForward(page);
  await stepForward(page);
  await page.getByRole('radio', { name: 'event' }).check();
  await page.locator('.event-label').waitFor();
  const shown = await label(page);
  assert.match(shown, /^Step 3 of \d+$/);
  const link = await settledFragment(page);
  const narration = await page.locator('.narration').textContent();
  await done();

  const opened = await openPage(1280, 900, {}, `#${link}`);
  assert.equal(await label(opened.page), shown);
  await opened.page.locator('.event-label').waitFor();
  assert.equal(await opened.page.getByRole('combobox', { name: 'CPython version' }).inputValue(), '3.12');
  assert.ok(await opened.page.getByRole('radio', { name: 'event' }).isChecked());
  assert.equal(await opened.page.locator('.narration').textContent(), narration);
  assert.equal(await fragment(opened.page), link, 'opening a link leaves it as it was');
  await opened.done();
});

test('a Python Tutor link opens its program at curInstr (counting from 0)', async () => {
  const { page, done } = await openPage(1280, 900, {}, '#code=x%20%3D%201%0Ay%20%3D%20x&curInstr=1');
  assert.match(await label(page), /^Step 2 of \d+$/);
  assert.equal(await page.getByLabel('Python code').inputValue(), 'x = 1\ny = x');
  await done();
});

test('a damaged link says so, and the page still works', async () => {
  const { page, done } = await openPage(1280, 900, {}, '#v1.!!!');
  const alert = page.locator('.link-error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /did not open.*damaged/);
  assert.equal(await page.getByLabel('Python code').inputValue(), '', 'an empty editor');
  await runProgram(page, 'a = 1\nb = 2\n');
  assert.match(await label(page), /^Step 1 of \d+$/);
  await stepForward(page);
  assert.match(await label(page), /^Step 2 of \d+$/);
  await page.waitForFunction(() => location.hash.startsWith('#v1.'));
  await done();
});

test('stepping rewrites the link without adding history entries; Copy link offers it', async () => {
  const { page, done } = await openPage();
  const length = await page.evaluate(() => history.length);
  const links = new Set();
  for (let i = 0; i < 4; i++) {
    await stepForward(page);
    await page.waitForFunction((seen) => location.hash.startsWith('#v1.') && !seen.includes(location.hash), [...links]);
    links.add(await page.evaluate(() => location.hash));
  }
  assert.equal(links.size, 4, 'each step has its own link');
  assert.equal(await page.evaluate(() => history.length), length, 'no new history entries');

  await page.getByRole('button', { name: 'Copy link' }).click();
  const note = page.locator('.share-note');
  await page.waitForFunction(() => document.querySelector('.share-note')?.textContent !== '');
  const said = await note.textContent();
  const href = await page.evaluate(() => location.href);
  if (/copied/.test(said)) {
    assert.match(said, /^Link copied to the clipboard\.$/);
  } else {
    assert.match(said, /does not let the page use the clipboard/);
    const field = page.getByRole('textbox', { name: 'Link to this step' });
    assert.equal(await field.inputValue(), href);
    assert.ok(await field.evaluate((f) => f.readOnly && f.selectionEnd - f.selectionStart === f.value.length));
  }
  await done();
});
