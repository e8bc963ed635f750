// tests/browser/lib/chat_page.mjs — how the browser tests use the classroom chat page
// (src/web/index.html + chat.js) like a student: open it, enter a nickname, join a room,
// write, and wait for what the page shows. Shared by chat.test.mjs (one server) and
// cluster_chat.test.mjs (two servers on Redis). Not a test itself: tests/browser/run runs
// ./*.test.mjs only.
export const kWaitMs = 20000; // generous: chromium on a busy 2-core machine is slow

// A name no earlier run has used ("ada" -> "adak3x9q").
export function unique(prefix) {
  return `${prefix}${Math.random().toString(36).slice(2, 7)}`;
}

// A fresh context of `browser` on the chat page of `serverPort` (`query`: "?polling"...),
// with what happened recorded: page errors, console messages, and every URL it asked for.
export async function openChat(browser, serverPort, query = "") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  context.setDefaultTimeout(kWaitMs);
  const page = await context.newPage();
  const record = { errors: [], console: [], requests: [] };
  page.on("pageerror", (error) => record.errors.push(error));
  page.on("console", (message) => record.console.push(message));
  page.on("request", (request) => record.requests.push(request.url()));
  page.on("websocket", (socket) => record.requests.push(socket.url()));
  await page.goto(`http://localhost:${serverPort}/${query}`);
  return { page, context, record };
}

// Enters the nickname, waits for the welcome, then joins `room` (if given) and shows it.
export async function enter(page, nickname, room) {
  await page.fill("#nick-input", nickname);
  await page.click("#nick-submit");
  await page.locator('#conn-state[data-state="connected"]').waitFor();
  await page.locator("#chat:not([hidden])").waitFor();
  if (room) {
    await page.fill("#room-input", room);
    await page.click("#room-join");
    await page.locator("#current-room", { hasText: `# ${room}` }).waitFor();
  }
}

export async function send(page, text) {
  await page.fill("#message-input", text);
  await page.click("#message-send");
}

// The message line with `text` (and `status`: "acked", "received", "pending", if given).
export function message(page, text, status) {
  const selector = status ? `#messages li.message[data-status="${status}"]` : "#messages li.message";
  return page.locator(selector, { hasText: text });
}

// The member list shows exactly `names`: in that order, or in any order with `anyOrder`
// (a server lists its own members first; the order of reconnections is up to chance).
export async function waitForMembers(page, names, { anyOrder = false } = {}) {
  const expected = anyOrder ? [...names].sort() : names;
  await page.waitForFunction(([want, sorted]) => {
    const shown = [...document.querySelectorAll("#presence li")].map((li) => li.textContent);
    if (sorted) shown.sort();
    return JSON.stringify(shown) === JSON.stringify(want);
  }, [expected, anyOrder], { timeout: kWaitMs });
}
