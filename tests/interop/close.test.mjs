// npm's ws client against our server: the closing handshake (RFC 6455 §5.5.1, §7).
// The client sends a close frame with a code and a reason; the server answers with a close
// frame (echoing the code is usual) and closes the TCP connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./lib/peers.mjs";
import { RawPeer, frame, closePayload, Opcode } from "./lib/raw.mjs";
import { serverPort } from "./lib/peers.mjs";

test("a client closing with 1000 and a reason gets 1000 back", async () => {
  const c = await Client.open("/echo");
  c.close(1000, "goodbye");
  const closed = await c.waitClosed();
  assert.equal(closed.code, 1000);
});

test("an application close code 4000 is echoed", async () => {
  const c = await Client.open("/echo");
  c.close(4000, "app says bye");
  const closed = await c.waitClosed();
  assert.equal(closed.code, 4000);
});

test("a registered code 1001 (going away) is echoed", async () => {
  const c = await Client.open("/echo");
  c.close(1001, "");
  const closed = await c.waitClosed();
  assert.equal(closed.code, 1001);
});

test("a close without a code gets a close back (code 1005 reported)", async () => {
  const c = await Client.open("/echo");
  c.close();
  const closed = await c.waitClosed();
  // An empty close payload means "no status code"; ws reports that as 1005. A server that
  // answers with 1000 instead is also correct.
  assert.ok([1000, 1005].includes(closed.code), `got ${closed.code}`);
});

// Raw peers, because ws refuses to send these codes.
async function closeWithRawPayload(payload) {
  const peer = await RawPeer.connect(serverPort());
  try {
    await peer.upgrade("/echo", serverPort());
    peer.send(frame({ opcode: Opcode.close, payload }));
    const closed = await peer.readClose();
    assert.equal(closed.masked, false, "server frames must not be masked");
    await peer.waitForEnd();
    return closed;
  } finally {
    peer.destroy();
  }
}

for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
  test(`a close frame with the invalid code ${code} is answered with 1002`, async () => {
    const closed = await closeWithRawPayload(closePayload(code, "bad"));
    assert.equal(closed.code, 1002, `got ${closed.code} "${closed.reason}"`);
  });
}

test("a close frame with a 1-byte payload is answered with 1002", async () => {
  const closed = await closeWithRawPayload(Buffer.from([0x03]));
  assert.equal(closed.code, 1002);
});

test("a close frame whose reason is not UTF-8 is answered with 1007", async () => {
  const closed = await closeWithRawPayload(Buffer.concat([closePayload(1000), Buffer.from([0xc3, 0x28])]));
  assert.equal(closed.code, 1007);
});

test("a close frame with code 3000 and a 123-byte reason is echoed with 3000", async () => {
  const closed = await closeWithRawPayload(closePayload(3000, "r".repeat(123)));
  assert.equal(closed.code, 3000);
});

test("after the close handshake the server closes the TCP connection", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    await peer.upgrade("/echo", serverPort());
    peer.send(frame({ opcode: Opcode.close, payload: closePayload(1000, "bye") }));
    const closed = await peer.readClose();
    assert.equal(closed.code, 1000);
    await peer.waitForEnd();
  } finally {
    peer.destroy();
  }
});
