// Protocol violations sent by a hand-made peer (lib/raw.mjs) after a real handshake.
// For each one, RFC 6455 says which close code the server must send (PROTOCOLS.md §9), and
// a well-behaved client connected at the same time (npm's ws) must not notice anything.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client, serverPort } from "./lib/peers.mjs";
import { RawPeer, frame, Opcode } from "./lib/raw.mjs";

let bystander;
before(async () => {
  bystander = await Client.open("/echo");
});
after(() => bystander && bystander.close(1000, "done"));

// Connects a raw peer to `path`, sends `bytes` (one buffer or several writes), and returns
// the close code the server sends. Also checks that the server then closes the TCP connection.
async function violate(bytes, path = "/echo") {
  const peer = await RawPeer.connect(serverPort());
  try {
    await peer.upgrade(path, serverPort());
    for (const chunk of [].concat(bytes)) peer.send(chunk);
    const closed = await peer.readClose();
    await peer.waitForEnd();
    return closed.code;
  } finally {
    peer.destroy();
  }
}

const text = (payload, more = {}) => frame({ opcode: Opcode.text, payload: Buffer.from(payload), ...more });

const kViolations = [
  ["an unmasked frame", text("hi", { mask: false }), 1002],
  ["the reserved data opcode 3", frame({ opcode: 3, payload: Buffer.from("x") }), 1002],
  ["the reserved control opcode 0xB", frame({ opcode: 0xb }), 1002],
  ["RSV1 set without an extension", text("hi", { rsv: 4 }), 1002],
  ["RSV3 set without an extension", text("hi", { rsv: 1 }), 1002],
  ["invalid UTF-8 in a text message", text(Buffer.from([0x48, 0xc3, 0x28])), 1007],
  ["an overlong UTF-8 encoding", text(Buffer.from([0xc0, 0xaf])), 1007],
  ["a UTF-16 surrogate encoded in UTF-8", text(Buffer.from([0xed, 0xa0, 0x80])), 1007],
  ["a code point above U+10FFFF", text(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 1007],
  ["a text message cut in the middle of a character",
    [text(Buffer.from([0x61, 0xe2, 0x82]), { fin: false }), frame({ opcode: Opcode.continuation, payload: Buffer.from("b") })], 1007],
  ["a fragmented ping (FIN=0 on a control frame)", frame({ opcode: Opcode.ping, fin: false }), 1002],
  ["a continuation frame with no message started", frame({ opcode: Opcode.continuation, payload: Buffer.from("x") }), 1002],
  ["a new text frame while a fragmented message is open",
    [text("first", { fin: false }), text("second")], 1002],
  ["a ping with a 126-byte payload", frame({ opcode: Opcode.ping, payload: Buffer.alloc(126) }), 1002],
  ["a declared length above the 1 MiB limit, payload never sent",
    frame({ opcode: Opcode.binary, length: 2 ** 32 }).subarray(0, 14), 1009],
];

for (const [what, bytes, code] of kViolations) {
  test(`${what} is closed with ${code}, and another client still gets echoes`, async () => {
    const got = await violate(bytes);
    assert.equal(got, code, `expected close code ${code}, got ${got}`);
    const echo = await bystander.echo(`still served after ${what}`);
    assert.equal(echo.data.toString(), `still served after ${what}`);
    assert.equal(bystander.closed, null);
  });
}

test("a violation on /chat closes only that client", async () => {
  const got = await violate(text("hi", { mask: false }), "/chat");
  assert.equal(got, 1002);
  assert.equal((await bystander.echo("ok")).data.toString(), "ok");
});

test("a frame split into 1-byte writes is still understood", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    await peer.upgrade("/echo", serverPort());
    const bytes = text("byte by byte");
    for (const b of bytes) {
      peer.send(Buffer.from([b]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const echoed = await peer.readFrame();
    assert.equal(echoed.opcode, Opcode.text);
    assert.equal(echoed.masked, false, "server frames must not be masked");
    assert.equal(echoed.payload.toString(), "byte by byte");
  } finally {
    peer.destroy();
  }
});

test("a 126-byte message sent with a 64-bit length field is accepted (any length form is)", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    await peer.upgrade("/echo", serverPort());
    const payload = Buffer.alloc(126, 0x61);
    const key = Buffer.from([1, 2, 3, 4]);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(126n);
    const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
    peer.send(Buffer.concat([Buffer.from([0x81, 0x80 | 127]), big, key, masked]));
    const echoed = await peer.readFrame();
    assert.equal(echoed.payload.toString(), payload.toString());
  } finally {
    peer.destroy();
  }
});

test("a 64-bit length with its most significant bit set is refused (1002, or 1009 for size)", async () => {
  const header = Buffer.from([0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4]);
  const got = await violate(header);
  assert.ok([1002, 1009].includes(got), `expected 1002 or 1009, got ${got}`);
  assert.equal((await bystander.echo("ok")).data.toString(), "ok");
});
