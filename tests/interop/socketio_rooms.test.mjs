// The official socket.io-client 4.8 against our contract server: rooms and broadcasts.
// join/leave ack the room's member count; `say` reaches the room's other members (ack: how
// many); `shout` reaches everyone on "/" but the sender; `peer-left` tells a room's members
// that one of them left, however it left: DISCONNECT, `bye`, a dropped connection, or a
// client that stopped answering pings.
import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { Peer, openAll, closeAll, contractPort, uniqueName, kWaitMs } from "./lib/socketio_peers.mjs";

const kTestTimeoutMs = 20000;

// `peer` has received nothing matching since it was created: checked after a round trip, so
// anything the server sent it before answering would already be here (one ordered stream).
// `ns` is the round trip every namespace of the contract answers.
async function assertNothing(peer, name, match, why) {
  assert.equal((await peer.ack("ns")).length, 1);
  assert.deepEqual(peer.all(name, match), [], why);
}

test("join and leave ack the room's member count after the change", { timeout: kTestTimeoutMs }, async () => {
  const room = uniqueName("count");
  const peers = await openAll(3, "/", { transports: ["websocket"] });
  try {
    assert.deepEqual(await peers[0].ack("join", room), [1]);
    assert.deepEqual(await peers[1].ack("join", room), [2]);
    assert.deepEqual(await peers[2].ack("join", room), [3]);
    assert.deepEqual(await peers[2].ack("join", room), [3], "joining twice counts once");
    assert.deepEqual(await peers[1].ack("leave", room), [2]);
    assert.deepEqual(await peers[1].ack("leave", room), [2], "leaving a room one is not in changes nothing");
    assert.deepEqual(await peers[0].ack("leave", room), [1]);
    assert.deepEqual(await peers[2].ack("leave", room), [0]);
  } finally {
    closeAll(peers);
  }
});

test("say reaches the room's members except the sender, with who sent it", { timeout: kTestTimeoutMs }, async () => {
  const room = uniqueName("say");
  const [alice, bob, carol] = await openAll(3, "/", { transports: ["websocket"] });
  // One member on polling: rooms do not care about transports.
  const dave = await Peer.open("/", { transports: ["polling"] });
  const outsider = await Peer.open("/", { transports: ["websocket"] });
  const peers = [alice, bob, carol, dave, outsider];
  try {
    for (const peer of [alice, bob, carol, dave]) await peer.ack("join", room);
    assert.deepEqual(await alice.ack("say", room, "hello room"), [3], "three recipients");
    const expected = { room, msg: "hello room", from: alice.id };
    for (const peer of [bob, carol, dave]) assert.deepEqual(await peer.event("room-message"), [expected]);
    await assertNothing(alice, "room-message", () => true, "the sender does not get its own say");
    await assertNothing(outsider, "room-message", () => true, "a socket outside the room gets nothing");

    assert.deepEqual(await carol.ack("leave", room), [3]);
    assert.deepEqual(await bob.ack("say", room, "carol left"), [2]);
    assert.deepEqual(await alice.event("room-message", ([m]) => m.msg === "carol left"),
      [{ room, msg: "carol left", from: bob.id }]);
    assert.deepEqual(await dave.event("room-message", ([m]) => m.msg === "carol left"),
      [{ room, msg: "carol left", from: bob.id }]);
    await assertNothing(carol, "room-message", ([m]) => m.msg === "carol left", "a socket that left gets nothing");
  } finally {
    closeAll(peers);
  }
});

test("every socket is in the room named by its id", { timeout: kTestTimeoutMs }, async () => {
  const [alice, bob] = await openAll(2, "/", { transports: ["websocket"] });
  try {
    assert.deepEqual(await alice.ack("say", bob.id, "just you"), [1]);
    assert.deepEqual(await bob.event("room-message"), [{ room: bob.id, msg: "just you", from: alice.id }]);
  } finally {
    closeAll([alice, bob]);
  }
});

