// npm's ws client against our server: every text and binary message comes back unchanged, at
// the sizes where the frame header changes form (RFC 6455 §5.2: a 7-bit length up to 125, a
// 16-bit length from 126 to 65535, a 64-bit length from 65536) and at the 1 MiB limit.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Client } from "./lib/peers.mjs";

const kMiB = 1024 * 1024;
const kSizes = [0, 125, 126, 65535, 65536, kMiB];

// Text of exactly `size` bytes, with a 2-byte UTF-8 character in it when there is room, so a
// server that counts characters instead of bytes gets it wrong.
function textOfSize(size) {
  if (size < 2) return "x".repeat(size);
  return "é" + "abcdefghijklmnopqrstuvwxyz0123456789".repeat(Math.ceil(size / 36)).slice(0, size - 2);
}

const shared = { client: null };
// One client for the whole file; a new one if a failed test left it closed.
async function client() {
  if (!shared.client || shared.client.closed) shared.client = await Client.open("/echo");
  return shared.client;
}
after(() => shared.client && shared.client.close(1000, "done"));

for (const size of kSizes) {
  test(`a ${size}-byte text message is echoed as the same text`, { timeout: 30000 }, async () => {
    const text = textOfSize(size);
    assert.equal(Buffer.byteLength(text), size, "test setup: wrong text size");
    const got = await (await client()).echo(text);
    assert.equal(got.isBinary, false, "the echo must be a text message");
    assert.equal(got.data.length, size);
    assert.ok(got.data.equals(Buffer.from(text)), "the echoed text differs");
  });

  test(`a ${size}-byte binary message is echoed as the same bytes`, { timeout: 30000 }, async () => {
    const bytes = crypto.randomBytes(size);
    const got = await (await client()).echo(bytes);
    assert.equal(got.isBinary, true, "the echo must be a binary message");
    assert.equal(got.data.length, size);
    assert.ok(got.data.equals(bytes), "the echoed bytes differ");
  });
}

test("the root path / echoes like /echo", async () => {
  const root = await Client.open("/");
  try {
    const got = await root.echo("via /");
    assert.equal(got.data.toString(), "via /");
  } finally {
    root.close(1000);
  }
});

test("a message of 1 MiB + 1 byte is refused with close code 1009", { timeout: 30000 }, async () => {
  const big = await Client.open("/echo");
  big.socket.send(crypto.randomBytes(kMiB + 1), { binary: true });
  const closed = await big.waitClosed();
  assert.equal(closed.code, 1009, `expected 1009 (message too big), got ${closed.code} "${closed.reason}"`);
});

test("the server still echoes after another client was refused for size", async () => {
  const got = await (await client()).echo("still here");
  assert.equal(got.data.toString(), "still here");
});
