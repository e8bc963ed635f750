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
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchChromium } from "./lib/chromium.mjs";
import { kWaitMs, unique, openChat, enter, send, message, waitForMembers } from "./lib/chat_page.mjs";
import { startUntil, startClassroomServer as startServer, stopProcess } from "./lib/processes.mjs";

const kTestTimeoutMs = 90000;

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

// One classroom server on Redis: resolves with its port once it listens AND its Redis
// connections are ready (a subscriber's "ready" comes after its subscriptions).
const kReady = {
  "redis": [/redis publisher [^\n]*: ready/, /redis subscriber [^\n]*: ready/],
  "redis-sharded": [/redis cluster: [^\n]* commands ready/, /redis cluster: [^\n]* subscriber ready/],
};
async function startClassroomServer(adapter, redisAddress) {
  const { child, port } = await startServer({
    args: ["--adapter", adapter, "--redis", redisAddress],
    ready: (text) => kReady[adapter].every((line) => line.test(text)),
    what: `a classroom server with --adapter ${adapter}`,
  });
  servers.push(child);
  return port;
}

let redisAddress;

before(async () => {
  browser = await launchChromium();
  folder = mkdtempSync(path.join(tmpdir(), "looplab-cluster-chat-"));
  const redisPort = await freePort();
  ({ child: redis } = await startUntil("redis-server",
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
    (text) => /Ready to accept connections/.test(text), "redis-server", "install redis-server: `make test-tools`"));
  redisAddress = `127.0.0.1:${redisPort}`;
});

after(async () => {
  if (browser) await browser.close();
  for (const child of servers) await stopProcess(child);
  await stopProcess(redis);
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// ---- the page (lib/chat_page.mjs, as in chat.test.mjs) -----------------------------------------

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
    const ada = await openChat(browser, portA);
    const bob = await openChat(browser, portB);
    try {
      await enter(ada.page, adaName, room);
      await enter(bob.page, bobName, room);

      // Each page sees both members and the room's count of 2, though each server holds one.
      await waitForMembers(ada.page, [adaName, bobName], { anyOrder: true });
      await waitForMembers(bob.page, [adaName, bobName], { anyOrder: true });
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

      assert.deepEqual(ada.record.errors.map(String), []);
      assert.deepEqual(bob.record.errors.map(String), []);
    } finally {
      await ada.context.close();
      await bob.context.close();
      for (const child of servers.splice(0)) await stopProcess(child);
    }
  });
}
