// The classroom chat (src/web/index.html + chat.js, served at "/") in a real browser:
// Debian's chromium driven by playwright-core, like page.test.mjs.
//
// The first tests use the server tests/browser/run started (LOOPLAB_PORT). The restart test
// needs a server it may stop and start again on the same port, which the runner's is not
// (the runner checks that its server stops cleanly at the end): it starts its own
// classroom server from LOOPLAB_BUILD (lib/processes.mjs). The page helpers are shared with
// cluster_chat.test.mjs (lib/chat_page.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launchChromium } from "./lib/chromium.mjs";
import { unique, openChat as openChatOn, enter, send, message, waitForMembers } from "./lib/chat_page.mjs";
import { startClassroomServer, stopProcess } from "./lib/processes.mjs";

const port = Number(process.env.LOOPLAB_PORT);
const kTestTimeoutMs = 90000;
// Under the build directory the runner uses (tests/browser/run exports LOOPLAB_BUILD), not a
// fixed /tmp path two checkouts would share.
const kScreenshot = path.join(process.env.LOOPLAB_BUILD || path.resolve("../../build/g++"), "browser", "chat-page.png");

let browser;
before(async () => {
  if (!port) throw new Error("LOOPLAB_PORT is not set: run the tests with tests/browser/run");
  browser = await launchChromium();
});
after(async () => {
  if (browser) await browser.close();
});

function openChat(serverPort, query) {
  return openChatOn(browser, serverPort, query);
}

// ---- the tests ---------------------------------------------------------------------------------

test("two pages join a room and chat: ticks, typing, presence, the wire panel", { timeout: kTestTimeoutMs }, async () => {
  const room = unique("class");
  const [adaName, bobName] = [unique("ada"), unique("bob")];
  const ada = await openChat(port);
  const bob = await openChat(port);
  try {
    assert.equal(await ada.page.title(), "looplab — classroom chat");
    await enter(ada.page, adaName, room);
    await enter(bob.page, bobName, room);
    await waitForMembers(ada.page, [adaName, bobName]);
    await waitForMembers(bob.page, [adaName, bobName]);
    assert.equal(await ada.page.locator("#me").textContent(), adaName);

    // ada writes: her line gets its ✓ (the server's ack), bob sees it.
    await send(ada.page, "hello <b>bob</b>");
    await message(ada.page, "hello <b>bob</b>", "acked").waitFor();
    assert.equal(await message(ada.page, "hello", "acked").locator(".tick").textContent(), "✓");
    await message(bob.page, "hello <b>bob</b>", "received").waitFor();
    assert.equal(await bob.page.locator("#messages b").count(), 0, "text, never HTML");

    // bob types: ada sees it; bob sends: the indicator goes, ada gets the line.
    await bob.page.locator("#message-input").pressSequentially("hi a", { delay: 20 });
    await ada.page.locator("#typing", { hasText: `${bobName} is typing` }).waitFor();
    await bob.page.click("#message-send");
    await message(bob.page, "hi a", "acked").waitFor();
    await message(ada.page, "hi a", "received").waitFor();
    await ada.page.waitForFunction(() => document.getElementById("typing").textContent === "");

    // The wire panel showed the packets with their meaning, both ways.
    const wire = ada.page.locator("#wire-log li");
    assert.ok(await ada.page.locator('#wire-log li[data-direction="received"]', { hasText: "open: Engine.IO session" }).count() >= 1);
    assert.ok(await ada.page.locator('#wire-log li[data-direction="sent"]', { hasText: '"message"' }).count() >= 1);
    assert.ok(await wire.count() >= 8);
    fs.mkdirSync(path.dirname(kScreenshot), { recursive: true });
    const taken = await ada.page.screenshot({ path: kScreenshot, fullPage: true });
    assert.ok(fs.readFileSync(kScreenshot).equals(taken), `${kScreenshot} is not the screenshot taken`);

    // bob renames himself: a taken name is refused with the server's reason, a free one
    // shows in ada's presence list.
    await bob.page.fill("#rename-input", adaName);
    await bob.page.click("#rename-submit");
    await bob.page.locator("#rename-error", { hasText: `the nickname '${adaName}' is taken` }).waitFor();
    const newName = unique("bo");
    await bob.page.fill("#rename-input", newName);
    await bob.page.click("#rename-submit");
    await bob.page.locator("#me", { hasText: newName }).waitFor();
    await waitForMembers(ada.page, [adaName, newName]);

    // bob leaves the room: ada's presence list shrinks.
    await bob.page.click("#room-leave");
    await waitForMembers(ada.page, [adaName]);

    // Nothing failed and nothing came from outside.
    for (const { record } of [ada, bob]) {
      assert.deepEqual(record.errors.map(String), []);
      const outside = record.requests.filter((url) => !url.startsWith(`http://localhost:${port}/`) && !url.startsWith(`ws://localhost:${port}/`));
      assert.deepEqual(outside, []);
    }
  } finally {
    await ada.context.close();
    await bob.context.close();
  }
});

