// npm's ws clients against our server's /chat: every text message goes to every client on
// /chat, the sender included, unchanged, and all clients see the messages in the same order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./lib/peers.mjs";

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

test("a chat client that left no longer receives, and the others still do", async () => {
  const [a, b] = [await Client.open("/chat"), await Client.open("/chat")];
  const leaver = await Client.open("/chat");
  try {
    leaver.close(1000, "bye");
    await leaver.waitClosed();
    a.socket.send("after the leave");
    assert.equal((await a.nextMessage()).data.toString(), "after the leave");
    assert.equal((await b.nextMessage()).data.toString(), "after the leave");
    assert.equal(leaver.messages.length, 0);
  } finally {
    a.close(1000);
    b.close(1000);
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
