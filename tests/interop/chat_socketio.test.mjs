// The official socket.io-client 4.8 against our classroom chat (the classroom server that
// tests/interop/run starts on LOOPLAB_PORT; the protocol is in
// include/looplab/classroom/chat_room.hpp): nicknames, rooms, messages with acks, typing,
// presence and leaving, over WebSocket and over long-polling.
//
// Other test files run at the same time against the same server, so every test uses rooms of
// its own (auth {rooms}) and nicknames of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";

const kWaitMs = 5000;
const kTestTimeoutMs = 20000;

function chatUrl() {
  const port = Number(process.env.LOOPLAB_PORT);
  if (!port) throw new Error("LOOPLAB_PORT is not set: run the tests with tests/interop/run");
  return `http://127.0.0.1:${port}`;
}

function unique(prefix) {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}

// One chat client: records every event the server sends (none is missed between two awaits),
// and waits for one with a deadline.
class ChatPeer {
  static open(auth, options = {}) {
    const peer = new ChatPeer(auth, options);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${auth.nickname}: no welcome within ${kWaitMs} ms`)), kWaitMs);
      peer.socket.once("connect_error", (error) => {
        clearTimeout(timer);
        peer.close();
        reject(error);
      });
      peer.next("welcome").then(([welcome]) => {
        clearTimeout(timer);
        peer.welcome = welcome;
        resolve(peer);
      }, reject);
    });
  }

  constructor(auth, options) {
    this.received = [];   // [name, ...args]
    this.waiters = [];
    this.socket = io(chatUrl(), { forceNew: true, reconnection: false, transports: ["websocket"], auth, ...options });
    this.socket.onAny((name, ...args) => {
      this.received.push([name, ...args]);
      this.#wake();
    });
  }

  // The first event `name` (matching `match`) not yet taken; waits for it if needed.
  next(name, match = () => true) {
    return new Promise((resolve, reject) => {
      const waiter = { name, match, resolve };
      waiter.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no "${name}" event within ${kWaitMs} ms; got ${JSON.stringify(this.received.map((e) => e[0]))}`));
      }, kWaitMs);
      this.waiters.push(waiter);
      this.#wake();
    });
  }

  // Every event `name` (matching) received so far, without taking them.
  all(name, match = () => true) {
    return this.received.filter(([n, ...args]) => n === name && match(args)).map(([, ...args]) => args);
  }

  // The server's answer as an array of its arguments (the chat answers with one).
  async ack(event, ...args) {
    return [await this.socket.timeout(kWaitMs).emitWithAck(event, ...args)];
  }

  close() {
    this.socket.disconnect();
  }

  #wake() {
    for (const waiter of [...this.waiters]) {
      const at = this.received.findIndex(([n, ...args]) => n === waiter.name && waiter.match(args));
      if (at < 0) continue;
      const [[, ...args]] = this.received.splice(at, 1);
      clearTimeout(waiter.timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(args);
    }
  }
}

// The presence event of `room` whose member list is exactly `members`.
function presence(peer, room, members) {
  return peer.next("presence", ([p]) => p.room === room && JSON.stringify(p.members) === JSON.stringify(members));
}

