// The official socket.io-client 4.8 against our contract server: many sessions at once, and
// connection state recovery after a dropped transport (the client sends its pid and last
// offset on reconnect; the server gives back the same id, the rooms, and what was missed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, openAll, closeAll, uniqueName } from "./lib/socketio_peers.mjs";

const kTestTimeoutMs = 30000;
const kClients = 25;

test(`${kClients} clients at once, half on WebSocket and half on polling, all served together`,
  { timeout: kTestTimeoutMs }, async () => {
    const room = uniqueName("crowd");
    const peers = [
      ...(await openAll(Math.ceil(kClients / 2), "/", { transports: ["websocket"] })),
      ...(await openAll(Math.floor(kClients / 2), "/", { transports: ["polling"] })),
    ];
    try {
      assert.equal(new Set(peers.map((peer) => peer.id)).size, kClients, "every socket has its own id");
      // All join at once: the counts the acks carry are exactly 1..25, so all 25 were
      // members (connected) at the same time.
      const counts = await Promise.all(peers.map((peer) => peer.ack("join", room)));
      assert.deepEqual(counts.map(([n]) => n).sort((a, b) => a - b), Array.from({ length: kClients }, (_, i) => i + 1));
      // Every client talks at once, and each gets its own answers only.
      const replies = await Promise.all(peers.map((peer, i) => peer.ack("echo-ack", i, peer.id)));
      replies.forEach((reply, i) => assert.deepEqual(reply, [i, peers[i].id]));
      // One say reaches the 24 others.
      assert.deepEqual(await peers[0].ack("say", room, "to the crowd"), [kClients - 1]);
      await Promise.all(peers.slice(1).map((peer) => peer.event("room-message", ([m]) => m.msg === "to the crowd")));
    } finally {
      closeAll(peers);
    }
  });

test("connection state recovery: after a dropped transport the same socket comes back with what it missed",
  { timeout: kTestTimeoutMs }, async () => {
    const room = uniqueName("recover");
    const [dropper, speaker] = await openAll(2, "/", { transports: ["websocket"] });
    try {
      assert.equal(dropper.socket.recovered, false, "a first connection is never 'recovered'");
      await dropper.ack("join", room);
      await speaker.ack("join", room);
      const idBefore = dropper.id;
      // A message before the drop, so the client has an offset to give back.
      speaker.socket.emit("say", room, "before the drop");
      await dropper.event("room-message", ([m]) => m.msg === "before the drop");

      dropper.engine.transport.ws.terminate(); // the TCP connection just ends
      assert.equal(await dropper.disconnected(), "transport close");
      // The server noticed (it told the room) before the speaker says what the dropper misses.
      await speaker.event("peer-left", ([m]) => m.id === idBefore);
      assert.deepEqual(await speaker.ack("say", room, "while you were away"), [0], "nobody is there to hear it now");

      dropper.socket.connect(); // the client sends CONNECT with its pid and last offset
      await dropper.connected(2);
      assert.equal(dropper.socket.recovered, true, "the server recovered the session");
      assert.equal(dropper.id, idBefore, "a recovered socket keeps its id");
      assert.deepEqual(await dropper.event("room-message", ([m]) => m.msg === "while you were away"),
        [{ room, msg: "while you were away", from: speaker.id }]);
      assert.equal(dropper.all("room-message", ([m]) => m.msg === "before the drop").length, 1,
        "what the client had already seen is not sent again");
      // And the rooms came back with it.
      assert.deepEqual(await speaker.ack("say", room, "welcome back"), [1]);
      await dropper.event("room-message", ([m]) => m.msg === "welcome back");
    } finally {
      closeAll([dropper, speaker]);
    }
  });

test("no recovery after a clean disconnect: a new socket, a new id", { timeout: kTestTimeoutMs }, async () => {
  const peer = await Peer.open("/", { transports: ["websocket"] });
  try {
    const idBefore = peer.id;
    peer.socket.disconnect();
    peer.socket.connect();
    await peer.connected(2);
    assert.equal(peer.socket.recovered, false);
    assert.notEqual(peer.id, idBefore);
  } finally {
    peer.close();
  }
});
