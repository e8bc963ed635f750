// The live view (--watch) in a real browser: lessons started with --watch, their page opened
// in Debian's chromium (playwright-core), and used like a student would: step, continue,
// two tabs. Screenshots for the notes are saved under <build>/screenshots/.
//
// These tests start their own lesson binaries (from $LOOPLAB_BUILD/lessons); they do not use
// the classroom server that tests/browser/run starts for the other files.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { launchChromium } from "./lib/chromium.mjs";
import { buildDir, startWatched } from "./lib/watched_program.mjs";

const kWaitMs = 20000; // generous: chromium on a busy 2-core machine is slow
const lessons = `${buildDir()}/lessons`;
const screenshots = `${buildDir()}/screenshots`;
const lesson07 = `${lessons}/07-event-queue`;
const lesson08 = `${lessons}/08-event-loop`;
const lesson13 = `${lessons}/13-server-and-client`;
const repoRoot = new URL("../..", import.meta.url).pathname;

let browser;
before(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});
after(async () => {
  if (browser) await browser.close();
});

async function openWatch(url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  context.setDefaultTimeout(kWaitMs);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(url);
  await page.locator('body[data-state="open"]').waitFor();
  return { page, context, errors };
}

const stopsOf = (page) => page.evaluate(() => (window.watch.gate ? window.watch.gate.stops : 0));

// Waits until the program is stopped at the gate (more than `after` stops so far) or ended.
async function waitStopped(page, after) {
  await page.waitForFunction((n) => window.watch.ended || (window.watch.gate && window.watch.gate.waiting && window.watch.gate.stops > n), after, { timeout: kWaitMs });
  return page.evaluate(() => !window.watch.ended);
}

// The slider to 0 ms (full speed), then Continue; waits for the program's "end" event.
async function runToEnd(page) {
  if (await page.evaluate(() => window.watch.ended)) return;
  await page.fill("#speed", "0");
  await page.dispatchEvent("#speed", "change");
  await page.waitForFunction(() => window.watch.gate && window.watch.gate.speed_ms === 0);
  await page.click("#continue");
  await page.waitForFunction(() => window.watch.ended, null, { timeout: kWaitMs });
}

test("lesson 07: stepping shows the soon queue draining before the next queue, one callback per step", async () => {
  const program = await startWatched(lesson07, ["--count", "1000"]);
  const { page, context, errors } = await openWatch(program.url);
  try {
    assert.ok(await waitStopped(page, 0), "the program starts paused");
    let screenshotTaken = false;
    for (let step = 0; step < 6; step++) {
      const before = await page.evaluate(() => ({ done: window.watch.callbacksDone, stops: window.watch.gate.stops }));
      await page.click("#step");
      if (!(await waitStopped(page, before.stops))) break;
      const done = await page.evaluate(() => window.watch.callbacksDone);
      assert.equal(done, before.done + 1, `step ${step + 1} must run exactly one callback`);
      // The picture for the notes: the puzzle's timer callback has run, B waits on the stack.
      if (!screenshotTaken && (await page.evaluate(() => window.watch.next > 0))) {
        await page.screenshot({ path: `${screenshots}/watch-07.png` });
        screenshotTaken = true;
      }
    }
    assert.ok(screenshotTaken, "the next queue was seen holding a task");
    // What the page was shown: both queues hold a task; the soon one empties first while the
    // next one still waits; the next one empties later.
    const trail = await page.evaluate(() => window.watch.queueTrail);
    const both = trail.findIndex((s) => s.soon > 0 && s.next > 0);
    assert.ok(both >= 0, "a moment with a task in both queues");
    const soonDrained = trail.findIndex((s, i) => i > both && s.soon === 0 && s.next > 0);
    assert.ok(soonDrained > both, "the soon queue drains while the next task still waits");
    const nextDrained = trail.findIndex((s, i) => i > soonDrained && s.next === 0);
    assert.ok(nextDrained > soonDrained, "the next queue drains after the soon queue");
    assert.equal(await page.locator("#phases li.current").count(), 1);
    await runToEnd(page);
    const { code } = await program.exited;
    assert.equal(code, 0);
    assert.deepEqual(errors, []);
  } finally {
    program.stop();
    await context.close();
  }
});