for (const transports of [["websocket"], ["polling"]]) {
  test(`two clients (${transports[0]}) join a room, chat with acks, see typing and presence, then leave`, { timeout: kTestTimeoutMs }, async () => {
    const room = unique("r");
    const [ada, bob] = [unique("ada"), unique("bob")];
    const alice = await ChatPeer.open({ nickname: ada, rooms: [room] }, { transports });
    const peers = [alice];
    try {
      assert.equal(alice.welcome.nickname, ada);
      assert.deepEqual(alice.welcome.rooms, [room]);
      assert.equal(alice.welcome.limits.message, 2000);
      await presence(alice, room, [ada]);

      const bobPeer = await ChatPeer.open({ nickname: bob, rooms: [room] }, { transports });
      peers.push(bobPeer);
      await presence(alice, room, [ada, bob]);
      await presence(bobPeer, room, [ada, bob]);
      const rooms = await bobPeer.next("rooms", ([list]) => list.some((r) => r.name === room && r.members === 2));
      assert.equal(rooms[0][0].name, "lobby", "the lobby is always listed first");

      // A message: the other member gets it, the sender gets the ack (its ✓) and no copy.
      const [answer] = await alice.ack("message", { room, text: "hello bob" });
      assert.equal(typeof answer.id, "number");
      assert.equal(typeof answer.at, "number");
      const [message] = await bobPeer.next("message");
      assert.deepEqual(message, { id: answer.id, room, from: ada, text: "hello bob", at: answer.at });

      const [reply] = await bobPeer.ack("message", { room, text: "hi ada 👋" });
      assert.ok(reply.id > answer.id, "ids grow");
      assert.equal((await alice.next("message"))[0].text, "hi ada 👋");
      assert.deepEqual(alice.all("message"), [], "nothing else");

      // Typing: volatile, to the others only. On WebSocket it gets through (the transport can
      // write); on polling it may be dropped when no GET is waiting, which is what volatile means.
      bobPeer.socket.volatile.emit("typing", { room, typing: true });
      if (transports[0] === "websocket") {
        assert.deepEqual(await alice.next("typing"), [{ room, nickname: bob, typing: true }]);
      }
      await bobPeer.ack("message", { room, text: "round trip" });
      assert.deepEqual(bobPeer.all("typing"), [], "the typist does not hear itself");

      // bob leaves the room: alice sees the presence change; bob no longer gets its messages.
      assert.deepEqual(await bobPeer.ack("leave", room), [{ ok: true, room }]);
      await presence(alice, room, [ada]);
      await alice.ack("message", { room, text: "anyone?" });
      assert.match((await bobPeer.ack("message", { room, text: "sneaky" }))[0].error, /join the room/);
      await bobPeer.ack("join", unique("elsewhere"));   // a round trip: anything for bob has arrived
      assert.deepEqual(bobPeer.all("message", ([m]) => m.text === "anyone?"), []);

      // bob comes back: he gets the room's history (what was said while he was away), then
      // disconnects: presence again.
      const [joined] = await bobPeer.ack("join", room);
      assert.deepEqual(joined, { ok: true, room, members: [ada, bob] });
      const [history] = await bobPeer.next("history");
      assert.equal(history.room, room);
      assert.deepEqual(history.messages.map((m) => m.text), ["hello bob", "hi ada 👋", "round trip", "anyone?"]);
      await presence(alice, room, [ada, bob]);
      bobPeer.close();
      await presence(alice, room, [ada]);
    } finally {
      for (const peer of peers) peer.close();
    }
  });
}

test("a taken nickname is made unique; a rename to a taken one is refused", { timeout: kTestTimeoutMs }, async () => {
  const room = unique("n");
  const name = unique("sam");
  const first = await ChatPeer.open({ nickname: name, rooms: [room] });
  const second = await ChatPeer.open({ nickname: `  ${name}  `, rooms: [room] });
  try {
    assert.equal(second.welcome.nickname, `${name}-2`, "trimmed, then unique-ified");
    await presence(first, room, [name, `${name}-2`]);
    assert.match((await second.ack("nickname", name))[0].error, /taken/);
    const newName = unique("kim");
    assert.deepEqual(await second.ack("nickname", newName), [{ ok: true, nickname: newName }]);
    await presence(first, room, [name, newName]);
  } finally {
    first.close();
    second.close();
  }
});

test("bad input gets a clear error: connect refused, acks with {error}", { timeout: kTestTimeoutMs }, async () => {
  await assert.rejects(ChatPeer.open({}), /a nickname is required/);
  await assert.rejects(ChatPeer.open({ nickname: "x".repeat(33) }), /nickname is too long \(33 bytes; at most 32\)/);
  await assert.rejects(ChatPeer.open({ nickname: "   " }), /nickname cannot be empty/);
  await assert.rejects(ChatPeer.open({ nickname: "bell\u0007" }), /control characters/);

  const room = unique("b");
  const peer = await ChatPeer.open({ nickname: unique("eve"), rooms: [room] });
  try {
    assert.match((await peer.ack("message", { room, text: "x".repeat(2001) }))[0].error, /too long \(2001 bytes; at most 2000\)/);
    assert.equal(typeof (await peer.ack("message", { room, text: "x".repeat(2000) }))[0].id, "number", "2000 bytes pass");
    assert.match((await peer.ack("message", { room, text: "   " }))[0].error, /empty/);
    assert.match((await peer.ack("message", "just text"))[0].error, /an object \{room, text\}/);
    assert.match((await peer.ack("message", { room, text: 42 }))[0].error, /must be a string/);
    assert.match((await peer.ack("join", "r".repeat(33)))[0].error, /room name is too long/);
    assert.match((await peer.ack("join", 7))[0].error, /room name must be a string/);
    assert.match((await peer.ack("leave", unique("never")))[0].error, /not in the room/);
    for (let i = 0; i < 9; i++) assert.equal((await peer.ack("join", `${room}-${i}`))[0].ok, true);
    assert.match((await peer.ack("join", `${room}-x`))[0].error, /at most 10/);
    assert.ok(peer.socket.connected, "errors never cost the connection");
  } finally {
    peer.close();
  }
});

test("without rooms in auth, a client starts in the lobby", { timeout: kTestTimeoutMs }, async () => {
  const name = unique("lee");
  const peer = await ChatPeer.open({ nickname: name });
  try {
    assert.deepEqual(peer.welcome.rooms, ["lobby"]);
    const [seen] = await peer.next("presence", ([p]) => p.room === "lobby");
    assert.ok(seen.members.includes(name));
  } finally {
    peer.close();
  }
});
