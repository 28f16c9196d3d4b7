// Browser performance figures of the built site, printed with the targets of
// docs/performance.md beside them. Wall-clock figures on a shared 2-core machine move with
// its load, so each test fails at a regression bound a few times its target (catching,
// say, a diagram rebuilt whole on every step: 100-1,700 ms) and prints whether the target
// itself was met; docs/performance.md records which are not. Figures: load time, render time per step with 500 live objects on
// screen, frames per second while stepping with animations, and a long run in slices.
// Like page.test.mjs it builds nothing (run `trunk build --release --offline` first),
// serves dist/ on 127.0.0.1 and drives Debian's chromium headless with playwright-core.
//   node --test tests/browser/perf.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { openShownTrace, useSite } from './site.mjs';


let siteUrl;
let browser;
useSite((site) => ({ url: siteUrl, browser } = site));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const ms = (x) => `${x.toFixed(1)} ms`;
// Figures are wall-clock times: printed with the machine's load, which widens their spread.
const load = () => `[load average ${loadavg()[0].toFixed(2)}]`;

/** Records, from the first script on, when the heap lane first holds an object card and
 * when the frame after that began (the card is painted by then). */
function watchDiagram() {
  const seen = () => document.querySelector('[data-lane="heap"] [data-object-id]');
  const mark = () => {
    window.__diagramInDom = performance.now();
    requestAnimationFrame(() => {
      window.__diagramPainted = performance.now();
    });
  };
  new MutationObserver((_, observer) => {
    if (seen()) {
      observer.disconnect();
      mark();
    }
  }).observe(document, { childList: true, subtree: true });
}

const newPage = (fragment = '') => openShownTrace(browser, siteUrl, fragment, watchDiagram);

const plainLink = (code, step) => `#code=${encodeURIComponent(code)}&step=${step}`;

test('load: the default example\'s diagram is on screen within 500 ms of navigation', async () => {
  const runs = [];
  for (let i = 0; i < 7; i++) {
    const { page, context, errors } = await newPage();
    await page.waitForFunction(() => window.__diagramPainted !== undefined, null, { timeout: 30_000 });
    runs.push(await page.evaluate(() => ({ dom: window.__diagramInDom, painted: window.__diagramPainted })));
    assert.deepEqual(errors, []);
    await context.close();
  }
  // The first load also compiles the wasm module from scratch; later ones may use the cache.
  const painted = runs.map((r) => r.painted);
  console.log(`load (navigation start -> first frame with the diagram), ${runs.length} loads: ` +
    `first ${ms(painted[0])}, median ${ms(median(painted))}, max ${ms(Math.max(...painted))}; ` +
    `cards in the DOM at median ${ms(median(runs.map((r) => r.dom)))} ${load()}`);
  console.log(`target: every load under 500 ms: ${Math.max(...painted) < 500 ? 'met' : 'NOT met'}`);
  assert.ok(median(painted) < 1500, `median load under 1,500 ms (${ms(median(painted))})`);
});

// 500 one-item lists (and the ints they hold) stay live while a loop runs after them.
const MANY_OBJECTS = 'items = [[i] for i in range(500)]\ntotal = 0\nfor k in range(200):\n    total += k\n';

/** Opens MANY_OBJECTS 150 steps before its end, with 500+ cards drawn. */
async function openManyObjects() {
  let { page, context } = await newPage(plainLink(MANY_OBJECTS, 10_000_000));
  const count = Number((await page.locator('.step-label').textContent()).match(/of (\d+)/)[1]);
  await context.close();
  ({ page, context } = await newPage(plainLink(MANY_OBJECTS, count - 150)));
  // The diagram holds every card; the page draws those near the viewport (the list of
  // objects under the diagram names them all).
  const listed = Number((await page.locator('.object-list summary').textContent()).match(/(\d+) objects/)[1]);
  const inPage = await page.locator('[data-lane="heap"] [data-object-id]').count();
  assert.ok(listed >= 500, `${listed} objects in the diagram`);
  assert.ok(inPage > 0 && inPage < listed, `${inPage} of ${listed} cards in the page`);
  return { page, context, cards: `${listed} (${inPage} near the viewport in the page)` };
}

