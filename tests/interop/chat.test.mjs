// npm's ws clients against our server's /chat: every text message goes to every client on
// /chat, the sender included, unchanged, and all clients see the messages in the same order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client, serverPort } from "./lib/peers.mjs";
import { RawPeer, Opcode, frame, closePayload } from "./lib/raw.mjs";

test("three chat clients each receive every message, their own included", async () => {
  const clients = [await Client.open("/chat"), await Client.open("/chat"), await Client.open("/chat")];
  try {
    const lines = ["alice: hi", "bob: hello", "carol: héllo 👋"];
    clients.forEach((c, i) => c.socket.send(lines[i]));
    const seen = [];
    for (const c of clients) {
      const got = [];
      for (let i = 0; i < lines.length; i += 1) {
        const message = await c.nextMessage();
        assert.equal(message.isBinary, false, "chat messages are text");
        got.push(message.data.toString());
      }
      assert.deepEqual([...got].sort(), [...lines].sort(), "every client gets every line once");
      seen.push(got);
    }
    assert.deepEqual(seen[1], seen[0], "all clients see the same order");
    assert.deepEqual(seen[2], seen[0], "all clients see the same order");
  } finally {
    clients.forEach((c) => c.close(1000));
  }
});

// The leaver is a hand-made peer (lib/raw.mjs) so that it stays able to read after it left:
// it sends its close frame but never closes its side of the TCP connection, and everything
// the server writes to it afterwards lands in its buffer. (A ws client that has closed drops
// whatever arrives, so checking one would prove nothing.)
test("a chat client that left no longer receives, and the others still do", async () => {
  const [a, b] = [await Client.open("/chat"), await Client.open("/chat")];
  const leaver = await RawPeer.connect(serverPort());
  try {
    await leaver.upgrade("/chat", serverPort());
    // It is a member that reads: a line sent now reaches it.
    a.socket.send("before the leave");
    const before = await leaver.readFrame();
    assert.deepEqual([before.opcode, before.payload.toString()], [Opcode.text, "before the leave"]);
    assert.equal((await a.nextMessage()).data.toString(), "before the leave");
    assert.equal((await b.nextMessage()).data.toString(), "before the leave");

    // It leaves: its close frame, and the server's answer (nothing else came in between).
    leaver.send(frame({ opcode: Opcode.close, payload: closePayload(1000, "bye") }));
    const answer = await leaver.readFrame();
    assert.equal(answer.opcode, Opcode.close, `expected the server's close, got opcode ${answer.opcode}`);

    a.socket.send("after the leave");
    assert.equal((await a.nextMessage()).data.toString(), "after the leave");
    assert.equal((await b.nextMessage()).data.toString(), "after the leave");
    // The server ends the TCP connection after the closing handshake (RFC 6455 §7.1.1); TCP
    // delivers everything it wrote before that end, so once the end is here, the buffer holds
    // all the leaver was sent. A chat line after the close would break RFC 6455 §5.5.1.
    await leaver.waitForEnd();
    assert.equal(leaver.received.length, 0, `the leaver still received ${leaver.received.length} bytes after its close`);
  } finally {
    a.close(1000);
    b.close(1000);
    leaver.destroy();
  }
});

test("an /echo client does not receive chat messages", async () => {
  const chatter = await Client.open("/chat");
  const echoer = await Client.open("/echo");
  try {
    chatter.socket.send("only for the chat");
    assert.equal((await chatter.nextMessage()).data.toString(), "only for the chat");
    // The echo client's next message must be its own echo, not the chat line.
    assert.equal((await echoer.echo("mine")).data.toString(), "mine");
    assert.equal(echoer.messages.length, 1);
  } finally {
    chatter.close(1000);
    echoer.close(1000);
  }
});
