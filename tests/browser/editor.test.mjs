// The editor with the longest program memlane runs (64 KiB): pasted with Ctrl+V (the
// browser's own paste, through the clipboard), then typed into at its top and its end.
// Prints how long the paste took to show, each keystroke's time to the next frame and the
// longest gap between animation frames; fails at regression bounds well above the figures
// docs/robustness.md records (drawing every line froze the page for 1.2 s on this paste).
// Like the other browser tests it builds nothing: run `trunk build --release --offline` first.
//   node --test tests/browser/editor.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { useSite } from './site.mjs';

let siteUrl;
let browser;
useSite((site) => ({ url: siteUrl, browser } = site));

const ms = (x) => `${x.toFixed(1)} ms`;
const load = () => `[load average ${loadavg()[0].toFixed(2)}]`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A program of varied lines (keywords, strings, numbers, comments) just under 64 KiB. */
function longProgram() {
  const lines = [];
  let bytes = 0;
  for (let i = 0; ; i++) {
    const block = [`def f${i}(a, b=${i}):`, `    s = "item ${i}" + str(a)  # note`, '    return [s, b * 2.5, None]', ''];
    const size = block.join('\n').length + 1;
    if (bytes + size > 64 * 1024) break;
    lines.push(...block);
    bytes += size;
  }
  return `${lines.join('\n')}\n`;
}

/** Starts recording animation frame times in the page. */
const watchFrames = (page) => page.evaluate(() => {
  window.__frames = [];
  const tick = (t) => {
    window.__frames.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
/** The longest gap between two frames since `watchFrames` or the last call. */
const longestGap = (page) => page.evaluate(() => {
  const f = window.__frames;
  window.__frames = [f.at(-1)];
  return Math.max(0, ...f.slice(1).map((t, i) => t - f[i]));
});

test('a 64 KiB program pasted into the editor shows at once and can be typed into', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(siteUrl).origin });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(siteUrl);
  await page.locator('.step-label').waitFor();
  const program = longProgram();
  const lineCount = program.split('\n').length;
  const lastLine = program.trimEnd().split('\n').at(-1);
  await page.evaluate((text) => navigator.clipboard.writeText(text), program);
  const area = page.locator('textarea.code-input');
  await area.focus();
  await page.keyboard.press('Control+A');
  await watchFrames(page);

  const pasteStart = Date.now();
  await page.keyboard.press('Control+V');
  // Shown: the caret is at the end, so the editor scrolls there and draws the last lines.
  await page.waitForFunction(([n, last]) =>
    document.querySelector(`.gutter li[data-line="${n}"]`)
      && document.querySelector('pre.highlight').textContent.includes(last), [lineCount, lastLine], { timeout: 20_000 })
    .catch(async (e) => {
      console.log(await page.evaluate(() => {
        const code = document.querySelector('.code');
        const area = document.querySelector('textarea.code-input');
        const rows = document.querySelectorAll('.gutter li');
        return JSON.stringify({ codeTop: code.scrollTop, codeHeight: code.scrollHeight, areaTop: area.scrollTop, areaH: area.clientHeight,
          caret: area.selectionStart, len: area.value.length, rows: [rows[0]?.dataset.line, rows[rows.length - 1]?.dataset.line] });
      }));
      throw e;
    });
  const pasteShown = Date.now() - pasteStart;
  const pasteGap = await longestGap(page);
  assert.equal(await area.inputValue(), program, 'the whole program is in the editor');

  // Type at the end, then at the top (Ctrl+Home scrolls the editor back up).
  const keyTimes = [];
  const type = async (text) => {
    for (const ch of text) {
      const t = Date.now();
      await page.keyboard.type(ch);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      keyTimes.push(Date.now() - t);
    }
  };
  await type('x = 1');
  await page.keyboard.press('Control+Home');
  await type('y = 2\n');
  const typingGap = await longestGap(page);
  await page.waitForFunction(() => document.querySelector('pre.highlight').textContent.startsWith('y = 2\n'));
  const value = await area.inputValue();
  assert.equal(value, `y = 2\n${program}x = 1`, 'every keystroke is in the editor');
  const shownLines = await page.locator('.gutter li').count();

  // Scrolled to the middle, the coloured copy and the gutter line up with the textarea's lines.
  const aligned = await page.evaluate(async () => {
    const code = document.querySelector('.code');
    code.scrollTop = code.scrollHeight / 2;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const area = document.querySelector('textarea.code-input');
    const style = getComputedStyle(area);
    const lineHeight = parseFloat(style.lineHeight);
    const firstTop = area.getBoundingClientRect().top + parseFloat(style.paddingTop);
    const middle = code.getBoundingClientRect().top + code.clientHeight / 2;
    const gutterRow = [...document.querySelectorAll('.gutter li')]
      .find((li) => Math.abs(li.getBoundingClientRect().top + lineHeight / 2 - middle) <= lineHeight / 2);
    if (!gutterRow) return { found: false };
    const n = Number(gutterRow.dataset.line);
    const index = [...gutterRow.parentElement.children].indexOf(gutterRow);
    const codeRow = document.querySelectorAll('.code-line')[index];
    const expectedTop = firstTop + (n - 1) * lineHeight;
    return { found: true, n, gutter: gutterRow.getBoundingClientRect().top - expectedTop,
      code: codeRow.getBoundingClientRect().top - expectedTop,
      text: codeRow.textContent, line: area.value.split('\n')[n - 1] };
  });
  assert.ok(aligned.found, 'the middle of the editor has a gutter row');
  assert.ok(Math.abs(aligned.gutter) < 1 && Math.abs(aligned.code) < 1,
    `line ${aligned.n}: gutter off by ${aligned.gutter}, coloured line off by ${aligned.code} px`);
  assert.equal(aligned.text, `${aligned.line}\n`, `line ${aligned.n} is coloured with its own text`);

  console.log(`64 KiB program (${program.length} bytes, ${lineCount} lines): Ctrl+V to the last line shown ` +
    `${ms(pasteShown)}, longest frame gap ${ms(pasteGap)}; ${keyTimes.length} keys typed: keystroke to next frame ` +
    `median ${ms(median(keyTimes))}, max ${ms(Math.max(...keyTimes))}, longest frame gap ${ms(typingGap)}; ` +
    `${shownLines} gutter rows drawn ${load()}`);
  assert.ok(pasteGap < 400, `no frame gap over 400 ms while pasting (${ms(pasteGap)})`);
  assert.ok(typingGap < 200, `no frame gap over 200 ms while typing (${ms(typingGap)})`);
  assert.ok(shownLines < 400, `only the lines in view are drawn (${shownLines})`);
  assert.deepEqual(errors, []);
  await context.close();
});
