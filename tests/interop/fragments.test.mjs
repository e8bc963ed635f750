// npm's ws client against our server: fragmented messages (RFC 6455 §5.4) with control frames
// between the fragments, and ping/pong (§5.5.2-3).
//
// ws sends a fragment with socket.send(part, { fin: false }); the next send is a continuation
// frame, and the send with { fin: true } ends the message. The server must answer each ping at
// once, even in the middle of a message, with a pong carrying the same payload, and echo the
// reassembled message as ONE message.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Client } from "./lib/peers.mjs";

const shared = { client: null };
// One client for the whole file; a new one if a failed test left it closed.
async function client() {
  if (!shared.client || shared.client.closed) shared.client = await Client.open("/echo");
  return shared.client;
}
after(() => shared.client && shared.client.close(1000, "done"));

// Sends `parts` as one fragmented message, with a ping carrying `ping-<i>` after fragment i
// (every `pingEvery` fragments, never after the last); returns the echoed message and the
// pong payloads it caused.
async function sendFragmented(parts, { binary, pingEvery = 1 }) {
  const c = await client();
  const pongsBefore = c.pongs.length;
  let pings = 0;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    c.socket.send(part, { binary, fin: last });
    if (!last && i % pingEvery === 0) {
      c.socket.ping(`ping-${i}`);
      pings += 1;
    }
  });
  const message = await c.nextMessage();
  await c.until(() => c.pongs.length - pongsBefore >= pings, "the pongs");
  return { message, pongs: c.pongs.slice(pongsBefore).map(String) };
}

test("a text message in 3 fragments with pings between them comes back whole", async () => {
  const { message, pongs } = await sendFragmented(["Hel", "lo, fra", "gments!"], { binary: false });
  assert.equal(message.isBinary, false);
  assert.equal(message.data.toString(), "Hello, fragments!");
  assert.deepEqual(pongs, ["ping-0", "ping-1"], "each ping gets a pong with the same payload");
});

test("a binary message in 3 fragments with pings between them comes back whole", async () => {
  const parts = [crypto.randomBytes(1000), crypto.randomBytes(70000), crypto.randomBytes(7)];
  const { message, pongs } = await sendFragmented(parts, { binary: true });
  assert.equal(message.isBinary, true);
  assert.ok(message.data.equals(Buffer.concat(parts)), "the reassembled bytes differ");
  assert.deepEqual(pongs, ["ping-0", "ping-1"]);
});

test("a UTF-8 character split across two fragments is accepted and echoed", async () => {
  const whole = Buffer.from("ab😀cd€"); // 😀 is 4 bytes, € is 3 bytes
  const parts = [whole.subarray(0, 4), whole.subarray(4, 9), whole.subarray(9)];
  const { message } = await sendFragmented(parts, { binary: false });
  assert.equal(message.isBinary, false);
  assert.equal(message.data.toString(), "ab😀cd€");
});

test("empty first and last fragments are allowed", async () => {
  const { message } = await sendFragmented(["", "middle", ""], { binary: false });
  assert.equal(message.data.toString(), "middle");
});

// A ping every 10 fragments: ws itself drops a peer that leaves more than 100 of its pings
// unanswered, so 199 pings in one burst would test ws's limit, not our server.
test("a message in 200 fragments comes back as one message", async () => {
  const parts = Array.from({ length: 200 }, (_, i) => `${i},`);
  const { message, pongs } = await sendFragmented(parts, { binary: false, pingEvery: 10 });
  assert.equal(message.data.toString(), parts.join(""));
  assert.equal(pongs.length, 20);
  assert.deepEqual(pongs.slice(0, 2), ["ping-0", "ping-10"]);
});

test("a ping with a 125-byte payload gets a pong with the same payload", async () => {
  const c = await client();
  const payload = crypto.randomBytes(125);
  const before = c.pongs.length;
  c.socket.ping(payload);
  await c.until(() => c.pongs.length > before, "the pong");
  assert.ok(c.pongs[before].equals(payload));
});

test("an empty ping gets an empty pong", async () => {
  const c = await client();
  const before = c.pongs.length;
  c.socket.ping();
  await c.until(() => c.pongs.length > before, "the pong");
  assert.equal(c.pongs[before].length, 0);
});

test("an unsolicited pong is ignored and the connection keeps working", async () => {
  const c = await client();
  c.socket.pong("nobody asked");
  const got = await c.echo("after the pong");
  assert.equal(got.data.toString(), "after the pong");
  assert.equal(c.closed, null);
});