test('render: with 500 live objects on screen, a step renders in under 16 ms', async () => {
  const { page, context, cards } = await openManyObjects();
  // In the page, for each step: click Step forward, then (a) once Yew has rendered (in
  // the microtask after the click) force style and layout: the step's rendering work;
  // and (b) wait for the next animation frame, whose paint shows it.
  const samples = await page.evaluate(async (steps) => {
    const forward = document.querySelector('button.step-forward');
    const label = () => document.querySelector('.step-label').textContent;
    const nextTask = () => new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = resolve;
      channel.port2.postMessage(null);
    });
    const out = [];
    for (let i = 0; i < steps; i++) {
      const before = label();
      const start = performance.now();
      forward.click();
      await nextTask();
      // Should a busy page not have rendered by the next task, wait for it (and count that).
      for (let tries = 0; label() === before; tries++) {
        if (tries > 300) throw new Error(`step ${i} did not move (${before})`);
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      document.body.getBoundingClientRect();
      const rendered = performance.now();
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const frame = performance.now();
      out.push({ render: rendered - start, frame: frame - start });
      // Let the step's animation start, as a reader would see it.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    return out;
  }, 100);
  const render = samples.map((s) => s.render);
  const frame = samples.map((s) => s.frame);
  console.log(`render per step with ${cards} cards, ${samples.length} steps: ` +
    `click -> DOM updated and laid out: median ${ms(median(render))}, p95 ${ms(percentile(render, 95))}; ` +
    `click -> next animation frame: median ${ms(median(frame))}, p95 ${ms(percentile(frame, 95))} ${load()}`);
  await context.close();
  console.log(`target: p95 render under 16 ms: ${percentile(render, 95) < 16 ? 'met' : 'NOT met'}`);
  assert.ok(median(render) < 50, `median render ${ms(median(render))} under 50 ms`);
  assert.ok(percentile(render, 95) < 100, `p95 render ${ms(percentile(render, 95))} under 100 ms`);
});

