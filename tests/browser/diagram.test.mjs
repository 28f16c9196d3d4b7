// The diagram with many objects: only the cards near the viewport are in the page, yet
// every object stays reachable by keyboard (Up/Down from a card; the list of objects) and
// listed for screen readers; scrolling draws the cards it brings into view. And the
// permalink: written into the address once stepping settles, not after every step.
//   node --test tests/browser/diagram.test.mjs   (against dist/, like the other files)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openShownTrace, useSite } from './site.mjs';

let siteUrl;
let browser;
useSite((site) => ({ url: siteUrl, browser } = site));

const MANY_OBJECTS = 'items = [[i] for i in range(500)]\ntotal = 0\nfor k in range(200):\n    total += k\n';

async function openPage(fragment, init) {
  const { page, context, errors } = await openShownTrace(browser, siteUrl, fragment, init);
  const done = async () => {
    assert.deepEqual(errors, []);
    await context.close();
  };
  return { page, done };
}

/** The ids of the cards in the page. */
const cardIds = (page) => page.evaluate(() =>
  [...document.querySelectorAll('[data-lane="heap"] [data-object-id]')].map((c) => c.dataset.objectId));

test('off-screen objects are listed for screen readers and reached by keyboard', async () => {
  // Step 700 (of 906): all 500 lists and their ints are alive.
  const { page, done } = await openPage(`#code=${encodeURIComponent(MANY_OBJECTS)}&step=700`);
  const summary = page.locator('.object-list summary');
  const listed = Number((await summary.textContent()).match(/(\d+) objects/)[1]);
  const drawn = await cardIds(page);
  assert.ok(listed >= 1000, `${listed} objects in the diagram`);
  assert.ok(drawn.length < listed / 5, `only the cards near the viewport are in the page (${drawn.length})`);
  assert.equal(await page.locator('svg.memory-svg').getAttribute('aria-describedby'), 'diagram-keys');

  // The list names every object, each a button; pressing one far down selects its object
  // and moves the focus to its card, now drawn and in view.
  await summary.click();
  const items = page.locator('.object-list-items button');
  assert.equal(await items.count(), listed);
  const far = items.nth(listed - 3);
  const farId = await far.getAttribute('data-list-id');
  assert.ok(!drawn.includes(farId), 'the chosen object had no card in the page');
  assert.match(await far.textContent(), /^(list|int) .*refcount \d+, at 0x[0-9a-f]+/);
  await far.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.activeElement?.dataset?.objectId === id, farId);
  assert.equal(await page.locator('[data-details-id]').getAttribute('data-details-id'), farId);
  const inView = await page.evaluate((id) => {
    const r = document.querySelector(`[data-object-id="${id}"]`).getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight;
  }, farId);
  assert.ok(inView, 'the chosen card was scrolled into view');
  // Scrolling brought the cards around it into the page.
  await page.waitForFunction(() => document.querySelectorAll('[data-lane="heap"] [data-object-id]').length > 10);
  // Up and Down from a card select the card above or below it (by height, then column)
  // and follow it with the focus: from the chosen card, Up twelve times climbs the heap
  // lane past cards that were not drawn, and Down comes back the same way.
  const focused = () => page.evaluate(() => {
    const card = document.activeElement;
    return { id: card?.dataset?.objectId, top: card?.getBoundingClientRect().top + scrollY,
      details: document.querySelector('[data-details-id]')?.dataset.detailsId };
  });
  const climbed = [await focused()];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction((id) => document.activeElement?.dataset?.objectId !== id, climbed.at(-1).id);
    const now = await focused();
    assert.ok(now.id && now.top <= climbed.at(-1).top, `Up went to a card above (${JSON.stringify(now)})`);
    assert.equal(now.details, now.id, 'the focused card is the selected one');
    climbed.push(now);
  }
  assert.ok(climbed.at(-1).top < climbed[0].top);
  for (let i = climbed.length - 2; i >= 0; i--) {
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((id) => document.activeElement?.dataset?.objectId === id, climbed[i].id);
  }
  // The top card's Up goes nowhere, and the arrows never stepped the program.
  const step = await page.locator('.step-label').textContent();
  await page.evaluate(() => window.scrollTo(0, 0));
  // Once the scroll has drawn the cards at the top of the heap lane.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-lane="heap"] [data-object-id]')]
    .some((c) => c.getBoundingClientRect().top < innerHeight / 2));
  const topCard = await page.evaluate(() => [...document.querySelectorAll('[data-lane="heap"] [data-object-id]')]
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top
      || a.getBoundingClientRect().left - b.getBoundingClientRect().left)[0].dataset.objectId);
  await page.locator(`[data-object-id="${topCard}"]`).focus();
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.objectId), topCard);
  assert.equal(await page.locator('.step-label').textContent(), step);
  await done();
});

