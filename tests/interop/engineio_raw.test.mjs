// Engine.IO v4 by hand against our contract server: the plain echo on /engine.io/ (polling
// and WebSocket, text and binary), and the error answers of the reference server
// (PROTOCOLS.md §1.9): status 400 (403 for Forbidden) with a JSON body {"code":N,"message":...}.
// node's fetch is the HTTP client; npm's ws the WebSocket one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request, openPollingSession, RawWebSocket } from "./lib/engineio_peers.mjs";

const kTestTimeoutMs = 15000;

function assertError(response, status, code, message) {
  assert.equal(response.status, status, `status for ${JSON.stringify(response.body)}`);
  assert.match(response.headers.get("content-type") || "", /^application\/json/);
  assert.deepEqual(JSON.parse(response.body), { code, message });
}

test("the handshake carries the contract's settings and only the five keys", { timeout: kTestTimeoutMs }, async () => {
  for (const path of ["/engine.io/", "/socket.io/"]) {
    const open = await openPollingSession(path);
    assert.deepEqual(Object.keys(open).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
    assert.deepEqual(open.upgrades, ["websocket"]);
    assert.equal(open.maxPayload, 1000000);
    assert.ok(Number.isInteger(open.pingInterval) && open.pingInterval > 0);
    assert.ok(Number.isInteger(open.pingTimeout) && open.pingTimeout > 0);
    assert.match(open.sid, /^[A-Za-z0-9_-]+$/, "a sid that needs no escaping in a URL");
  }
});

test("error 0: unknown or missing transport", { timeout: kTestTimeoutMs }, async () => {
  assertError(await request("/engine.io/?EIO=4&transport=carrier-pigeon"), 400, 0, "Transport unknown");
  assertError(await request("/engine.io/?EIO=4"), 400, 0, "Transport unknown");
});

test("error 1: unknown sid, for GET and POST", { timeout: kTestTimeoutMs }, async () => {
  assertError(await request("/engine.io/?EIO=4&transport=polling&sid=nobody"), 400, 1, "Session ID unknown");
  assertError(await request("/engine.io/?EIO=4&transport=polling&sid=nobody", { method: "POST", body: "4x" }),
    400, 1, "Session ID unknown");
});

test("error 2: a handshake that is not a GET", { timeout: kTestTimeoutMs }, async () => {
  assertError(await request("/engine.io/?EIO=4&transport=polling", { method: "POST", body: "4x" }),
    400, 2, "Bad handshake method");
  assertError(await request("/engine.io/?EIO=4&transport=polling", { method: "PUT", body: "4x" }),
    400, 2, "Bad handshake method");
});

test("error 3: transport=websocket on a plain HTTP request", { timeout: kTestTimeoutMs }, async () => {
  assertError(await request("/engine.io/?EIO=4&transport=websocket"), 400, 3, "Bad request");
});

test("error 5: a protocol version other than 4 (missing counts as 3)", { timeout: kTestTimeoutMs }, async () => {
  assertError(await request("/engine.io/?EIO=3&transport=polling"), 400, 5, "Unsupported protocol version");
  assertError(await request("/engine.io/?transport=polling"), 400, 5, "Unsupported protocol version");
});

test("polling echo: text and binary packets come back as sent; a POST is answered `ok`", { timeout: kTestTimeoutMs }, async () => {
  const { sid } = await openPollingSession();
  const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
  const posted = await request(url, { method: "POST", body: "4hello\x1ebAQIDBA==\x1e4é 👋" });
  assert.equal(posted.status, 200);
  assert.equal(posted.body, "ok");
  const polled = await request(url);
  assert.equal(polled.status, 200);
  assert.match(polled.headers.get("content-type") || "", /^text\/plain/);
  assert.equal(polled.body, "4hello\x1ebAQIDBA==\x1e4é 👋");
});

test("polling: a body above maxPayload is refused with 413 and the session ends", { timeout: kTestTimeoutMs }, async () => {
  const { sid, maxPayload } = await openPollingSession();
  const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
  let status;
  try {
    status = (await request(url, { method: "POST", body: `4${"x".repeat(maxPayload)}` })).status;
  } catch {
    status = "connection closed"; // a server may close instead of reading the whole body
  }
  assert.ok(status === 413 || status === "connection closed", `got ${status}`);
  assertError(await request(url), 400, 1, "Session ID unknown");
});

test("polling: a CORS request gets Access-Control-Allow-Origin, preflight included", { timeout: kTestTimeoutMs }, async () => {
  const origin = "http://example.test";
  const handshake = await request("/engine.io/?EIO=4&transport=polling", { headers: { Origin: origin } });
  assert.equal(handshake.status, 200);
  assert.ok(["*", origin].includes(handshake.headers.get("access-control-allow-origin")),
    `Access-Control-Allow-Origin: ${handshake.headers.get("access-control-allow-origin")}`);
  const preflight = await request("/engine.io/?EIO=4&transport=polling", {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
  });
  assert.ok(preflight.status === 200 || preflight.status === 204, `preflight status ${preflight.status}`);
  assert.ok(["*", origin].includes(preflight.headers.get("access-control-allow-origin")));
  assert.match(preflight.headers.get("access-control-allow-methods") || "", /POST/);
});

test("WebSocket echo: text and binary frames come back as sent", { timeout: kTestTimeoutMs }, async () => {
  const peer = await RawWebSocket.open("/engine.io/?EIO=4&transport=websocket");
  try {
    const open = JSON.parse((await peer.next()).slice(1));
    assert.deepEqual(open.upgrades, []);
    peer.send("4hello");
    assert.equal(await peer.nextMessage(), "4hello");
    peer.send(Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(await peer.nextMessage(), Buffer.from([1, 2, 3, 4]));
    peer.send("4");
    assert.equal(await peer.nextMessage(), "4", "an empty message is a message too");
  } finally {
    peer.terminate();
  }
});

test("WebSocket: an invalid packet closes the session; the others go on", { timeout: kTestTimeoutMs }, async () => {
  const bad = await RawWebSocket.open("/engine.io/?EIO=4&transport=websocket");
  const good = await RawWebSocket.open("/engine.io/?EIO=4&transport=websocket");
  try {
    await bad.next();
    await good.next();
    bad.send("x-not-a-packet");
    await bad.closed();
    good.send("4still here");
    assert.equal(await good.nextMessage(), "4still here");
  } finally {
    bad.terminate();
    good.terminate();
  }
});

test("error 3: a polling request for a session on another transport", { timeout: kTestTimeoutMs }, async () => {
  const peer = await RawWebSocket.open("/engine.io/?EIO=4&transport=websocket");
  try {
    const { sid } = JSON.parse((await peer.next()).slice(1));
    assertError(await request(`/engine.io/?EIO=4&transport=polling&sid=${sid}`), 400, 3, "Bad request");
  } finally {
    peer.terminate();
  }
});

test("polling: a second GET while one is pending gets 400 (or 500); the first gets close; the session ends",
  { timeout: kTestTimeoutMs }, async () => {
    const { sid } = await openPollingSession();
    const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const first = request(url);
    // The first GET is held (nothing to send yet); give it time to reach the server first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await request(`${url}&t=second`);
    assert.ok([400, 500].includes(second.status), `the second GET got ${second.status}`);
    const held = await first;
    assert.equal(held.status, 200);
    assert.equal(held.body, "1", "the pending GET is released with a close packet");
    assertError(await request(url), 400, 1, "Session ID unknown");
  });

test("polling: an invalid packet in a POST is refused with 400 and the session ends", { timeout: kTestTimeoutMs }, async () => {
  const { sid } = await openPollingSession();
  const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
  let status;
  try {
    status = (await request(url, { method: "POST", body: "abc" })).status;
  } catch {
    status = "connection closed";
  }
  // The suite accepts 400 or a closed connection; the reference server answers 200 "ok"
  // (it reads the body before it decodes it). What matters: the session is gone.
  assert.ok([200, 400, "connection closed"].includes(status), `got ${status}`);
  assertError(await request(url), 400, 1, "Session ID unknown");
});

test("polling: close (1) in a POST releases the pending GET with noop (6) and ends the session",
  { timeout: kTestTimeoutMs }, async () => {
    const { sid } = await openPollingSession();
    const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const [held, posted] = await Promise.all([
      request(url),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() => request(url, { method: "POST", body: "1" })),
    ]);
    assert.equal(posted.status, 200);
    assert.equal(held.status, 200);
    assert.equal(held.body, "6");
    assertError(await request(url), 400, 1, "Session ID unknown");
  });

test("polling heartbeat: the server pings, a pong keeps the session, silence ends it", { timeout: kTestTimeoutMs }, async () => {
  const { sid, pingInterval, pingTimeout } = await openPollingSession();
  const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
  for (let i = 0; i < 2; i += 1) {
    const polled = await request(url);
    assert.equal(polled.status, 200);
    assert.equal(polled.body, "2", "a ping after pingInterval");
    assert.equal((await request(url, { method: "POST", body: "3" })).status, 200);
  }
  // No GET, no pong: after the next ping goes unanswered the session must be gone.
  await new Promise((resolve) => setTimeout(resolve, pingInterval + pingTimeout + 300));
  assertError(await request(url), 400, 1, "Session ID unknown");
});

test("upgrade by hand: 2probe/3probe, the held GET gets noop, 5, then polling is refused and a second WebSocket closed",
  { timeout: kTestTimeoutMs }, async () => {
    const { sid } = await openPollingSession();
    const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    // A message queued while polling, before anyone reads: it must arrive exactly once.
    assert.equal((await request(url, { method: "POST", body: "4before" })).status, 200);
    const polled = await request(url);
    assert.equal(polled.body, "4before");
    const held = request(url);
    const ws = await RawWebSocket.open(`/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    const second = new RawWebSocket(`/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    try {
      ws.send("2probe");
      assert.equal(await ws.nextMessage(), "3probe");
      const released = await held;
      assert.equal(released.status, 200);
      assert.equal(released.body, "6", "the pending GET is released with noop");
      ws.send("5");
      ws.send("4after");
      assert.equal(await ws.nextMessage(), "4after");
      const refused = await request(url);
      assert.equal(refused.status, 400, "polling after the upgrade");
      assert.ok(await second.closed(), "a second WebSocket for the same session is closed");
      ws.send(Buffer.from([9, 8, 7]));
      assert.deepEqual(await ws.nextMessage(), Buffer.from([9, 8, 7]));
    } finally {
      ws.terminate();
      second.terminate();
    }
  });

test("WebSocket: a message above maxPayload closes the session", { timeout: kTestTimeoutMs }, async () => {
  const peer = await RawWebSocket.open("/engine.io/?EIO=4&transport=websocket");
  try {
    const { maxPayload } = JSON.parse((await peer.next()).slice(1));
    peer.send(`4${"x".repeat(maxPayload)}`);
    await peer.closed();
  } finally {
    peer.terminate();
  }
});

test("WebSocket: close (1) from the client ends the session", { timeout: kTestTimeoutMs }, async () => {
  const peer = await RawWebSocket.open("/engine.io/?EIO=4&transport=websocket");
  try {
    await peer.next();
    peer.send("1");
    await peer.closed();
  } finally {
    peer.terminate();
  }
});

test("WebSocket: a bad EIO or transport is refused or closed at once, with no session", { timeout: kTestTimeoutMs }, async () => {
  // The reference server refuses some before the upgrade (400) and closes others right after
  // it (the EIO check runs in its handshake); either way no open packet may arrive.
  for (const query of ["transport=websocket", "EIO=abc&transport=websocket", "EIO=3&transport=websocket", "EIO=4&transport=abc"]) {
    const peer = new RawWebSocket(`/engine.io/?${query}`);
    try {
      await peer.closed();
      assert.deepEqual(peer.frames.filter((f) => String(f).startsWith("0")), [], `?${query} opened a session`);
    } finally {
      peer.terminate();
    }
  }
});
