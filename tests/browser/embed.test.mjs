// Browser tests of embedding: the script embed (memlane-embed.js), the iframe embed
// (embed.html + memlane-frame.js), "Open in editor", the article and the gallery. They
// serve dist/ twice on 127.0.0.1 (two ports, so two origins: the host page on one, the
// iframe on the other), block every request to any other host, and fail on page errors.
//   node --test tests/browser/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDir } from '../../scripts/static-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../dist');
const fixtures = path.join(here, 'fixtures');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let hostServer;
let hostRoot;
let frameServer;
let hostUrl; // the origin of the host pages (and of the script embed)
let frameUrl; // another origin, for the iframe embed
let browser;

before(async () => {
  if (!existsSync(path.join(dist, 'embed.html'))) {
    throw new Error(`${dist}/embed.html is missing: build the site first (trunk build --release --offline)`);
  }
  ({ server: frameServer, url: frameUrl } = await serveDir(dist));
  // The host origin serves dist/ and, under /__fixtures__/, the fixture pages with the
  // frame origin filled in (really served: Chromium's local-network checks treat a
  // response made up by page.route as public and would block its loopback requests).
  hostRoot = mkdtempSync(path.join(tmpdir(), 'memlane-embed-'));
  for (const name of readdirSync(dist)) symlinkSync(path.join(dist, name), path.join(hostRoot, name));
  mkdirSync(path.join(hostRoot, '__fixtures__'));
  for (const name of readdirSync(fixtures)) {
    const html = readFileSync(path.join(fixtures, name), 'utf8').replaceAll('{{FRAME_BASE}}', frameUrl);
    writeFileSync(path.join(hostRoot, '__fixtures__', name), html);
  }
  ({ server: hostServer, url: hostUrl } = await serveDir(hostRoot));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  for (const server of [hostServer, frameServer]) {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  }
  if (hostRoot) rmSync(hostRoot, { recursive: true, force: true });
});

/** A fresh browser context. Requests to hosts other than 127.0.0.1 are aborted and
 * recorded; `block` lists paths to abort (to load a page without memlane).
 * `done()` asserts no request left 127.0.0.1 and no page reported an error. */
async function openContext({ width = 1280, height = 900, block = [] } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const blocked = [];
  const requested = [];
  const errors = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    requested.push(url.href);
    if (url.hostname !== '127.0.0.1') {
      blocked.push(url.href);
      return route.abort('blockedbyclient');
    }
    if (block.some((b) => url.pathname.endsWith(b))) return route.abort('blockedbyclient');
    return route.continue();
  });
  context.on('page', (page) => {
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  });
  const done = async () => {
    await context.close();
    assert.deepEqual(blocked, [], 'the pages requested other hosts');
    // Aborting `block` paths on purpose logs a failed load: not an error of the page's.
    const real = block.length ? errors.filter((e) => !e.includes('ERR_BLOCKED_BY_CLIENT')) : errors;
    assert.deepEqual(real, [], 'the pages reported errors');
    const own = new Set([new URL(hostUrl).host, new URL(frameUrl).host]);
    assert.ok(requested.every((u) => own.has(new URL(u).host)), 'every request stayed on the two local sites');
  };
  return { context, done, requested };
}

/** Opens the host fixture and waits for both script widgets and the iframe's widget. */
async function openHost(options) {
  const { context, done, requested } = await openContext(options);
  const page = await context.newPage();
  await page.goto(`${hostUrl}__fixtures__/embed-host.html`);
  const widgets = page.locator('.memlane-widget');
  await widgets.nth(1).locator('.step-label').waitFor({ timeout: 30_000 });
  const frame = page.frameLocator('#frame');
  await frame.locator('.step-label').waitFor({ timeout: 30_000 });
  return { page, widgets, frame, done, requested };
}

const labelOf = (scope) => scope.locator('.step-label').textContent();