test("a nickname the server refuses brings the prompt back with its reason; a good one gets in", { timeout: kTestTimeoutMs }, async () => {
  const { page, context, record } = await openChat(port);
  try {
    await page.fill("#nick-input", "x".repeat(40));
    await page.click("#nick-submit");
    await page.locator("#nick-error", { hasText: "a nickname is too long (40 bytes; at most 32)" }).waitFor();
    assert.equal(await page.locator("#chat").isHidden(), true);
    await enter(page, unique("ok"));
    assert.equal(await page.locator("#current-room").textContent(), "# lobby", "the lobby by default");
    assert.deepEqual(record.errors.map(String), []);
  } finally {
    await context.close();
  }
});

test("the chat page links to the inspector, and the seed snippet's echo still works there", { timeout: kTestTimeoutMs }, async () => {
  const { page, context } = await openChat(port);
  try {
    const echoed = await page.evaluate((serverPort) => new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://localhost:${serverPort}`);
      socket.onopen = () => socket.send("Hello!");
      socket.onmessage = (event) => { resolve(event.data); socket.close(); };
      socket.onerror = () => reject(new Error("no echo"));
    }), port);
    assert.equal(echoed, "Hello!");
    await page.click("#inspector-link");
    await page.waitForURL(`http://localhost:${port}/inspector.html`);
    assert.equal(await page.title(), "looplab — WebSocket classroom");
  } finally {
    await context.close();
  }
});

test("with ?polling the page starts on long-polling, upgrades to WebSocket, and the wire panel shows it", { timeout: kTestTimeoutMs }, async () => {
  const { page, context, record } = await openChat(port, "?polling");
  try {
    await enter(page, unique("pol"), unique("poll"));
    await page.locator('#wire-log li[data-direction="sent"]', { hasText: "ping probe" }).waitFor();
    await page.locator('#wire-log li[data-direction="sent"]', { hasText: "upgrade: from now on" }).waitFor();
    await send(page, "over the upgraded transport");
    await message(page, "over the upgraded transport", "acked").waitFor();
    assert.deepEqual(record.errors.map(String), []);
  } finally {
    await context.close();
  }
});

test("the server restarts: both pages show the banner, buffer, reconnect and go on", { timeout: kTestTimeoutMs }, async () => {
  let server = await startClassroomServer();
  const serverPort = server.port;
  const room = unique("restart");
  const [adaName, bobName] = [unique("ada"), unique("bob")];
  const ada = await openChat(serverPort);
  const bob = await openChat(serverPort);
  try {
    await enter(ada.page, adaName, room);
    await enter(bob.page, bobName, room);
    await waitForMembers(ada.page, [adaName, bobName]);
    await send(ada.page, "before the restart");
    await message(ada.page, "before the restart", "acked").waitFor();
    await message(bob.page, "before the restart").waitFor();

    // 1. The server stops: both pages go offline.
    assert.equal(await stopProcess(server.child), 0, "the server stops cleanly on SIGTERM");
    for (const { page } of [ada, bob]) await page.locator("#offline-banner:not([hidden])").waitFor();

    // 2. What ada writes now waits in the offline buffer: shown, without ✓.
    await send(ada.page, "written while offline");
    await message(ada.page, "written while offline", "pending").waitFor();
    await ada.page.locator("#offline-detail", { hasText: "1 message waiting to be sent" }).waitFor();

    // 3. The server comes back on the same port: both pages reconnect by themselves, are put
    // back in the room (auth {rooms}), and ada's buffered message leaves and gets its ✓.
    server = await startClassroomServer({ port: serverPort });
    for (const { page } of [ada, bob]) {
      await page.locator('#conn-state[data-state="connected"]').waitFor();
      await page.locator("#offline-banner").waitFor({ state: "hidden" });
    }
    await message(ada.page, "written while offline", "acked").waitFor();
    await message(bob.page, "written while offline", "received").waitFor();
    // Who reconnected first is up to the backoff's jitter: any order of the two names.
    for (const { page } of [ada, bob]) await waitForMembers(page, [adaName, bobName], { anyOrder: true });

    // 4. And the chat goes on, both ways.
    await send(bob.page, "after the restart");
    await message(bob.page, "after the restart", "acked").waitFor();
    await message(ada.page, "after the restart", "received").waitFor();
    for (const { record } of [ada, bob]) assert.deepEqual(record.errors.map(String), []);
  } finally {
    await ada.context.close();
    await bob.context.close();
    await stopProcess(server.child);
  }
});