test('scrolling the diagram draws the cards it brings into view, and their arrows', async () => {
  const { page, done } = await openPage(`#code=${encodeURIComponent(MANY_OBJECTS)}&step=700`);
  const top = await cardIds(page);
  const svgHeight = await page.evaluate(() => document.querySelector('svg.memory-svg').getBoundingClientRect().height);
  await page.evaluate((y) => window.scrollTo(0, y), svgHeight / 2);
  await page.waitForFunction((ids) => {
    const now = [...document.querySelectorAll('[data-lane="heap"] [data-object-id]')].map((c) => c.dataset.objectId);
    return now.some((id) => !ids.includes(id));
  }, top);
  // Every card in the viewport is drawn with the arrows into it: the middle of the heap
  // lane has cards, each list card's slot has its arrow.
  const seen = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('[data-lane="heap"] [data-object-id]')]
      .filter((c) => { const r = c.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
    const lists = cards.filter((c) => c.dataset.type === 'list');
    const arrowsOut = lists.filter((c) => document.querySelector(`path.arrow[data-from="obj:${c.dataset.objectId}:[0]"]`));
    return { cards: cards.length, lists: lists.length, arrowsOut: arrowsOut.length };
  });
  assert.ok(seen.cards >= 8, `${seen.cards} cards in the viewport`);
  assert.equal(seen.arrowsOut, seen.lists, 'each list in view has its arrow');
  await done();
});

test('the permalink is written once stepping settles, and is the shown step\'s', async () => {
  // Count the page's replaceState calls.
  const { page, done } = await openPage('', () => {
    const replace = history.replaceState.bind(history);
    window.__replaced = 0;
    history.replaceState = (...args) => { window.__replaced += 1; return replace(...args); };
  });
  const start = await page.evaluate(() => location.hash);
  // Eight quick steps (a held arrow key): one write at the end, not eight.
  await page.evaluate(async () => {
    const forward = document.querySelector('button.step-forward');
    for (let i = 0; i < 8; i++) {
      forward.click();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  const label = await page.locator('.step-label').textContent();
  await page.waitForFunction((s) => location.hash !== s, start);
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => window.__replaced), 1, 'one write for the burst');
  // The address and Copy link's link are the same, and open the step shown.
  const link = await page.evaluate(() => location.href);
  const field = await page.evaluate(() => document.querySelector('.share input, .share textarea')?.value ?? null);
  if (field !== null) assert.equal(field, link);
  // A reader leaving the page for its address bar gets the link at once: the window's
  // blur writes a pending link without waiting for the steps to settle.
  const written = await page.evaluate(async () => {
    const before = location.hash;
    document.querySelector('button.step-forward').click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const pending = location.hash === before;
    window.dispatchEvent(new Event('blur'));
    return { pending, changed: location.hash !== before };
  });
  assert.deepEqual(written, { pending: true, changed: true });
  await done();
  const opened = await openPage(new URL(link).hash);
  assert.equal(await opened.page.locator('.step-label').textContent(), label);
  await opened.done();
});