test('script and iframe embeds render in place and step independently', async () => {
  const { page, widgets, frame, done } = await openHost();
  assert.equal(await widgets.count(), 2, 'two script widgets');
  assert.equal(await page.locator('pre.memlane').count(), 0, 'each pre was replaced');
  assert.equal(
    await page.evaluate(() => [...document.querySelectorAll('.memlane-widget')].every((w) => w.shadowRoot)),
    true,
    'each widget lives in a shadow root',
  );
  const first = widgets.nth(0);
  const second = widgets.nth(1);
  assert.match(await labelOf(first), /^Step 1 of \d+$/);
  assert.match(await labelOf(second), /^Step 2 of \d+$/, 'data-step is 1-based');
  assert.match(await labelOf(frame), /^Step 2 of \d+$/, 'the iframe opens its fragment at its step');
  // data-python and data-view reached the widgets.
  assert.equal(await first.locator('[data-lane="heap"]').count(), 1);
  assert.equal(await second.locator('.open-in-editor').count(), 1, 'data-readonly: Open in editor');
  assert.equal(await first.locator('.open-in-editor').count(), 0, 'editable: no Open in editor');
  assert.equal(await first.getByLabel('Python code').count(), 1, 'editable: an editor');
  assert.equal(await second.getByLabel('Python code').count(), 0, 'read-only: no editor');

  const labels = async () => [await labelOf(first), await labelOf(second), await labelOf(frame)];
  const start = await labels();

  await first.getByRole('button', { name: 'Step forward' }).click();
  await page.waitForFunction(
    (before) => document.querySelectorAll('.memlane-widget')[0].shadowRoot.querySelector('.step-label').textContent !== before,
    start[0],
  );
  let now = await labels();
  assert.notEqual(now[0], start[0], 'the first widget moved');
  assert.deepEqual(now.slice(1), start.slice(1), 'the others did not');

  await second.getByRole('button', { name: 'Step forward' }).click();
  await page.waitForFunction(
    (before) => document.querySelectorAll('.memlane-widget')[1].shadowRoot.querySelector('.step-label').textContent !== before,
    start[1],
  );
  const afterSecond = await labels();
  assert.equal(afterSecond[0], now[0], 'the first widget stayed');
  assert.notEqual(afterSecond[1], start[1], 'the second widget moved');
  assert.equal(afterSecond[2], start[2], 'the iframe stayed');

  await frame.getByRole('button', { name: 'Step forward' }).click();
  await frame.locator('.step-label').filter({ hasNotText: start[2] }).waitFor();
  now = await labels();
  assert.deepEqual(now.slice(0, 2), afterSecond.slice(0, 2), 'the script widgets stayed');
  assert.notEqual(now[2], start[2], 'the iframe moved');

  // Keys step only the widget that has the focus.
  await first.getByRole('button', { name: 'Step back' }).focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(
    (before) => document.querySelectorAll('.memlane-widget')[0].shadowRoot.querySelector('.step-label').textContent !== before,
    now[0],
  );
  const afterKey = await labels();
  assert.equal(afterKey[0], start[0], 'ArrowLeft stepped the focused widget back');
  assert.deepEqual(afterKey.slice(1), now.slice(1), 'and nothing else');

  // Running edited code in the editable widget leaves the other alone.
  await first.getByLabel('Python code').fill('x = 1\ny = 2\nz = 3\nw = 4\nprint(x + y + z + w)\n');
  await first.getByRole('button', { name: 'Run', exact: true }).click();
  await first.locator('.step-label').filter({ hasText: /^Step 1 of 6$/ }).waitFor();
  assert.equal(await labelOf(second), afterKey[1]);
  await page.screenshot({ path: path.join(here, 'screenshots', 'embed-host.png'), fullPage: true });
  await done();
});

