// The classroom chat across two servers (`make demo SERVERS=2`, lesson 19) in a real browser:
// a redis-server and two classroom servers on it, all started by this test; one Chromium
// page on each server. They join one room and chat both ways: the messages, the typing
// indicator, the member list and the room counts cross through Redis. Once with the classic
// adapter (--adapter redis), once with the sharded one (--adapter redis-sharded: Redis 7 has
// sharded pub/sub without a cluster).
//
// This file starts its own servers (the runner's one has no Redis); it needs redis-server
// (`make test-tools` installs it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { launchChromium } from "./lib/chromium.mjs";

const kWaitMs = 20000; // generous: chromium on a busy 2-core machine is slow
const kTestTimeoutMs = 90000;
const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/web");

let browser;
let redis;
let folder;
const servers = [];

// ---- the processes -----------------------------------------------------------------------------

// A TCP port nobody listens on now (the kernel picks it; redis-server cannot take port 0).
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Spawns `command` and resolves with {child, out} once `ready(out)` is true for its output so
// far (stdout and stderr together). Rejects, with what it printed, if it exits or is silent.
function startUntil(command, args, ready, what) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} was not ready within ${kWaitMs} ms: ${out}`));
    }, kWaitMs);
    const read = (chunk) => {
      out += chunk;
      if (ready(out)) {
        clearTimeout(timer);
        child.stdout.off("data", read);
        child.stderr.off("data", read);
        resolve({ child, out });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not start: ${error.message}` +
        (error.code === "ENOENT" ? " (install redis-server: `make test-tools`)" : "")));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited at start (status ${code}): ${out}`));
    });
  });
}

// One classroom server on Redis: resolves with its port once it listens AND its Redis
// connections are ready (a subscriber's "ready" comes after its subscriptions).
const kReady = {
  "redis": [/redis publisher [^\n]*: ready/, /redis subscriber [^\n]*: ready/],
  "redis-sharded": [/redis cluster: [^\n]* commands ready/, /redis cluster: [^\n]* subscriber ready/],
};
async function startClassroomServer(adapter, redisAddress) {
  const build = process.env.LOOPLAB_BUILD;
  if (!build) throw new Error("LOOPLAB_BUILD is not set: run the tests with tests/browser/run");
  const { child, out } = await startUntil(`${build}/apps/classroom-server`,
    ["--port", "0", "--host", "127.0.0.1", "--web-root", webRoot, "--adapter", adapter, "--redis", redisAddress],
    (text) => /http:\/\/localhost:\d+\//.test(text) && kReady[adapter].every((line) => line.test(text)),
    `a classroom server with --adapter ${adapter}`);
  servers.push(child);
  return Number(/http:\/\/localhost:(\d+)\//.exec(out)[1]);
}

function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), kWaitMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

let redisAddress;

before(async () => {
  browser = await launchChromium();
  folder = mkdtempSync(path.join(tmpdir(), "looplab-cluster-chat-"));
  const redisPort = await freePort();
  ({ child: redis } = await startUntil("redis-server",
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
    (text) => /Ready to accept connections/.test(text), "redis-server"));
  redisAddress = `127.0.0.1:${redisPort}`;
});

after(async () => {
  if (browser) await browser.close();
  for (const child of servers) await stop(child);
  await stop(redis);
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// ---- the page (as in chat.test.mjs) ------------------------------------------------------------

function unique(prefix) {
  return `${prefix}${Math.random().toString(36).slice(2, 7)}`;
}

async function openChat(serverPort) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  context.setDefaultTimeout(kWaitMs);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  await page.goto(`http://localhost:${serverPort}/`);
  return { page, context, errors };
}

async function enter(page, nickname, room) {
  await page.fill("#nick-input", nickname);
  await page.click("#nick-submit");
  await page.locator('#conn-state[data-state="connected"]').waitFor();
  await page.locator("#chat:not([hidden])").waitFor();
  await page.fill("#room-input", room);
  await page.click("#room-join");
  await page.locator("#current-room", { hasText: `# ${room}` }).waitFor();
}

async function send(page, text) {
  await page.fill("#message-input", text);
  await page.click("#message-send");
}

function message(page, text, status) {
  return page.locator(`#messages li.message[data-status="${status}"]`, { hasText: text });
}

// The member list shows exactly `names`, in any order (each server lists its own members
// first: it cannot know the join order on another server).
async function waitForMembers(page, names) {
  await page.waitForFunction((expected) => {
    const shown = [...document.querySelectorAll("#presence li")].map((li) => li.textContent).sort();
    return JSON.stringify(shown) === JSON.stringify(expected);
  }, [...names].sort(), { timeout: kWaitMs });
}

// The room list says `count` members for `room`.
async function waitForCount(page, room, count) {
  await page.waitForFunction(([name, expected]) => {
    const item = document.querySelector(`#room-list li[data-room="${name}"] .count`);
    return item !== null && item.textContent === String(expected);
  }, [room, count], { timeout: kWaitMs });
}

// ---- the tests ---------------------------------------------------------------------------------

for (const adapter of ["redis", "redis-sharded"]) {
  test(`two pages on two servers joined by Redis (--adapter ${adapter}) chat in one room, both ways`, { timeout: kTestTimeoutMs }, async () => {
    const portA = await startClassroomServer(adapter, redisAddress);
    const portB = await startClassroomServer(adapter, redisAddress);
    assert.notEqual(portA, portB);
    const room = unique("cluster");
    const [adaName, bobName] = [unique("ada"), unique("bob")];
    const ada = await openChat(portA);
    const bob = await openChat(portB);
    try {
      await enter(ada.page, adaName, room);
      await enter(bob.page, bobName, room);

      // Each page sees both members and the room's count of 2, though each server holds one.
      await waitForMembers(ada.page, [adaName, bobName]);
      await waitForMembers(bob.page, [adaName, bobName]);
      await waitForCount(ada.page, room, 2);
      await waitForCount(bob.page, room, 2);

      // ada (server A) writes: her ✓, and bob (server B) gets the line through Redis.
      await send(ada.page, "hello from server A");
      await message(ada.page, "hello from server A", "acked").waitFor();
      await message(bob.page, "hello from server A", "received").waitFor();

      // bob types and writes: ada sees him typing (a volatile broadcast), then his line.
      await bob.page.locator("#message-input").pressSequentially("and hello from B", { delay: 20 });
      await ada.page.locator("#typing", { hasText: `${bobName} is typing` }).waitFor();
      await bob.page.click("#message-send");
      await message(bob.page, "and hello from B", "acked").waitFor();
      await message(ada.page, "and hello from B", "received").waitFor();
      assert.equal(await message(ada.page, "hello from server A", "received").count(), 0,
        "ada does not get her own line back from Redis");
      assert.equal(await message(bob.page, "and hello from B", "received").count(), 0,
        "bob does not get his own line back from Redis");

      // bob leaves the room: ada's member list and count follow, from the other server.
      await bob.page.click("#room-leave");
      await waitForMembers(ada.page, [adaName]);
      await waitForCount(ada.page, room, 1);

      assert.deepEqual(ada.errors.map(String), []);
      assert.deepEqual(bob.errors.map(String), []);
    } finally {
      await ada.context.close();
      await bob.context.close();
      for (const child of servers.splice(0)) await stop(child);
    }
  });
}
