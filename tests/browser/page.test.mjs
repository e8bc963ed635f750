// The classroom page in a real browser: Debian's chromium, driven by npm's playwright-core
// (which cannot download browsers here, so it launches /usr/bin/chromium).
//
// tests/browser/run starts the classroom server on a free port and passes it as LOOPLAB_PORT.
// Each test opens its own browser context (its own cookies, storage and sockets).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launchChromium } from "./lib/chromium.mjs";

const port = Number(process.env.LOOPLAB_PORT);
// Lesson 17's page moved to /inspector.html when the classroom chat (chat.test.mjs) took "/".
const pageUrl = `http://localhost:${port}/inspector.html`;
// Under the build directory the runner uses (tests/browser/run exports LOOPLAB_BUILD), where
// `make clean` removes it and two checkouts never overwrite each other's.
const kScreenshot = path.join(process.env.LOOPLAB_BUILD || path.resolve("../../build/g++"), "browser", "inspector-page.png");
const kWaitMs = 20000; // generous: chromium on a busy 2-core machine is slow

// The seed snippet from the class notes, verbatim except for the port.
const kSeedSnippet = `const socket = new WebSocket("ws://localhost:3000");
socket.onopen = () => { socket.send("Hello!"); };
socket.onmessage = (data) => { console.log(data); };`.replace("localhost:3000", `localhost:${port}`);

let browser;
before(async () => {
  if (!port) throw new Error("LOOPLAB_PORT is not set: run the tests with tests/browser/run");
  browser = await launchChromium();
});
after(async () => {
  if (browser) await browser.close();
});

// A fresh page on the classroom page, with its console and errors recorded. Waits until all
// three sockets are open so that a test never types into a page that is still connecting.
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(kWaitMs);
  const page = await context.newPage();
  const record = { console: [], errors: [], requests: [], sockets: [] };
  page.on("console", (message) => record.console.push(message));
  page.on("pageerror", (error) => record.errors.push(error));
  page.on("request", (request) => record.requests.push(request.url()));
  page.on("websocket", (socket) => {
    record.requests.push(socket.url());
    // Each WebSocket the page opens, with the text frames it sent and whether it closed.
    const seen = { url: socket.url(), sent: [], closed: false };
    socket.on("framesent", (frame) => seen.sent.push(String(frame.payload)));
    socket.on("close", () => { seen.closed = true; });
    record.sockets.push(seen);
  });
  await page.goto(pageUrl);
  for (const panel of ["echo", "chat", "inspector"]) {
    await page.locator(`#${panel}-state[data-state="open"]`).waitFor();
  }
  return { page, context, record };
}

test("the page loads from the server with no errors and nothing from outside", async () => {
  const { page, context, record } = await openPage();
  try {
    assert.equal(await page.title(), "looplab — WebSocket classroom");
    for (const id of ["echo-input", "echo-send", "echo-log", "chat-name", "chat-input", "chat-send", "chat-log", "inspector-log"]) {
      assert.equal(await page.locator(`#${id}`).count(), 1, `#${id} is missing`);
    }
    assert.deepEqual(record.errors.map(String), []);
    const consoleErrors = record.console.filter((m) => m.type() === "error").map((m) => m.text());
    assert.deepEqual(consoleErrors, []);
    const outside = record.requests.filter((url) => !url.startsWith(`http://localhost:${port}/`) && !url.startsWith(`ws://localhost:${port}/`));
    assert.deepEqual(outside, [], "the page must load nothing from another origin");
  } finally {
    await context.close();
  }
});