test('the iframe is sized to its content through postMessage', async () => {
  const { page, frame, done } = await openHost();
  const iframe = page.locator('#frame');
  await page.waitForFunction(() => document.getElementById('frame').style.height !== '');
  const content = await frame.locator('body').evaluate((b) => Math.ceil(b.getBoundingClientRect().height));
  const height = await iframe.evaluate((f) => parseInt(f.style.height, 10));
  assert.ok(content > 100, `the frame has content (${content}px)`);
  assert.equal(height, content, 'the iframe is as tall as the widget');
  assert.equal(
    await iframe.evaluate((f) => Math.round(f.getBoundingClientRect().height)),
    content,
    'and is drawn that tall',
  );
  // The content grows (an object selected shows its details): the frame follows.
  await frame.locator('[data-object-id]').first().click();
  await frame.locator('[data-details-id]').waitFor();
  const grown = await frame.locator('body').evaluate((b) => Math.ceil(b.getBoundingClientRect().height));
  await page.waitForFunction((h) => parseInt(document.getElementById('frame').style.height, 10) === h, grown);
  await done();
});

test('size messages of the wrong shape or origin are ignored by the host helper', async () => {
  const { page, done } = await openHost();
  await page.waitForFunction(() => document.getElementById('frame').style.height !== '');
  const height = () => page.locator('#frame').evaluate((f) => f.style.height);
  const settled = await height();
  const child = page.frames().find((f) => f.url().startsWith(`${frameUrl}embed.html`));
  assert.ok(child, 'the memlane frame');

  // Right shape, wrong source and origin: the host page itself.
  await page.evaluate(() => window.postMessage({ type: 'memlane:size', version: 1, height: 3333 }, '*'));
  // Right shape from a same-origin sibling frame that is not a memlane frame.
  await page.evaluate(() => {
    const sibling = document.createElement('iframe');
    sibling.className = 'not-memlane';
    document.body.append(sibling);
  });
  await page.evaluate(() => {
    const sibling = document.querySelector('iframe.not-memlane');
    const script = sibling.contentDocument.createElement('script');
    script.textContent = "parent.postMessage({ type: 'memlane:size', version: 1, height: 3555 }, '*')";
    sibling.contentDocument.body.append(script);
  });
  // From the memlane frame, but of the wrong shape.
  for (const message of [
    { type: 'memlane:size', version: 1, height: '4444' },
    { type: 'memlane:size', version: 1, height: 4445, extra: true },
    { type: 'memlane:size', version: 2, height: 4446 },
    { type: 'memlane:size', version: 1, height: 1e9 },
    { type: 'memlane:size', version: 1, height: -5 },
    { type: 'memlane:size', version: 1, height: Number.NaN },
    ['memlane:size', 1, 4447],
    'memlane:size 4448',
  ]) {
    await child.evaluate((m) => window.parent.postMessage(m, '*'), message);
  }
  await page.waitForTimeout(500);
  assert.equal(await height(), settled, 'none of them resized the iframe');

  // The right shape from the memlane iframe's window after it was navigated to another
  // origin (the host's): the window matches, the origin does not.
  await page.evaluate(() => {
    window.posterSeen = new Promise((resolve) =>
      window.addEventListener('message', (e) => e.data?.height === 3666 && resolve(true)));
  });
  await child.evaluate((url) => { window.location.href = url; }, `${hostUrl}__fixtures__/poster.html`);
  assert.equal(await page.evaluate(() => window.posterSeen), true, 'the message was sent');
  await page.waitForTimeout(300);
  assert.equal(await height(), settled, 'a message from another origin did not resize the iframe');
  await page.evaluate(() => { document.getElementById('frame').src = document.getElementById('frame').src.replace('#', '?again#'); });
  await page.frameLocator('#frame').locator('.open-in-editor').waitFor({ timeout: 30_000 });
  const reloaded = page.frames().find((f) => f.url().startsWith(`${frameUrl}embed.html?again`));

  // The memlane frame with the right shape is obeyed (the checks are not vacuous).
  await reloaded.evaluate(() => window.parent.postMessage({ type: 'memlane:size', version: 1, height: 4321 }, '*'));
  await page.waitForFunction(() => document.getElementById('frame').style.height === '4321px');
  await done();
});

