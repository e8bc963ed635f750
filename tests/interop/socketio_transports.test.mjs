// The official socket.io-client 4.8 against our contract server, transport by transport:
// WebSocket only, polling only (and it really never opens a WebSocket), polling then the
// upgrade to WebSocket with messages in flight across it, and 200 kB payloads both ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Socket as EngineSocket } from "engine.io-client";
import { Peer } from "./lib/socketio_peers.mjs";

const kTestTimeoutMs = 20000;
const kBigBytes = 200 * 1000;

// Every transport any Engine.IO client in this file creates, by client: a spy on the one
// method the client calls to open a transport (the first one and each upgrade probe).
// A test may also hold back the opening of an upgrade probe until a promise of its own
// resolves (probeGates), to make sure messages are in flight when the upgrade starts.
const created = new WeakMap();
const probeGates = new WeakMap();
const originalCreate = EngineSocket.prototype.createTransport;
EngineSocket.prototype.createTransport = function createTransport(name) {
  if (!created.has(this)) created.set(this, []);
  created.get(this).push(name);
  const transport = originalCreate.call(this, name);
  const gate = probeGates.get(this);
  if (gate && name === "websocket") {
    const open = transport.open.bind(transport);
    transport.open = () => {
      gate.then(open);
      return transport;
    };
  }
  return transport;
};
const transportsOf = (peer) => created.get(peer.engine) || [];

test("WebSocket only: the first request is a WebSocket and events flow", { timeout: kTestTimeoutMs }, async () => {
  const peer = await Peer.open("/", { transports: ["websocket"] });
  try {
    assert.deepEqual(transportsOf(peer), ["websocket"]);
    assert.deepEqual(await peer.ack("echo-ack", "over ws"), ["over ws"]);
    assert.deepEqual(peer.handshakes.map((h) => h.upgrades), [[]], "a WebSocket session offers no upgrade");
  } finally {
    peer.close();
  }
});

test("polling only: events flow and no WebSocket is ever opened", { timeout: kTestTimeoutMs }, async () => {
  const peer = await Peer.open("/", { transports: ["polling"] });
  let upgrading = 0;
  peer.engine.on("upgrading", () => { upgrading += 1; });
  try {
    assert.deepEqual(peer.handshakes.map((h) => h.upgrades), [["websocket"]],
      "the server offers the upgrade to polling sessions");
    for (let i = 0; i < 5; i += 1) assert.deepEqual(await peer.ack("echo-ack", i), [i]);
    peer.socket.emit("echo", "last");
    assert.deepEqual(await peer.event("echo"), ["last"]);
    assert.equal(peer.engine.transport.name, "polling");
    assert.deepEqual(transportsOf(peer), ["polling"], "the client must not even probe a WebSocket");
    assert.equal(upgrading, 0);
  } finally {
    peer.close();
  }
});

test("polling then upgrade: messages sent before, during and after the upgrade come back once, in order",
  { timeout: kTestTimeoutMs }, async () => {
    const peer = Peer.start("/", { transports: ["polling", "websocket"] });
    // From the connect on, one emit per turn of Node's loop (I/O runs in between), each
    // labelled with the transport state at the time, until 20 went out after the upgrade.
    // The WebSocket probe waits until 30 went out over polling (a local server answers the
    // probe faster than the namespace CONNECT otherwise, and nothing would cross the switch).
    const sent = { polling: 0, upgrading: 0, websocket: 0 };
    let next = 0;
    let releaseProbe;
    probeGates.set(peer.engine, new Promise((resolve) => { releaseProbe = resolve; }));
    const kMaxMessages = 5000;
    const pump = () => {
      const engine = peer.engine;
      const phase = engine.upgrading ? "upgrading" : engine.transport.name;
      peer.socket.emit("echo", next, phase);
      next += 1;
      sent[phase] += 1;
      if (sent.polling === 30) releaseProbe();
      if (sent.websocket < 20 && next < kMaxMessages && peer.socket.connected) setImmediate(pump);
    };
    peer.socket.once("connect", pump);
    try {
      await peer.connected();
      await peer.until(() => sent.websocket >= 20 || next >= kMaxMessages, "20 messages sent after the upgrade");
      assert.equal(sent.websocket, 20, `the client did not upgrade within ${kMaxMessages} messages`);
      await peer.until(() => peer.all("echo").length >= next, `${next} echoes`);
      const echoed = peer.all("echo").map(([n]) => n);
      assert.deepEqual(echoed, Array.from({ length: next }, (_, i) => i), "each message once, in the order sent");
      assert.ok(sent.polling >= 30, `messages left over polling first: ${JSON.stringify(sent)}`);
      assert.equal(peer.engine.transport.name, "websocket");
      assert.deepEqual(transportsOf(peer), ["polling", "websocket"]);
      // And after the upgrade both directions still work, acks included.
      assert.deepEqual(await peer.ack("echo-ack", "after"), ["after"]);
    } finally {
      peer.close();
    }
  });

for (const transport of ["websocket", "polling"]) {
  test(`200 kB over ${transport}: a text argument and a binary one, both ways, echo and ack`,
    { timeout: kTestTimeoutMs }, async () => {
      const peer = await Peer.open("/", { transports: [transport] });
      try {
        const text = "é".repeat(kBigBytes / 4) + "x".repeat(kBigBytes / 2);
        const bytes = crypto.randomBytes(kBigBytes);
        peer.socket.emit("echo", text, bytes);
        const [textBack, bytesBack] = await peer.event("echo");
        assert.equal(textBack.length, text.length);
        assert.ok(textBack === text, "the 200 kB text differs");
        assert.ok(Buffer.from(bytesBack).equals(bytes), "the 200 kB bytes differ");
        const [ackText, ackBytes] = await peer.ack("echo-ack", text, bytes);
        assert.ok(ackText === text && Buffer.from(ackBytes).equals(bytes), "the ack's 200 kB arguments differ");
        assert.equal(peer.engine.transport.name, transport);
      } finally {
        peer.close();
      }
    });
}