test("lesson 07: the timeline links each task to the line that posted it, and the link opens", async () => {
  const program = await startWatched(lesson07, ["--count", "1000"]);
  const { page, context, errors } = await openWatch(program.url);
  try {
    assert.ok(await waitStopped(page, 0));
    // Step until a soon or next task of the lesson's own code has been pushed.
    const postedTask = () => page.evaluate(() => {
      for (const a of document.querySelectorAll("#timeline li[data-k='push'] a.src")) {
        const row = a.parentElement.textContent;
        if (/> (soon|next) task/.test(row) && a.dataset.src.startsWith("lessons/07-event-queue/")) return { src: a.dataset.src, href: a.getAttribute("href"), shown: a.textContent };
      }
      return null;
    });
    let found = null;
    for (let step = 0; step < 20 && !found; step++) {
      const stops = await stopsOf(page);
      await page.click("#step");
      if (!(await waitStopped(page, stops))) break;
      found = await postedTask();
    }
    assert.ok(found, "a soon or next task with a file:line in lessons/07-event-queue/");
    const [file, line] = [found.src.slice(0, found.src.lastIndexOf(":")), Number(found.src.slice(found.src.lastIndexOf(":") + 1))];
    assert.equal(found.shown, `${file.split("/").pop()}:${line}`, "the row shows file:line");
    // The line really is the post call that queued the task.
    const text = readFileSync(`${repoRoot}/${file}`, "utf8").split("\n")[line - 1];
    assert.match(text, /post_(soon|next)\(/, `${found.src} is a post call: ${text}`);
    // The link opens the file from the program's own watch server, that line highlighted.
    const source = await context.newPage();
    const response = await source.goto(new URL(found.href, program.url).href);
    assert.equal(response.status(), 200);
    assert.equal(await source.evaluate(() => document.querySelector("tr:target")?.id), `L${line}`);
    assert.equal((await source.locator(`#L${line} pre`).textContent()), text);
    // Anything outside lessons/, src/ and include/ is refused with a reason.
    for (const path of ["../Makefile", "/etc/passwd", "notes/watch/README.md", "lessons/../Makefile"]) {
      const refused = await source.goto(new URL(`/source?path=${encodeURIComponent(path)}`, program.url).href);
      assert.equal(refused.status(), 404, path);
      assert.match(await refused.text(), /^not shown: /, path);
    }
    await source.close();
    await runToEnd(page);
    assert.equal((await program.exited).code, 0);
    assert.deepEqual(errors, []);
  } finally {
    program.stop();
    await context.close();
  }
});

test("lesson 13: a connection row shows its 4-tuple and a byte count that grows", async () => {
  const program = await startWatched(lesson13);
  const { page, context, errors } = await openWatch(program.url);
  try {
    assert.ok(await waitStopped(page, 0));
    await page.fill("#speed", "0");
    await page.dispatchEvent("#speed", "change");
    await page.waitForFunction(() => window.watch.gate && window.watch.gate.speed_ms === 0);
    await page.click("#continue");
    // Watch the drawn table: the first bytes seen per connection, until one row shows more.
    await page.waitForFunction(() => {
      const first = (window.firstBytes ??= new Map());
      for (const row of document.querySelectorAll("#sockets tr[data-kind='tcp']")) {
        const bytes = Number(row.dataset.bytesIn) + Number(row.dataset.bytesOut);
        if (!first.has(row.dataset.id)) first.set(row.dataset.id, bytes);
        else if (bytes > first.get(row.dataset.id) && bytes > 0) return true;
      }
      return false;
    }, null, { timeout: kWaitMs, polling: 20 });
    const row = await page.evaluate(() => {
      const first = window.firstBytes;
      for (const r of document.querySelectorAll("#sockets tr[data-kind='tcp']"))
        if (Number(r.dataset.bytesIn) + Number(r.dataset.bytesOut) > first.get(r.dataset.id))
          return [...r.cells].map((c) => c.textContent);
      return null;
    });
    assert.ok(row, "a tcp row whose bytes grew");
    await page.screenshot({ path: `${screenshots}/watch-13.png` });
    const [, kind, local, peer, state] = row;
    assert.equal(kind, "tcp");
    assert.match(local, /^127\.0\.0\.1:\d+$/);
    assert.match(peer, /^127\.0\.0\.1:\d+$/);
    assert.ok(["open", "closing", "closed"].includes(state), state);
    // Connections the lesson has closed (step 1's, at the end of its block) stay listed, closed.
    await page.locator("#sockets tr[data-state='closed']").first().waitFor();
    // Not waited for: the end. The lesson gives each step 10 s, and streaming every event of
    // 2 MiB relayed on a loaded machine can take longer; that is the lesson's limit, not the view's.
    assert.deepEqual(errors, []);
  } finally {
    program.stop();
    await context.close();
  }
});

test("lesson 07: two tabs watching one program see the same events", async () => {
  const program = await startWatched(lesson07, ["--count", "1000"]);
  const first = await openWatch(program.url);
  let second;
  try {
    assert.ok(await waitStopped(first.page, 0));
    second = await openWatch(program.url);   // opened late: gets what happened so far first
    await second.page.waitForFunction(() => window.watch.gate !== null);
    for (let step = 0; step < 3; step++) {
      const stops = await stopsOf(first.page);
      await first.page.click("#step");
      assert.ok(await waitStopped(first.page, stops));
      await waitStopped(second.page, stops);   // the second tab sees the same stop
    }
    await runToEnd(second.page);              // the other tab's buttons work too
    await first.page.waitForFunction(() => window.watch.ended);
    const seqsOf = (page) => page.evaluate(() => window.watch.seqs);
    const [a, b] = [await seqsOf(first.page), await seqsOf(second.page)];
    assert.ok(a.length > 50, `a real stream of events (${a.length})`);
    assert.deepEqual(a, b);
    assert.deepEqual(a, a.map((_, i) => i + 1), "numbered 1, 2, 3... with no gap (nothing dropped)");
    assert.equal((await program.exited).code, 0);
  } finally {
    program.stop();
    await first.context.close();
    if (second) await second.context.close();
  }
});

function availablePollers() {
  const usage = execFileSync(lesson08, ["--help"], { encoding: "utf8" });
  const found = /how the loop waits: ([a-z|]+)/.exec(usage);
  assert.ok(found, "lesson 08's --help lists the pollers");
  return found[1].split("|");
}

test("lesson 08: every poller shows the same phase order", async () => {
  const trails = {};
  for (const poller of availablePollers()) {
    const program = await startWatched(lesson08, ["--demo", `--poller=${poller}`, "--idle", "10", "--round-trips", "20"]);
    const { page, context, errors } = await openWatch(program.url);
    try {
      assert.ok(await waitStopped(page, 0));
      // Two turns by hand (the screenshot for the notes shows the loop mid-turn)...
      for (let turn = 0; turn < 2; turn++) {
        const stops = await stopsOf(page);
        await page.click("#step-turn");
        assert.ok(await waitStopped(page, stops));
      }
      if (Object.keys(trails).length === 0) await page.screenshot({ path: `${screenshots}/watch-08.png` });
      // ...then the rest at full speed.
      await runToEnd(page);
      trails[poller] = await page.evaluate(() => window.watch.phaseTrail);
      assert.equal((await program.exited).code, 0);
      assert.deepEqual(errors, []);
    } finally {
      program.stop();
      await context.close();
    }
  }
  const [first, ...others] = Object.values(trails);
  assert.ok(first.length >= 8, "several turns were watched");
  assert.deepEqual(first.slice(0, 4), ["1:timers", "1:poll", "1:next", "1:close"]);
  for (const other of others) assert.deepEqual(other, first);
});

test("lessons 01 and 05: the call stack grows and shrinks frame by frame (screenshots)", async () => {
  for (const [name, file, frames] of [["01-call-stack", "watch-01.png", 4], ["05-emit-raise-trigger", "watch-05.png", 3]]) {
    const program = await startWatched(`${lessons}/${name}`);
    const { page, context, errors } = await openWatch(program.url);
    try {
      assert.ok(await waitStopped(page, 0));
      let deepest = 0;
      for (let step = 0; step < 12 && deepest < frames; step++) {
        const stops = await stopsOf(page);
        await page.click("#step-frame");
        if (!(await waitStopped(page, stops))) break;
        deepest = Math.max(deepest, Number(await page.locator("#stack").getAttribute("data-depth")));
      }
      assert.ok(deepest >= frames, `${name}: the stack grew to ${frames} frames (saw ${deepest})`);
      await page.screenshot({ path: `${screenshots}/${file}` });
      await runToEnd(page);
      await program.exited;
      assert.deepEqual(errors, []);
    } finally {
      program.stop();
      await context.close();
    }
  }
});

test("a page closed while the program is paused does not leave it waiting", async () => {
  const program = await startWatched(lesson07, ["--count", "1000"]);
  const { page, context } = await openWatch(program.url);
  try {
    assert.ok(await waitStopped(page, 0));
    await context.close();   // nobody watches any more: the program must run to its end
    const ended = await Promise.race([program.exited, new Promise((r) => setTimeout(() => r("still running"), kWaitMs))]);
    assert.deepEqual(ended, { code: 0, signal: null });
  } finally {
    program.stop();
  }
});