test('the frame answers only its parent\'s well-formed hello, and only to its origin', async () => {
  const { context, done } = await openContext();
  const page = await context.newPage();
  await page.goto(`${hostUrl}__fixtures__/frame-only.html`);
  const child = () => page.frames().find((f) => f.url().startsWith(`${frameUrl}embed.html`));
  await page.waitForFunction(() => document.getElementById('log').dataset.ready === 'yes', null, { timeout: 30_000 });
  const sizes = () => page.evaluate(() => JSON.parse(document.getElementById('log').textContent).filter((m) => m.type === 'memlane:size').length);
  assert.equal(await sizes(), 0, 'no size before a hello');

  // A hello of the wrong shape from the parent.
  for (const message of [
    { type: 'memlane:hello', version: 2 },
    { type: 'memlane:hello', version: 1, reply: 'elsewhere' },
    { type: 'memlane:hello' },
    'memlane:hello',
  ]) {
    await page.evaluate((m) => document.getElementById('frame').contentWindow.postMessage(m, '*'), message);
  }
  // A well-formed hello from a same-origin window that is not the parent.
  await page.evaluate(() => {
    const sibling = document.createElement('iframe');
    document.body.append(sibling);
    const script = sibling.contentDocument.createElement('script');
    script.textContent = "parent.frames[0].postMessage({ type: 'memlane:hello', version: 1 }, '*')";
    sibling.contentDocument.body.append(script);
  });
  await page.waitForTimeout(500);
  assert.equal(await sizes(), 0, 'the frame ignored them');

  await page.evaluate(() => document.getElementById('frame').contentWindow.postMessage({ type: 'memlane:hello', version: 1 }, '*'));
  await page.waitForFunction(() => JSON.parse(document.getElementById('log').textContent).some((m) => m.type === 'memlane:size'));
  const [size] = await page.evaluate(() => JSON.parse(document.getElementById('log').textContent).filter((m) => m.type === 'memlane:size'));
  const content = await child().evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
  assert.deepEqual(size, { type: 'memlane:size', version: 1, height: content, origin: frameUrl.replace(/\/$/, '') });
  await done();
});

test('Open in editor opens the full page on the same scenario and step', async () => {
  const { page, widgets, frame, done } = await openHost();
  const second = widgets.nth(1);
  await second.getByRole('button', { name: 'Step forward' }).click();
  await second.locator('.step-label').filter({ hasText: /^Step 3 of/ }).waitFor();
  const shown = await labelOf(second);
  const popup = page.waitForEvent('popup');
  await second.getByRole('link', { name: 'Open in editor' }).click();
  const editor = await popup;
  await editor.locator('.step-label').waitFor({ timeout: 30_000 });
  assert.equal(new URL(editor.url()).pathname, '/index.html');
  assert.equal(await editor.locator('.step-label').textContent(), shown, 'the same step');
  assert.equal(await editor.getByLabel('Python code').inputValue(),
    'def area(width, height):\n    result = width * height\n    return result\n\nsize = area(3, 4)\nprint(size)\n');
  assert.equal(await editor.getByRole('combobox', { name: 'Frames drawn as' }).inputValue(), 'heap', 'data-view cpython kept');
  assert.equal(await editor.locator('label.inline-small input').isChecked(), true, 'data-view inline kept');

  // The iframe's link too (it is read-only).
  const framePopup = page.waitForEvent('popup');
  await frame.getByRole('link', { name: 'Open in editor' }).click();
  const fromFrame = await framePopup;
  await fromFrame.locator('.step-label').waitFor({ timeout: 30_000 });
  assert.equal(await fromFrame.locator('.step-label').textContent(), await labelOf(frame));
  assert.equal(await fromFrame.getByLabel('Python code').inputValue(), 'x = 300\ny = x\ndel x\nprint(y)\n');
  await done();
});