test('animation: stepping with 500 live objects on screen holds 60 frames per second', async () => {
  const { page, context, cards } = await openManyObjects();
  await page.getByLabel('Speed').selectOption('40');
  // Count animation frames over two seconds of playing at the fastest speed (a step every
  // 250 ms, each with its 600 ms animation), and the longest gap between two frames.
  const result = await page.evaluate(async () => {
    document.querySelector('button.play').click();
    const times = [];
    await new Promise((resolve) => {
      const start = performance.now();
      const tick = (now) => {
        times.push(now);
        if (now - start < 2000) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    document.querySelector('button.play').click();
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    return { fps: (times.length - 1) / ((times.at(-1) - times[0]) / 1000), longest: Math.max(...gaps), frames: times.length };
  });
  console.log(`animation while playing at 4 steps/s with ${cards} cards: ${result.fps.toFixed(1)} frames/s ` +
    `(${result.frames} frames in 2 s), longest frame gap ${ms(result.longest)} ${load()}`);
  await context.close();
  // Headless chromium draws at most 60 frames a second; 55 allows for timer jitter.
  console.log(`target: 60 frames/s: ${result.fps >= 58 ? 'met' : 'NOT met'}`);
  assert.ok(result.fps >= 30, `${result.fps.toFixed(1)} frames/s, at least 30`);
});

test('a long run goes in slices: the page keeps drawing, shows progress, and Stop works', async () => {
  const { page, context, errors } = await newPage();
  await page.locator('textarea').fill('total = 0\nwhile True:\n    total += 1\n');
  // In the page: click Run, then on every animation frame read the progress bar; once it
  // passes 20,000 steps, click Stop. Frame gaps tell whether the page froze meanwhile.
  const run = await page.evaluate(async () => {
    const times = [];
    const seen = [];
    const start = performance.now();
    [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Run').click();
    const clicked = performance.now();
    await new Promise((resolve, reject) => {
      const tick = (now) => {
        times.push(now);
        const bar = document.querySelector('[role=progressbar]');
        if (bar) seen.push(Number(bar.getAttribute('aria-valuenow')));
        if (bar && seen.at(-1) >= 20000) {
          document.querySelector('button.stop').click();
          resolve();
        } else if (now - start > 20000) reject(new Error(`no stop after 20 s (${seen.at(-1)} steps)`));
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    return { firstSlice: clicked - start, stoppedAfter: performance.now() - start, frames: times.length,
      longest: Math.max(...gaps), progressFrames: seen.length, steps: seen.at(-1) };
  });
  await page.locator('.run-stopped').waitFor();
  const shown = Number((await page.locator('.step-label').textContent()).match(/of (\d+)/)[1]);
  console.log(`long run in slices: Run's click (first slice) ${ms(run.firstSlice)}; progress shown in ` +
    `${run.progressFrames} frames; Stop clicked at ${run.steps} steps, ${ms(run.stoppedAfter)} after Run; ` +
    `longest gap between frames ${ms(run.longest)}; ${shown} steps shown after Stop ${load()}`);
  assert.ok(run.progressFrames >= 3, 'the progress bar was drawn while running');
  assert.ok(shown >= run.steps, 'the steps so far are shown after Stop');
  assert.match(await page.locator('.run-stopped').textContent(), /stopped by the reader/);
  // 100 ms is the target, reported; the assertion is a regression bound that a page frozen by
  // one long slice breaks, but a loaded two-core runner's jitter does not.
  console.log(`target: no frame gap over 100 ms while running: ${run.longest < 100 ? 'met' : 'NOT met'}`);
  assert.ok(run.longest < 500, `no gap over 500 ms between frames while running (${ms(run.longest)})`);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Runs `total = 0` / `while True: total += 1` from a plain link (with the step cap `cap`,
 * or the page's default); records the time until the capped trace's first step is shown,
 * the longest frame gap, the most the page's wasm heap held and, when
 * `stopAt` is given, clicks Stop once the bar passes it (or, for 'layout', once the
 * finished run's layout is a quarter done) and times how long Stop takes. */
async function runToCap(cap, stopAt, afterwards) {
  const loop = 'total = 0\nwhile True:\n    total += 1\n';
  const { page, context, errors } = await newPage(`#code=x%3D1${cap ? `&steps=${cap}` : ''}`);
  await page.locator('textarea').fill(loop);
  const run = await page.evaluate(async (stopAt) => {
    const memory = () => window.wasmBindings.heap_bytes();
    const times = [];
    const phases = [];
    const start = performance.now();
    let stopClicked;
    let peak = memory();
    [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Run').click();
    await new Promise((resolve, reject) => {
      const tick = (now) => {
        times.push(now);
        peak = Math.max(peak, memory());
        const bar = document.querySelector('[role=progressbar]');
        phases.push(bar ? `${bar.getAttribute('aria-label')} ${bar.getAttribute('aria-valuenow')}` : 'no progress bar');
        const due = bar && (stopAt === 'layout'
          ? bar.getAttribute('aria-label').startsWith('Laying out the diagram of')
            && 4 * Number(bar.getAttribute('aria-valuenow')) >= Number(bar.getAttribute('aria-valuemax'))
          : Number(bar.getAttribute('aria-valuenow')) >= stopAt);
        if (stopAt && due && !stopClicked) {
          stopClicked = now;
          document.querySelector('button.stop').click();
        }
        if (document.querySelector('.run-stopped')) resolve();
        else if (now - start > 120000) reject(new Error('the run did not end in 120 s'));
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const end = performance.now();
    const at = gaps.indexOf(Math.max(...gaps));
    return { took: end - start, longest: Math.max(...gaps), peak,
      longestBetween: `${phases[at]} -> ${phases[at + 1]}`,
      stopTook: stopClicked ? end - stopClicked : undefined,
      label: document.querySelector('.step-label').textContent,
      why: document.querySelector('.run-stopped').textContent };
  }, stopAt);
  if (afterwards) run.afterwards = await afterwards(page);
  await context.close();
  assert.deepEqual(errors, []);
  return run;
}

/** Does `act` on the page and waits until `done` holds in it (each `done` also waits for
 * the progress bar to go: the page's CSP allows no string evaluation to add it); returns
 * the time that took, the longest gap between two frames meanwhile (and which progress
 * bars it fell between), and the progress bars seen. */
async function timeSwitch(page, act, done) {
  const start = await page.evaluate(() => new Promise((resolve) => {
    window.__frames = [];
    window.__recording = true;
    const tick = (now) => {
      const bar = document.querySelector('[role=progressbar]');
      window.__frames.push([now, bar ? `${bar.getAttribute('aria-label')} ${bar.getAttribute('aria-valuenow')}` : 'no progress bar']);
      if (window.__recording) requestAnimationFrame(tick);
    };
    // Two frames drawn before the switch, so the first gap measured is the switch's.
    requestAnimationFrame((a) => { tick(a); requestAnimationFrame((b) => { tick(b); resolve(performance.now()); }); });
  }));
  await act();
  await page.waitForFunction(done, null, { timeout: 120_000 });
  return page.evaluate((start) => new Promise((resolve) => requestAnimationFrame((now) => {
    window.__recording = false;
    const frames = window.__frames;
    const gaps = frames.slice(1).map(([t], i) => t - frames[i][0]);
    const at = gaps.indexOf(Math.max(...gaps));
    resolve({ took: now - start, longest: Math.max(...gaps),
      between: `${frames[at][1]} -> ${frames[at + 1][1]}`,
      bars: [...new Set(frames.map(([, bar]) => bar.replace(/ \d+$/, '')))].filter((b) => b !== 'no progress bar') });
  })), start);
}

/** After a 1,000,000-step run: each switch that works over the whole trace, timed. */
async function switchesOnTheTrace(page) {
  const out = {};
  out.internal = await timeSwitch(page, () => page.locator('.show-internal input').check(),
    () => document.querySelector('.show-internal input').checked && !document.querySelector('[role=progressbar]'));
  out.narrow = await timeSwitch(page, () => page.setViewportSize({ width: 700, height: 900 }),
    () => document.querySelector('.memory.narrow') !== null && !document.querySelector('[role=progressbar]'));
  const byEvent = () => document.querySelectorAll('input[name=step-mode]')[1].checked && !document.querySelector('[role=progressbar]');
  // Escape while the events are counted gives the count up: stepping stays by line.
  out.escape = await timeSwitch(page, async () => {
    await page.locator('input[name=step-mode]').nth(1).click();
    await page.locator('[role=progressbar]').waitFor();
    await page.keyboard.press('Escape');
  }, () => document.querySelectorAll('input[name=step-mode]')[0].checked && !document.querySelector('[role=progressbar]'));
  out.event = await timeSwitch(page, () => page.locator('input[name=step-mode]').nth(1).click(), byEvent);
  out.eventLabel = await page.locator('.event-label').textContent();
  // A new run: the million-step trace is dropped when the new one is shown.
  out.newRun = await timeSwitch(page, async () => {
    await page.locator('textarea').fill('x = 1\n');
    await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Run').click());
  }, () => !/1000000/.test(document.querySelector('.step-label').textContent) && !document.querySelector('[role=progressbar]'));
  return out;
}

const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

test('a run to a link\'s step cap (100,000): time to the trace shown, and the longest frame gap', async () => {
  const run = await runToCap(100_000);
  console.log(`run to a 100,000-step cap (from the link): ${run.label} shown ${ms(run.took)} after Run; longest gap ` +
    `between frames ${ms(run.longest)}; wasm heap at most ${mib(run.peak)} ${load()}`);
  assert.match(run.why, /stopped after 100000 steps \(the step limit\)/);
  assert.ok(run.longest < 500, `no gap over 500 ms between frames (${ms(run.longest)})`);
});

test('Stop while a run\'s long trace is laid out shows the steps laid out so far', async () => {
  const run = await runToCap(200_000, 'layout');
  const shown = Number(run.label.match(/of (\d+)/)[1]);
  console.log(`Stop while laying out a 200,000-step run: ${run.label} shown ${ms(run.stopTook)} after Stop ` +
    `(${ms(run.took)} after Run); longest gap between frames ${ms(run.longest)} ${load()}`);
  assert.ok(run.stopTook !== undefined, 'Stop was shown while laying out');
  assert.match(run.why, /stopped by the reader/);
  // A quarter of the events laid out is about a quarter of this loop's steps.
  assert.ok(shown > 200_000 / 8 && shown < 200_000, `some steps, not all (${shown})`);
  assert.ok(run.longest < 400, `no gap over 400 ms between frames (${ms(run.longest)})`);
});

// Target: no gap over 100 ms between frames anywhere (a few frames). Each figure fails at
// 400 ms, a few times the target, which a pass over the whole trace in one go exceeds
// (1.1-1.4 s when the layout first counted every object's slots that way).
const GAP_TARGET = 100;
const GAP_BOUND = 400;
const gapTarget = (what, gap) => console.log(`target: no frame gap over ${GAP_TARGET} ms (${what}): ${gap < GAP_TARGET ? 'met' : 'NOT met'}`);

test('a run to the default cap (1,000,000 steps), the switches over its trace, and Stop half way through one', async () => {
  const run = await runToCap(undefined, undefined, switchesOnTheTrace);
  console.log(`run to the default 1,000,000-step cap: ${run.label} shown ${ms(run.took)} after Run; longest gap ` +
    `between frames ${ms(run.longest)} (between "${run.longestBetween}"); wasm heap at most ${mib(run.peak)} (the guard stops a run at 1 GiB) ${load()}`);
  assert.match(run.why, /stopped after 1000000 steps \(the step limit\)/);
  assert.ok(run.peak < 2 ** 30, `the heap stays under the 1 GiB guard (${mib(run.peak)})`);
  gapTarget('the run', run.longest);
  assert.ok(run.longest < GAP_BOUND, `no gap over ${GAP_BOUND} ms between frames (${ms(run.longest)})`);
  const switches = run.afterwards;
  for (const [what, name] of [['internal', '"show internal" on'], ['narrow', 'the narrow switch (700 px)'],
    ['escape', 'event stepping, then Escape while its events are counted'], ['event', 'event stepping'],
    ['newRun', 'a new run (x = 1) replacing the trace']]) {
    const sw = switches[what];
    console.log(`${name} on the 1,000,000-step trace: done ${ms(sw.took)} after it; longest gap ${ms(sw.longest)} ` +
      `(between "${sw.between}"); progress shown: ${sw.bars.join(', ') || 'none'} ${load()}`);
    gapTarget(name, sw.longest);
    assert.ok(sw.longest < GAP_BOUND, `${name}: no gap over ${GAP_BOUND} ms (${ms(sw.longest)})`);
  }
  // The long passes went in slices, with the bar saying what they do.
  assert.ok(switches.internal.bars.includes('Laying out the diagram again'), switches.internal.bars.join());
  assert.ok(switches.narrow.bars.includes('Laying out the diagram again'), switches.narrow.bars.join());
  assert.ok(switches.event.bars.some((b) => /^Counting the events of 1,000,000 steps/.test(b)), switches.event.bars.join());
  assert.match(switches.eventLabel, /^Event 1 of \d{7,}/);
  const stopped = await runToCap(undefined, 500_000);
  console.log(`Stop at 500,000 of 1,000,000 steps: the page shows ${stopped.label} ${ms(stopped.stopTook)} after ` +
    `the click; longest gap ${ms(stopped.longest)} (between "${stopped.longestBetween}") ${load()}`);
  assert.match(stopped.why, /stopped by the reader/);
  gapTarget('Stop', stopped.longest);
  assert.ok(stopped.longest < GAP_BOUND, `Stop: no gap over ${GAP_BOUND} ms (${ms(stopped.longest)})`);
});

// One step that fills a million slots is one slice: the page can pause only between
// steps. This prints how long it holds the page (the 100 ms target is not met; see
// docs/robustness.md) and fails only past a regression bound.
test('one step that fills a million slots: how long the page is held', async () => {
  const { page, context, errors } = await newPage();
  await page.locator('textarea').fill('x = [0] * 10**6\ny = len(x)\nprint(y)\n');
  const run = await page.evaluate(async () => {
    const times = [];
    const start = performance.now();
    [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Run').click();
    await new Promise((resolve, reject) => {
      const tick = (now) => {
        times.push(now);
        // Three line steps and the exit.
        const done = document.querySelector('.step-label')?.textContent === 'Step 1 of 4'
          && !document.querySelector('[role=progressbar]');
        if (done) resolve();
        else if (now - start > 60000) reject(new Error('the run was not shown in 60 s'));
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    return { took: performance.now() - start, longest: Math.max(...gaps) };
  });
  console.log(`x = [0] * 10**6: shown ${ms(run.took)} after Run; the page held for ${ms(run.longest)} at most ${load()}`);
  gapTarget('one step of 2,000,000 events', run.longest);
  assert.ok(run.longest < 15000, `held under the 15 s regression bound (${ms(run.longest)})`);
  // Moving about with the million-item list live: each button's wait until its step is
  // shown (a frame of the page's own included). Snapshots share the list's references,
  // so no move copies them.
  const moves = await page.evaluate(async () => {
    const shown = () => document.querySelector('.step-label')?.textContent;
    const press = async (button, want) => {
      const start = performance.now();
      document.querySelector(`button.${button}`).click();
      await new Promise((resolve, reject) => {
        const tick = () => {
          if (shown() === want) resolve();
          else if (performance.now() - start > 30000) reject(new Error(`${button}: not ${want}`));
          else requestAnimationFrame(tick);
        };
        tick();
      });
      return performance.now() - start;
    };
    return [
      ['forward', await press('step-forward', 'Step 2 of 4')],
      ['forward', await press('step-forward', 'Step 3 of 4')],
      ['back', await press('step-back', 'Step 2 of 4')],
      ['last', await press('last-step', 'Step 4 of 4')],
      ['first', await press('first-step', 'Step 1 of 4')],
    ];
  });
  console.log(`  then, with the list live: ${moves.map(([what, t]) => `${what} ${ms(t)}`).join(', ')} ${load()}`);
  for (const [what, t] of moves) assert.ok(t < 5000, `${what} under the 5 s regression bound (${ms(t)})`);
  assert.deepEqual(errors, []);
  await context.close();
});