test("the seed snippet, pasted verbatim, logs a MessageEvent whose data is Hello!", async () => {
  const { page, context, record } = await openPage();
  try {
    // 1. As a student would: the snippet runs as a script of the page, and its console.log
    // shows up in the console.
    const logged = page.waitForEvent("console", { predicate: (m) => m.type() === "log", timeout: kWaitMs });
    await page.addScriptTag({ content: kSeedSnippet });
    const message = await logged;
    const [argument] = message.args();
    const seen = await argument.evaluate((event) => ({ kind: event.constructor.name, data: event.data }));
    assert.deepEqual(seen, { kind: "MessageEvent", data: "Hello!" });
    assert.ok(record.console.includes(message));

    // 2. The same snippet again, with console.log caught in a promise (a local `console`
    // shadows the real one inside eval, so the snippet's text is untouched).
    const data = await page.evaluate((snippet) => new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error("no message within 5 s")), 5000);
      // eslint-disable-next-line no-unused-vars
      const console = { log: (event) => resolve(event instanceof MessageEvent ? event.data : `not a MessageEvent: ${event}`) };
      eval(snippet);
    }), kSeedSnippet);
    assert.equal(data, "Hello!");
  } finally {
    await context.close();
  }
});

test("the echo box sends what is typed and shows the echo", async () => {
  const { page, context } = await openPage();
  try {
    await page.fill("#echo-input", "hi from the echo box");
    await page.click("#echo-send");
    await page.locator("#echo-log li.sent", { hasText: "sent text: hi from the echo box" }).waitFor();
    await page.locator("#echo-log li.received", { hasText: "received text: hi from the echo box" }).waitFor();
  } finally {
    await context.close();
  }
});

test("the echo box can send binary, and the echo comes back as the same bytes", async () => {
  const { page, context } = await openPage();
  try {
    await page.fill("#echo-input", "AB");
    await page.check("#echo-binary");
    await page.click("#echo-send");
    await page.locator("#echo-log li.received", { hasText: "received binary (2 bytes): 41 42" }).waitFor();
  } finally {
    await context.close();
  }
});