test('host styles do not break the widgets, and the widgets do not restyle the host', async () => {
  const { page, widgets, done } = await openHost();
  const first = widgets.nth(0);
  // `svg { display: none !important }` and `* { color: red !important }` stay outside.
  const svg = first.locator('svg.diagram, [data-lane="heap"]').first();
  assert.ok(await svg.isVisible(), 'the diagram is drawn');
  const box = await first.locator('[data-lane="heap"]').boundingBox();
  assert.ok(box && box.width > 50 && box.height > 20, 'and has a size');
  const styles = await first.locator('.step-label').evaluate((e) => {
    const s = getComputedStyle(e);
    return { color: s.color, font: s.fontFamily, whiteSpace: getComputedStyle(e.closest('.memlane-embed')).whiteSpace };
  });
  assert.notEqual(styles.color, 'rgb(255, 0, 0)', 'the host colour does not reach in');
  assert.notEqual(styles.font, 'serif', 'nor its font');
  assert.equal(styles.whiteSpace, 'normal', 'nor the replaced pre\'s white-space');
  // The widget's rules (button, .narration, .program...) do not reach the host's elements.
  const host = await page.evaluate(() => {
    const get = (id) => {
      const s = getComputedStyle(document.getElementById(id));
      return { background: s.backgroundColor, border: s.borderTopStyle, padding: s.paddingTop, radius: s.borderTopLeftRadius };
    };
    return {
      button: get('host-button'),
      narration: get('host-narration'),
      program: get('host-program'),
      adopted: document.adoptedStyleSheets.length,
      sheets: document.styleSheets.length,
    };
  });
  const accent = await first.getByRole('button', { name: 'Step forward' }).evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.notEqual(host.button.background, accent, 'the host button is not styled as a widget button');
  assert.equal(host.narration.padding, '2px', 'the host paragraph keeps its own padding');
  assert.equal(host.program.background, 'rgba(0, 0, 0, 0)', 'the host section is not a widget panel');
  assert.equal(host.program.radius, '0px');
  assert.equal(host.adopted, 0, 'no style sheet adopted by the document');
  assert.equal(host.sheets, 1, 'only the host\'s own style sheet');
  await done();
});

test('the embed defines nothing on window', async () => {
  const names = async (block) => {
    const { context, done } = await openContext({ block });
    const page = await context.newPage();
    await page.goto(`${hostUrl}__fixtures__/embed-host.html`);
    if (block.length === 0) await page.locator('.memlane-widget').nth(1).locator('.step-label').waitFor({ timeout: 30_000 });
    else await page.waitForLoadState('load');
    const own = await page.evaluate(() => Object.getOwnPropertyNames(window).sort());
    await done();
    return own;
  };
  const without = new Set(await names(['/memlane-embed.js', '/memlane-frame.js']));
  const withEmbeds = await names([]);
  assert.deepEqual(withEmbeds.filter((n) => !without.has(n)), [], 'globals added by memlane');
});

test('the article loads with every widget rendered, requesting nothing else', async () => {
  const { context, done, requested } = await openContext();
  const page = await context.newPage();
  await page.goto(`${hostUrl}article.html`);
  const source = readFileSync(path.join(dist, 'article.html'), 'utf8');
  const expected = (source.match(/<pre class="memlane"/g) ?? []).length;
  assert.ok(expected >= 8, `the article embeds a widget per section (${expected})`);
  const widgets = page.locator('.memlane-widget');
  await widgets.nth(expected - 1).locator('.step-label').waitFor({ timeout: 60_000 });
  assert.equal(await widgets.count(), expected);
  assert.equal(await page.locator('pre.memlane').count(), 0);
  for (let i = 0; i < expected; i++) {
    const w = widgets.nth(i);
    assert.match(await labelOf(w), /^Step \d+ of \d+$/, `widget ${i} shows a step`);
    assert.equal(await w.locator('[data-lane="heap"]').count(), 1, `widget ${i} draws the heap`);
    assert.equal(await w.locator('.embed-problems').count(), 0, `widget ${i} understood its options`);
    assert.equal(await w.locator('.output .error').count(), 0, `widget ${i} runs without error`);
  }
  // The sections' options took effect: the recursion widget opens four calls deep, the
  // virtual-memory widgets show the RAM lane, the twin's pages are another process's.
  const inSection = (id) => page.locator(`#${id} .memlane-widget`);
  assert.equal(await inSection('recursion').locator('[data-frame="factorial"]').count(), 4);
  assert.equal(await inSection('frames').locator('[data-lane="ram"]').count(), 0);
  const framesAs = (id) => inSection(id).getByRole('combobox', { name: 'Frames drawn as' });
  assert.equal(await framesAs('frames').inputValue(), 'heap', 'data-view cpython');
  assert.equal(await framesAs('recursion').inputValue(), 'stack');
  // A reader can switch the picture; only that widget changes.
  await framesAs('frames').selectOption('stack');
  await inSection('frames').locator('.picture-note', { hasText: 'The textbook picture' }).waitFor();
  assert.equal(await framesAs('frames').inputValue(), 'stack');
  assert.equal(await framesAs('names').inputValue(), 'stack');
  assert.equal(await inSection('virtual-memory').locator('[data-lane="ram"]').count(), 1);
  const twinPages = (id) => inSection(id).locator('[data-pfn] title').evaluateAll(
    (ts) => ts.filter((t) => t.textContent.includes('a page of another simulated process')).length);
  assert.equal(await twinPages('virtual-memory'), 0, 'no twin without data-view twin');
  assert.ok(await twinPages('two-processes') > 0, 'data-view twin: the twin process holds frames');
  const assets = new Set(requested.map((u) => new URL(u).pathname));
  assert.deepEqual([...assets].sort(), ['/article.html', '/memlane-embed.js', '/memlane-web.js', '/memlane-web_bg.wasm', '/pages.css'].sort());
  await page.screenshot({ path: path.join(here, 'screenshots', 'article.png') });
  await done();
});