test("shout reaches every socket on / except the sender, over both transports", { timeout: kTestTimeoutMs }, async () => {
  const peers = [
    ...(await openAll(3, "/", { transports: ["websocket"] })),
    ...(await openAll(2, "/", { transports: ["polling"] })),
  ];
  const admin = await Peer.open("/admin", { transports: ["websocket"], auth: { token: "letmein" } });
  try {
    const [shouter, ...others] = peers;
    const text = uniqueName("shout");
    shouter.socket.emit("shout", text);
    for (const peer of others) {
      assert.deepEqual(await peer.event("shout", ([m]) => m.msg === text), [{ msg: text, from: shouter.id }]);
    }
    await assertNothing(shouter, "shout", ([m]) => m.msg === text, "the shouter does not hear itself");
    await assertNothing(admin, "shout", () => true, "a shout on / does not reach /admin");
  } finally {
    closeAll(peers);
    admin.close();
  }
});

// Two peers in a fresh room; `leave(leaver)` makes the leaver go; the stayer must get
// peer-left {room, id} for it, and the room must be one member smaller.
async function checkPeerLeft(leaverOptions, leave) {
  const room = uniqueName("left");
  const stayer = await Peer.open("/", { transports: ["websocket"] });
  const leaver = await Peer.open("/", leaverOptions);
  try {
    await stayer.ack("join", room);
    assert.deepEqual(await leaver.ack("join", room), [2]);
    const leaverId = leaver.id;
    await leave(leaver);
    assert.deepEqual(await stayer.event("peer-left", ([m]) => m.id === leaverId), [{ room, id: leaverId }]);
    assert.deepEqual(await stayer.ack("join", room), [1], "the room lost its member");
  } finally {
    stayer.close();
    leaver.close();
  }
}

test("peer-left when a member disconnects (client DISCONNECT)", { timeout: kTestTimeoutMs }, async () => {
  await checkPeerLeft({ transports: ["websocket"] }, (leaver) => leaver.close());
});

test("peer-left when a member says bye (server DISCONNECT)", { timeout: kTestTimeoutMs }, async () => {
  await checkPeerLeft({ transports: ["websocket"] }, async (leaver) => {
    leaver.socket.emit("bye");
    assert.equal(await leaver.disconnected(), "io server disconnect");
  });
});

test("peer-left when a member's TCP connection drops (WebSocket)", { timeout: kTestTimeoutMs }, async () => {
  await checkPeerLeft({ transports: ["websocket"] }, (leaver) => {
    leaver.engine.transport.ws.terminate(); // no close frame, no Engine.IO close: just gone
  });
});

test("peer-left when a polling member closes its Engine.IO session", { timeout: kTestTimeoutMs }, async () => {
  await checkPeerLeft({ transports: ["polling"] }, (leaver) => {
    leaver.engine.close(); // sends close (1) in a POST, no Socket.IO DISCONNECT first
  });
});

test("peer-left when a member stops answering pings (ping timeout)", { timeout: kTestTimeoutMs }, async () => {
  const room = uniqueName("ping");
  const stayer = await Peer.open("/", { transports: ["websocket"] });
  // A hand-driven client: handshake, CONNECT, join, then silence (it never sends pong).
  const raw = new WebSocket(`ws://127.0.0.1:${contractPort()}/socket.io/?EIO=4&transport=websocket`);
  const frames = [];
  let wake = () => {};
  raw.on("message", (data, isBinary) => {
    frames.push(isBinary ? data : data.toString());
    wake();
  });
  raw.on("error", () => {});
  try {
    const waitFrame = async (match, what) => {
      const deadline = Date.now() + kWaitMs;
      for (;;) {
        const found = frames.find(match);
        if (found !== undefined) return found;
        if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames)}`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    const open = JSON.parse((await waitFrame((f) => f.startsWith("0"), "the Engine.IO open packet")).slice(1));
    assert.ok(open.pingInterval > 0 && open.pingTimeout > 0);
    await stayer.ack("join", room);
    raw.send("40");
    const connectReply = await waitFrame((f) => f.startsWith("40"), "the CONNECT reply");
    const rawId = JSON.parse(connectReply.slice(2)).sid;
    raw.send(`421["join","${room}"]`);
    assert.equal(await waitFrame((f) => f.startsWith("431"), "the join ack"), "431[2]");
    assert.deepEqual(await stayer.event("peer-left", ([m]) => m.id === rawId,
      open.pingInterval + open.pingTimeout + kWaitMs), [{ room, id: rawId }]);
    assert.ok(frames.includes("2"), "the server pinged the silent client");
  } finally {
    stayer.close();
    raw.terminate();
  }
});