test("two pages chat with each other through the server", async () => {
  const alice = await openPage();
  const bob = await openPage();
  try {
    await alice.page.fill("#chat-name", "alice");
    await bob.page.fill("#chat-name", "bob");

    await alice.page.fill("#chat-input", "hello bob");
    await alice.page.click("#chat-send");
    await alice.page.locator("#chat-log li.own", { hasText: "alice: hello bob" }).waitFor();
    await bob.page.locator("#chat-log li.other", { hasText: "alice: hello bob" }).waitFor();

    await bob.page.fill("#chat-input", "hi alice");
    await bob.page.press("#chat-input", "Enter"); // Enter submits the form too
    await bob.page.locator("#chat-log li.own", { hasText: "bob: hi alice" }).waitFor();
    await alice.page.locator("#chat-log li.other", { hasText: "bob: hi alice" }).waitFor();
    assert.equal(await alice.page.inputValue("#chat-input"), "", "the input is cleared after sending");
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test("a chat message with HTML in it is shown as text, not run", async () => {
  const { page, context } = await openPage();
  try {
    const evil = `<img src=x onerror="window.pwned=1">`;
    await page.fill("#chat-input", evil);
    await page.click("#chat-send");
    await page.locator("#chat-log li", { hasText: evil }).waitFor();
    assert.equal(await page.locator("#chat-log img").count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  } finally {
    await context.close();
  }
});

test("the frame inspector shows the frame of a message sent: text, masked, the payload", async () => {
  const { page, context } = await openPage();
  try {
    await page.fill("#echo-input", "inspect me");
    await page.click("#echo-send");
    const frame = page.locator('#inspector-log li.frame[data-endpoint="/echo"][data-opcode="1"]', { hasText: "inspect me" }).first();
    await frame.waitFor();
    assert.equal(await frame.getAttribute("data-masked"), "true");
    const text = await frame.innerText();
    assert.match(text, /text/i);
    assert.match(text, /masked/);
    assert.match(text, /10 bytes/);
    // Header bytes: 0x81 (FIN + opcode 1), 0x8a (MASK + length 10), then the 4-byte key.
    const cells = await frame.locator(".header-bytes .byte .hex").allInnerTexts();
    assert.deepEqual(cells.slice(0, 2), ["81", "8a"]);
    assert.equal(cells.length, 6, "2 header bytes + 4 masking key bytes");
    // The unmasked payload is "inspect me" in hex.
    assert.match(text, new RegExp(`payload \\(unmasked\\): ${Buffer.from("inspect me").toString("hex").match(/../g).join(" ")}`));
    assert.match(text, /as text: inspect me/);
  } finally {
    await context.close();
  }
});

test("the Reconnect button opens a new connection that works", async () => {
  const { page, context, record } = await openPage();
  try {
    const echoSockets = () => record.sockets.filter((socket) => new URL(socket.url).pathname === "/echo");
    assert.equal(echoSockets().length, 1, "the page opens one /echo connection at first");
    const [first] = echoSockets();
    // A second /echo WebSocket, really opened by the browser (playwright sees every one; a
    // button that does nothing makes this wait fail).
    const opened = page.waitForEvent("websocket", { predicate: (socket) => new URL(socket.url()).pathname === "/echo" });
    await page.click("#echo-reconnect");
    await opened;
    assert.equal(echoSockets().length, 2, "the Reconnect button did not open a new /echo connection");
    const second = echoSockets()[1];
    await page.locator('#echo-state[data-state="open"]').waitFor();
    await page.fill("#echo-input", "after reconnect");
    await page.click("#echo-send");
    await page.locator("#echo-log li.received", { hasText: "received text: after reconnect" }).waitFor();
    // The message went over the new connection; the old one was closed, and carried it not.
    assert.ok(second.sent.includes("after reconnect"), `the new connection sent ${JSON.stringify(second.sent)}`);
    assert.equal(first.closed, true, "the old /echo connection is still open");
    assert.ok(!first.sent.includes("after reconnect"), "the message went over the old connection");
  } finally {
    await context.close();
  }
});

// A PNG's width and height, from its IHDR chunk (bytes 16-23, after the 8-byte signature
// and the chunk's length and type).
function pngSize(bytes) {
  assert.ok(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "not a PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test("a screenshot of the page in use shows the echo, the chat and the inspector, and is saved for a human", async () => {
  const { page, context } = await openPage();
  try {
    await page.fill("#chat-name", "ada");
    await page.fill("#echo-input", "Hello!");
    await page.click("#echo-send");
    await page.locator("#echo-log li.received", { hasText: "received text: Hello!" }).waitFor();
    await page.fill("#chat-input", "hello, class");
    await page.click("#chat-send");
    await page.locator("#chat-log li.own", { hasText: "ada: hello, class" }).waitFor();
    await page.locator('#inspector-log li.frame[data-endpoint="/echo"]', { hasText: "Hello!" }).first().waitFor();
    await page.locator('#inspector-log li.frame[data-endpoint="/chat"]', { hasText: "hello, class" }).first().waitFor();
    // What the human will look at is on screen: the three panels, each showing its line.
    for (const selector of ["#echo-log li.received", "#chat-log li.own", "#inspector-log li.frame"]) {
      assert.equal(await page.locator(selector).first().isVisible(), true, `${selector} is not visible`);
    }
    fs.rmSync(kScreenshot, { force: true });
    fs.mkdirSync(path.dirname(kScreenshot), { recursive: true });
    const taken = await page.screenshot({ path: kScreenshot, fullPage: true });
    const saved = fs.readFileSync(kScreenshot);
    assert.ok(saved.equals(taken), `${kScreenshot} is not the screenshot taken`);
    // The whole page: the viewport's width, and at least its height.
    const { width, height } = pngSize(saved);
    const scrollHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.equal(width, 1280);
    assert.ok(height >= 900 && height >= scrollHeight - 1, `a ${width}x${height} screenshot of a page ${scrollHeight} px high`);
  } finally {
    await context.close();
  }
});