test('the gallery lists every example, each opening at its first step', async () => {
  const { context, done } = await openContext();
  const page = await context.newPage();
  // The full page links to the gallery and the article.
  await page.goto(hostUrl);
  await page.locator('.step-label').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('.colophon a[href="article.html"]').count(), 1);
  await page.locator('.colophon a', { hasText: 'Examples' }).click();
  await page.waitForURL(`${hostUrl}gallery.html`);
  const examples = page.locator('.gallery .example');
  await examples.first().waitFor({ timeout: 30_000 });
  const count = await examples.count();
  assert.ok(count >= 12, `${count} examples`);
  for (let i = 0; i < count; i++) {
    const link = examples.nth(i).locator('h2 a');
    const href = await link.getAttribute('href');
    assert.match(href, /index\.html#v1\./);
    const editor = await context.newPage();
    await editor.goto(new URL(href, page.url()).href);
    await editor.locator('.step-label').waitFor({ timeout: 30_000 });
    assert.match(await editor.locator('.step-label').textContent(), /^Step 1 of \d+$/);
    assert.equal(await editor.locator('.link-error').count(), 0);
    assert.equal(
      await editor.getByLabel('Python code').inputValue(),
      await examples.nth(i).locator('.example-code').textContent(),
    );
    await editor.close();
  }
  await done();
});

test('Copy embed code gives both forms, and each shows the same step on another page', async () => {
  const { context, done } = await openContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hostUrl.replace(/\/$/, '') });
  const page = await context.newPage();
  await page.goto(`${hostUrl}index.html#code=x%20%3D%20%5B1%2C%202%5D%0Ay%20%3D%20x%0Az%20%3D%20len(y)%0Aprint(z)%0A&step=0&py=3.12`);
  await page.locator('.step-label').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Step forward' }).click();
  await page.locator('.step-label').filter({ hasText: /^Step 2 of/ }).waitFor();
  await page.getByRole('combobox', { name: 'Frames drawn as' }).selectOption('heap');
  const shown = await page.locator('.step-label').textContent();

  await page.getByRole('button', { name: 'Copy embed code' }).click();
  await page.locator('.embed-script').waitFor();
  const script = await page.locator('.embed-script').inputValue();
  const iframe = await page.locator('.embed-iframe').inputValue();
  assert.match(script, new RegExp(`^<script type="module" src="${hostUrl}memlane-embed\\.js"></script>\\n<pre class="memlane" data-step="2" data-python="3\\.12" data-view="cpython" data-readonly>`));
  assert.match(iframe, new RegExp(`^<iframe class="memlane-frame" src="${hostUrl}embed\\.html#v1\\.`));
  await page.waitForFunction(() => document.querySelector('.share-note')?.textContent !== '');
  if (/copied/.test(await page.locator('.share-note').textContent())) {
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(copied.includes(script) && copied.includes(iframe), 'the clipboard holds both forms');
  }

  // Both forms pasted into a page of their own.
  writeFileSync(path.join(hostRoot, '__fixtures__', 'copied.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pasted</title></head><body>\n${script}\n${iframe}</body></html>`);
  const host = await context.newPage();
  await host.goto(`${hostUrl}__fixtures__/copied.html`);
  const widget = host.locator('.memlane-widget');
  await widget.locator('.step-label').waitFor({ timeout: 30_000 });
  assert.equal(await widget.locator('.step-label').textContent(), shown);
  assert.equal(await widget.getByRole('combobox', { name: 'Frames drawn as' }).inputValue(), 'heap');
  assert.equal(await widget.getByRole('combobox', { name: 'CPython version' }).inputValue(), '3.12');
  const frame = host.frameLocator('iframe.memlane-frame');
  await frame.locator('.step-label').waitFor({ timeout: 30_000 });
  assert.equal(await frame.locator('.step-label').textContent(), shown);
  await host.waitForFunction(() => document.querySelector('iframe.memlane-frame').style.height !== '');
  await done();
});

test('options a widget does not understand are named, the rest still applies, and it fits a phone', async () => {
  const { context, done } = await openContext({ width: 390, height: 800 });
  const page = await context.newPage();
  await page.goto(`${hostUrl}__fixtures__/bad-options.html`);
  const widget = page.locator('.memlane-widget');
  await widget.locator('.step-label').waitFor({ timeout: 30_000 });
  const problems = await widget.locator('.embed-problems li').allTextContents();
  assert.equal(problems.length, 3, problems.join(' | '));
  assert.match(problems[0], /data-step="zero"/);
  assert.match(problems[1], /data-python="2\.7"/);
  assert.match(problems[2], /sideways/);
  assert.equal(await widget.locator('.embed-problems').getAttribute('role'), 'alert');
  assert.match(await labelOf(widget), /^Step 1 of \d+$/, 'the default step');
  assert.equal(await widget.getByRole('combobox', { name: 'CPython version' }).inputValue(), '3.13', 'the default version');
  assert.equal(await widget.locator('[data-lane="ram"]').count(), 1, 'the understood word applies');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling of the page');
  await page.screenshot({ path: path.join(here, 'screenshots', 'embed-390.png'), fullPage: true });
  await done();
});

test('an embedded program longer than the first slice runs to its end in slices, and Stop ends an endless one', async () => {
  const { context, done } = await openContext();
  const page = await context.newPage();
  await page.goto(`${hostUrl}__fixtures__/long-run.html`);
  const [loop, endless] = [page.locator('.memlane-widget').nth(0), page.locator('.memlane-widget').nth(1)];
  // 3,000 iterations are 6,004 steps: past the 2,000 run before the first render.
  await loop.locator('.step-label', { hasText: /^Step 6004 of 6004$/ }).waitFor({ timeout: 30_000 });
  assert.match(await loop.locator('.output').textContent(), /4498500/);
  assert.equal(await loop.locator('[role=progressbar]').count(), 0, 'no progress bar once the run has ended');

  // The endless loop shows its progress and a Stop button that ends it where it is.
  const bar = endless.locator('[role=progressbar]');
  await bar.waitFor({ timeout: 30_000 });
  const before = Number(await bar.getAttribute('aria-valuenow'));
  await page.waitForFunction((b) => {
    const el = document.querySelectorAll('.memlane-widget')[1].shadowRoot.querySelector('[role=progressbar]');
    return el && Number(el.getAttribute('aria-valuenow')) > b;
  }, before, { timeout: 30_000 });
  await endless.getByRole('button', { name: 'Stop' }).click();
  await bar.waitFor({ state: 'detached', timeout: 30_000 });
  assert.match(await labelOf(endless), /^Step 1 of \d{4,}$/, 'the steps run before Stop are shown');
  assert.match(await endless.locator(".run-stopped").textContent(), /^The run ended early: .+/);
  await done();
});
