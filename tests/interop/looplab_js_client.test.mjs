// Our JavaScript client (src/web/looplab-client.js) against the same scenarios on two servers:
// our C++ contract server (tests/interop/socketio_contract_server.cpp, the one tests/interop/run
// started, LOOPLAB_SIO_PORT) and the official Node socket.io 4.8 server serving the same
// contract (lib/reference_contract_server.mjs, started here once for this file). A scenario
// that passes on the official server and fails on ours points at our server; one failing on
// both points at the client. Restart scenarios use a private server of each kind (stopped and
// started again on the same port). Then what needs no real server: a silent fake server for
// the heartbeat, a closed port for reconnect_failed, and the pure parts (codec, backoff).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebSocketServer } from "ws";
import WebSocket from "ws";
import {
  io, Backoff, Decoder, encodePacket, describeFrame, PacketType, kDefaultMaxBufferedPackets,
} from "../../src/web/looplab-client.js";
import { Peer, uniqueName } from "./lib/socketio_peers.mjs";
import {
  ServerProcess, sharedContractServer, startPeer, openPeer, next, within, plain, closedPort, kWaitMs,
} from "./lib/looplab_client_peers.mjs";

const kTestTimeoutMs = 20000;
// Reconnection in tests: quick, still with jitter.
const kQuickReconnect = { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 };

const kPlainArgs = [1, "two", { three: [true, null, 3.5] }, "é 👋", -42, [], {}];
const kBinaryArgs = [
  new Uint8Array([1, 2, 3, 4]),
  { nested: [Buffer.from("abc"), { deeper: new ArrayBuffer(0) }], text: "with bytes" },
  "between",
  new Uint8Array([0, 255, 0x1e, 0x0a, 9]).subarray(1, 4), // a view into a larger buffer: only its bytes
];

const kServers = [
  { name: "our C++ contract server", shared: () => sharedContractServer(), own: () => ServerProcess.ours() },
  { name: "the official socket.io 4.8 server", shared: () => ServerProcess.reference().start(), own: () => ServerProcess.reference() },
];

for (const kind of kServers) {
  describe(`looplab-client.js against ${kind.name}`, () => {
    let server;
    before(async () => { server = await kind.shared(); });
    after(async () => { await server?.stop(); });

    test("connect: an id, `connected`, and the handshake and CONNECT seen on the wire", { timeout: kTestTimeoutMs }, async () => {
      const wire = [];
      const peer = await openPeer(server.url(), { wire: (entry) => wire.push(entry) });
      try {
        assert.equal(typeof peer.id, "string");
        assert.ok(peer.id.length > 0);
        assert.equal(peer.socket.connected, true);
        assert.equal(peer.socket.recovered, false);
        const open = wire.find((e) => e.direction === "received" && e.raw.startsWith("0{"));
        assert.ok(open, "the Engine.IO open packet was reported");
        assert.match(open.meaning, /^open: Engine\.IO session /);
        assert.ok(wire.some((e) => e.direction === "sent" && e.raw === "40" && /^CONNECT \//.test(e.meaning)));
        assert.ok(wire.some((e) => e.direction === "received" && e.raw.startsWith(`40{"sid":"${peer.id}"`)));
      } finally {
        peer.close();
      }
    });

    test("/admin: refused without the token (connect_error), accepted with it, multiplexed with /",
      { timeout: kTestTimeoutMs }, async () => {
        const refused = startPeer(server.url("/admin"), { auth: { token: "guess" } });
        try {
          const error = await refused.refusal();
          assert.equal(error.message, "unauthorized");
          assert.equal(refused.socket.active, false, "a refused socket does not retry");
        } finally {
          refused.close();
        }
        // io() shares one Manager (one Engine.IO connection) between the namespaces of a server.
        const main = io(server.url(), { WebSocket, reconnection: false });
        const admin = io(server.url("/admin"), { WebSocket, reconnection: false, auth: { token: "letmein" } });
        try {
          assert.equal(admin.io, main.io, "both namespaces ride on one Manager");
          const [mainPeer, adminPeer] = [main, admin].map((socket) => new Peer(socket));
          await Promise.all([mainPeer.connected(), adminPeer.connected()]);
          assert.notEqual(main.id, admin.id, "one socket id per namespace");
          assert.deepEqual(await main.emitWithAck("ns"), "/");
          assert.deepEqual(await admin.timeout(kWaitMs).emitWithAck("ns"), "/admin");
          admin.disconnect();
          assert.equal(main.connected, true, "leaving /admin leaves / connected");
          assert.deepEqual(await main.timeout(kWaitMs).emitWithAck("ns"), "/");
        } finally {
          admin.disconnect();
          main.disconnect();
        }
        assert.equal(main.io.engine.readyState, "closed", "the connection closes once no namespace uses it");
      });

    test("catch-all listeners: onAny sees what comes in, onAnyOutgoing what goes out; the wire shows binary frames",
      { timeout: kTestTimeoutMs }, async () => {
        const wire = [];
        const peer = await openPeer(server.url(), { wire: (entry) => wire.push(entry) });
        const incoming = [];
        const outgoing = [];
        const onIncoming = (...args) => args[0] === "echo" && incoming.push(args); // "auth" may come first
        peer.socket.onAny(onIncoming);
        peer.socket.onAnyOutgoing((...args) => outgoing.push(args));
        try {
          peer.socket.emit("echo", "x", new Uint8Array([5, 6, 7]));
          await peer.event("echo", ([m]) => m === "x");
          assert.deepEqual(plain(outgoing), plain([["echo", "x", new Uint8Array([5, 6, 7])]]));
          assert.deepEqual(plain(incoming.map((args) => args.slice(0, 3))), plain([["echo", "x", new Uint8Array([5, 6, 7])]]));
          const sentBinary = wire.filter((e) => e.direction === "sent" && e.binary);
          const receivedBinary = wire.filter((e) => e.direction === "received" && e.binary);
          assert.deepEqual(sentBinary.map((e) => [e.raw, e.meaning]), [["<3 bytes: 05 06 07>", "binary attachment (3 bytes)"]]);
          assert.equal(receivedBinary.length, 1);
          assert.ok(wire.some((e) => e.direction === "sent" && e.raw.startsWith('451-["echo","x",{"_placeholder":true,"num":0}]') &&
            /^BINARY_EVENT "echo" on \/ with 2 arguments, 1 binary attachment follows$/.test(e.meaning)));
          peer.socket.offAny(onIncoming);
          peer.socket.volatile.emit("echo", "volatile while connected", 2);
          assert.deepEqual(await peer.event("echo", ([m]) => m === "volatile while connected"), ["volatile while connected", 2],
            "a volatile emit is sent when the transport can write");
          assert.equal(incoming.length, 1, "offAny removed the listener");
        } finally {
          peer.close();
        }
      });

    test("long-polling only: events, binary acks, a server question and bye, all over HTTP",
      { timeout: kTestTimeoutMs }, async () => {
        const wire = [];
        const peer = await openPeer(server.url(), { transports: ["polling"], wire: (e) => wire.push(e) });
        peer.socket.on("question", (question, answer) => answer(`polled ${question}`));
        try {
          assert.equal(peer.socket.io.engine.transport.name, "polling");
          peer.socket.emit("echo", ...kBinaryArgs);
          const echoed = await peer.event("echo", (args) => args[2] === "between");
          assert.deepEqual(plain(echoed), plain(kBinaryArgs));
          assert.deepEqual(plain(await peer.ack("echo-ack", ...kBinaryArgs)), plain(kBinaryArgs));
          assert.deepEqual(await peer.ack("ask", "q"), ["polled q"]);
          assert.ok(wire.some((e) => e.direction === "received" && e.binary), "binary came base64-encoded and was decoded");
          assert.equal(peer.socket.io.engine.transport.name, "polling", "never upgraded");
          peer.socket.emit("bye");
          assert.equal(await peer.disconnected(), "io server disconnect");
        } finally {
          peer.close();
        }
      });

    test("polling first, then the upgrade to WebSocket (2probe, 3probe, 5); nothing lost across it",
      { timeout: kTestTimeoutMs }, async () => {
        const wire = [];
        const peer = startPeer(server.url(), { transports: ["polling", "websocket"], wire: (e) => wire.push(e) });
        try {
          const upgraded = next(peer.socket.io.engine, "upgrade");
          await peer.connected();
          // Emitted while the upgrade may be under way: they go by whichever transport is current.
          for (let i = 0; i < 20; i++) peer.socket.emit("echo", i, new Uint8Array([i]));
          assert.deepEqual(await upgraded, ["websocket"]);
          assert.equal(peer.socket.io.engine.transport.name, "websocket");
          const sent = wire.filter((e) => e.direction === "sent").map((e) => e.raw);
          assert.ok(sent.includes("2probe") && sent.includes("5"), "the probe and the upgrade packet were sent");
          assert.ok(sent.indexOf("2probe") < sent.indexOf("5"));
          assert.ok(wire.some((e) => e.direction === "received" && e.raw === "3probe"));
          await peer.event("echo", ([i]) => i === 19);
          const echoed = peer.all("echo").map(([i, bytes]) => [i, [...new Uint8Array(bytes)]]);
          assert.deepEqual(echoed, Array.from({ length: 20 }, (_, i) => [i, [i]]), "all, in order");
          assert.deepEqual(await peer.ack("echo-ack", "after"), ["after"]);
        } finally {
          peer.close();
        }
      });

    test("an unknown namespace is refused with `Invalid namespace`", { timeout: kTestTimeoutMs }, async () => {
      const peer = startPeer(server.url("/no-such-namespace"), kQuickReconnect);
      try {
        assert.equal((await peer.refusal()).message, "Invalid namespace");
        assert.equal(peer.socket.active, false, "no retry after a refusal, even with reconnection on");
        assert.equal(peer.socket.io.reconnecting, false);
      } finally {
        peer.close();
      }
    });

    test("auth given by a function reaches the server (the auth event)", { timeout: kTestTimeoutMs }, async () => {
      const peer = await openPeer(server.url(), { auth: (send) => send({ who: "callback", n: [1, 2] }) });
      try {
        assert.deepEqual(await peer.event("auth"), [{ who: "callback", n: [1, 2] }]);
      } finally {
        peer.close();
      }
    });

    test("echo with binary: the same values and bytes come back, as an event and as an ack",
      { timeout: kTestTimeoutMs }, async () => {
        const peer = await openPeer(server.url());
        try {
          peer.socket.emit("echo", ...kPlainArgs);
          assert.deepEqual(await peer.event("echo", (args) => args[1] === "two"), kPlainArgs);
          peer.socket.emit("echo", ...kBinaryArgs);
          const echoed = await peer.event("echo", (args) => args[2] === "between");
          assert.deepEqual(plain(echoed), plain(kBinaryArgs));
          assert.ok(echoed[0] instanceof ArrayBuffer, "binary arrives as an ArrayBuffer");
          const acked = await new Promise((resolve, reject) => {
            peer.socket.timeout(kWaitMs).emit("echo-ack", ...kBinaryArgs, (error, ...reply) => (error ? reject(error) : resolve(reply)));
          });
          assert.deepEqual(plain(acked), plain(kBinaryArgs));
          assert.deepEqual(await peer.ack("echo-ack"), [], "an ack with no arguments");
        } finally {
          peer.close();
        }
      });

    test("ask: the server asks (`question` with an ack) and our answer comes back in its ack",
      { timeout: kTestTimeoutMs }, async () => {
        const peer = await openPeer(server.url());
        const questions = [];
        peer.socket.on("question", (question, answer) => {
          questions.push(question);
          answer(`answer to ${question}`, new Uint8Array([7, 8]));
        });
        try {
          const reply = await peer.ack("ask", "why?");
          assert.deepEqual(questions, ["why?"]);
          assert.deepEqual(plain(reply), plain(["answer to why?", new Uint8Array([7, 8])]));
        } finally {
          peer.close();
        }
      });

    test("rooms: join and say between two clients; shout reaches the others, not the sender",
      { timeout: kTestTimeoutMs }, async () => {
        const room = uniqueName("js-room");
        const [alice, bob] = await Promise.all([openPeer(server.url()), openPeer(server.url())]);
        try {
          assert.deepEqual(await alice.ack("join", room), [1]);
          assert.deepEqual(await bob.ack("join", room), [2]);
          assert.deepEqual(await alice.ack("say", room, "hello bob"), [1]);
          assert.deepEqual(await bob.event("room-message"), [{ room, msg: "hello bob", from: alice.id }]);
          const [others] = await alice.ack("shout", "hi all");
          assert.ok(others >= 1);
          assert.deepEqual(await bob.event("shout", ([m]) => m.from === alice.id), [{ msg: "hi all", from: alice.id }]);
          assert.deepEqual(await bob.ack("leave", room), [1]);
          assert.equal(alice.all("room-message").length, 0, "say skips the sender");
        } finally {
          alice.close();
          bob.close();
        }
      });

    test("acks that never come end with an error, and leave nothing behind", { timeout: kTestTimeoutMs }, async () => {
      const peer = await openPeer(server.url(), { ackTimeout: 300 });
      try {
        // `no-such-event` has no listener on the server: no ack will ever come.
        const error = await new Promise((resolve) => peer.socket.timeout(100).emit("no-such-event", 1, resolve));
        assert.equal(error.message, "operation has timed out");
        await assert.rejects(peer.socket.emitWithAck("no-such-event"), /operation has timed out/, "ackTimeout applies to emitWithAck");
        assert.deepEqual(Object.keys(peer.socket.acks), [], "no ack callback is kept");
        // Without any timeout, a disconnect settles what still waits.
        const plainSocket = (await openPeer(server.url())).socket;
        const waiting = plainSocket.emitWithAck("no-such-event");
        plainSocket.disconnect();
        await assert.rejects(waiting, /socket has been disconnected/);
        assert.deepEqual(Object.keys(plainSocket.acks), []);
      } finally {
        peer.close();
      }
    });

    test("bye: the server disconnects us (io server disconnect) and the client does NOT reconnect",
      { timeout: kTestTimeoutMs }, async () => {
        const peer = await openPeer(server.url(), kQuickReconnect);
        const manager = peer.socket.io;
        let attempts = 0;
        manager.on("reconnect_attempt", () => attempts++);
        try {
          const closed = next(manager, "close");
          peer.socket.emit("bye");
          assert.equal(await peer.disconnected(), "io server disconnect");
          await closed; // the Manager closed its connection: no namespace wants it any more
          assert.equal(peer.socket.active, false);
          assert.equal(manager.reconnecting, false);
          assert.equal(attempts, 0);
          // connect() by hand works, with a new id.
          peer.socket.connect();
          await peer.connected(2);
          assert.deepEqual(await peer.ack("ns"), ["/"]);
        } finally {
          peer.close();
        }
      });

    test("offline buffer: emits wait for the connection (the oldest dropped past maxBufferedPackets), volatile ones are dropped",
      { timeout: kTestTimeoutMs }, async () => {
        const peer = startPeer(server.url(), { autoConnect: false, maxBufferedPackets: 3 });
        const socket = peer.socket;
        try {
          const dropped = [];
          socket.timeout(kWaitMs).emit("echo-ack", "first", (error) => dropped.push(error?.message));
          socket.emit("echo", "second");
          socket.volatile.emit("echo", "volatile");
          socket.emit("echo", "third");
          const acked = socket.timeout(kWaitMs).emitWithAck("echo-ack", "fourth");
          socket.emit("echo", "fifth");
          assert.equal(socket.sendBuffer.length, 3, "the buffer holds maxBufferedPackets");
          assert.equal(socket.droppedPackets, 2);
          assert.deepEqual(dropped, ["dropped: the offline buffer is full"], "the dropped emit's ack is told");
          socket.connect();
          await peer.connected();
          assert.equal(await acked, "fourth");
          await peer.event("echo", ([m]) => m === "fifth");
          assert.deepEqual(peer.all("echo").map(([m]) => m), ["third", "fifth"], "in order; second dropped, volatile never sent");
          assert.equal(socket.sendBuffer.length, 0);
          assert.equal(kDefaultMaxBufferedPackets, 1000);
        } finally {
          peer.close();
        }
      });

    test("a dropped transport: the client reconnects by itself, flushes its buffer and recovers its session",
      { timeout: kTestTimeoutMs }, async () => {
        const room = uniqueName("js-recover");
        const [dropper, speaker] = await Promise.all([openPeer(server.url(), kQuickReconnect), openPeer(server.url())]);
        try {
          await dropper.ack("join", room);
          await speaker.ack("join", room);
          const idBefore = dropper.id;
          speaker.socket.emit("say", room, "before the drop");
          await dropper.event("room-message", ([m]) => m.msg === "before the drop");
          const manager = dropper.socket.io;
          const reconnected = next(manager, "reconnect");
          let flushed;
          dropper.socket.once("disconnect", () => {
            // Emitted while disconnected: buffered, sent after the reconnection.
            flushed = dropper.socket.timeout(kWaitMs).emitWithAck("echo-ack", "from the buffer");
          });
          manager.engine.transport.ws.terminate(); // the TCP connection just ends
          assert.equal(await dropper.disconnected(), "transport close");
          await speaker.event("peer-left", ([m]) => m.id === idBefore);
          assert.deepEqual(await speaker.ack("say", room, "while you were away"), [0]);
          await reconnected;
          await dropper.connected(2);
          assert.equal(await within(flushed, "the buffered ack"), "from the buffer");
          assert.equal(dropper.socket.recovered, true, "the server recovered the session");
          assert.equal(dropper.id, idBefore);
          assert.deepEqual(await dropper.event("room-message", ([m]) => m.msg === "while you were away"),
            [{ room, msg: "while you were away", from: speaker.id }]);
          assert.equal(dropper.all("room-message", ([m]) => m.msg === "before the drop").length, 1, "nothing seen twice");
        } finally {
          dropper.close();
          speaker.close();
        }
      });

    for (const transports of [["websocket"], ["polling"]]) {
      test(`the server restarts (${transports[0]}): reconnect attempts while it is down, then reconnect and the buffer flushed`,
        { timeout: kTestTimeoutMs }, async () => {
          const own = await kind.own().start();
          const peer = await openPeer(own.url(), { ...kQuickReconnect, transports });
          const manager = peer.socket.io;
          const attempts = [];
          const errors = [];
          manager.on("reconnect_attempt", (n) => attempts.push(n));
          manager.on("reconnect_error", (e) => errors.push(e));
          try {
            const firstId = peer.id;
            await own.stop("SIGKILL"); // a crash: no goodbye
            // WebSocket sees the connection close; polling sees its waiting GET fail.
            assert.equal(await peer.disconnected(), transports[0] === "websocket" ? "transport close" : "transport error");
            peer.socket.emit("echo", "said while the server was down");
            await next(manager, "reconnect_error"); // it tried, and nobody answered
            const reconnected = next(manager, "reconnect");
            await own.start(); // the same port
            const [count] = await reconnected;
            assert.equal(count, attempts[attempts.length - 1], "reconnect tells how many attempts it took");
            assert.deepEqual(attempts, attempts.map((_, i) => i + 1), "attempts are numbered 1, 2, 3 ...");
            assert.ok(errors.length >= 1 && errors.length === attempts.length - 1, "every attempt but the last failed");
            await peer.until(() => peer.connects >= 2, "the second connect"); // connect_errors came before it
            assert.notEqual(peer.id, firstId, "a new server knows nothing of the old session");
            assert.equal(peer.socket.recovered, false);
            assert.deepEqual(await peer.event("echo"), ["said while the server was down"]);
            assert.equal(peer.socket.io.engine.transport.name, transports[0]);
          } finally {
            peer.close();
            await own.stop();
          }
        });
    }
  });
}

// ---- no real server needed -------------------------------------------------------------------

// A WebSocket server that performs the Engine.IO handshake, accepts "/", then sends `bad`.
async function rudeServer(bad) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  server.on("connection", (ws) => {
    ws.send('0{"sid":"fake","upgrades":[],"pingInterval":10000,"pingTimeout":10000,"maxPayload":1000000}');
    ws.on("message", (data) => {
      if (String(data) !== "40") return;
      ws.send('40{"sid":"socket-1"}');
      ws.send(bad);
    });
  });
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

// A WebSocket server that performs the Engine.IO handshake and accepts "/" but never pings
// after its first ping: the client must answer that ping and then call the server dead.
async function silentServer() {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  const received = [];
  server.on("connection", (ws) => {
    ws.send('0{"sid":"fake","upgrades":[],"pingInterval":100,"pingTimeout":100,"maxPayload":1000000}');
    ws.on("message", (data) => {
      received.push(String(data));
      if (String(data) === "40") {
        ws.send('40{"sid":"socket-1"}');
        ws.send("2");
      }
    });
  });
  return { server, received, url: `http://127.0.0.1:${server.address().port}` };
}

describe("looplab-client.js without a real server", () => {
  test("heartbeat: answers the ping, and a server silent for pingInterval + pingTimeout is dead (ping timeout)",
    { timeout: kTestTimeoutMs }, async () => {
      const fake = await silentServer();
      const wire = [];
      const peer = startPeer(fake.url, { wire: (e) => wire.push(e) });
      try {
        await peer.connected();
        const started = Date.now();
        assert.equal(await peer.disconnected(), "ping timeout");
        assert.ok(Date.now() - started >= 150, "not before pingInterval + pingTimeout after the last ping");
        assert.ok(fake.received.includes("3"), "the ping got its pong");
        assert.ok(wire.some((e) => e.direction === "received" && e.raw === "2" && /^ping/.test(e.meaning)));
        assert.ok(wire.some((e) => e.direction === "sent" && e.raw === "3" && /^pong/.test(e.meaning)));
      } finally {
        peer.close();
        fake.server.close();
      }
    });

  test("a ping deadline already past (timers held back, as in a background tab): the emit is buffered, not lost",
    { timeout: kTestTimeoutMs }, async () => {
      const fake = await silentServer();
      const peer = startPeer(fake.url);
      try {
        await peer.connected();
        const engine = peer.socket.io.engine;
        engine.pingDeadline = Date.now() - 1; // what a throttled timer would leave behind
        peer.socket.emit("late", 1);
        assert.equal(peer.socket.sendBuffer.length, 1, "kept for the reconnection");
        assert.equal(await peer.disconnected(), "ping timeout");
        assert.ok(!fake.received.some((m) => m.includes("late")), "nothing was written to a dead connection");
      } finally {
        peer.close();
        fake.server.close();
      }
    });

  test("a malformed packet from the server ends the connection with `parse error`, never a crash",
    { timeout: kTestTimeoutMs }, async () => {
      for (const bad of ["42{}", '42["connect"]', "4x", "452-[]", "9"]) {
        const rude = await rudeServer(bad);
        const peer = startPeer(rude.url);
        try {
          await peer.connected();
          assert.equal(await peer.disconnected(), "parse error", `after ${bad}`);
        } finally {
          peer.close();
          rude.server.close();
        }
      }
    });

  test("reconnectionAttempts: connect_error, then reconnect_failed once the attempts are spent",
    { timeout: kTestTimeoutMs }, async () => {
      const port = await closedPort();
      const peer = startPeer(`http://127.0.0.1:${port}`, { ...kQuickReconnect, reconnectionDelay: 10, reconnectionAttempts: 2 });
      const attempts = [];
      peer.socket.io.on("reconnect_attempt", (n) => attempts.push(n));
      try {
        const failed = next(peer.socket.io, "reconnect_failed");
        await peer.refusal(); // connect_error for the first attempt
        await failed;
        assert.deepEqual(attempts, [1, 2]);
        assert.ok(peer.connectErrors.length >= 3, "one connect_error per attempt");
        assert.equal(peer.connects, 0);
      } finally {
        peer.close();
      }
    });

  test("a missing WebSocket class is a connect_error that says what to do",
    { timeout: kTestTimeoutMs, skip: globalThis.WebSocket ? "this Node has a global WebSocket" : false }, async () => {
    const socket = io("http://127.0.0.1:1", { forceNew: true, reconnection: false, WebSocket: null });
    const [error] = await next(socket, "connect_error");
    assert.match(error.message, /no WebSocket class/);
    socket.disconnect();
  });

  test("emitting a reserved name throws; off/once/offAny behave", () => {
    const socket = io("http://127.0.0.1:1", { forceNew: true, autoConnect: false, WebSocket });
    assert.throws(() => socket.emit("connect"), /reserved/);
    const seen = [];
    const listener = (x) => seen.push(x);
    socket.once("x", listener);
    socket.off("x", listener); // a once-listener is removed by the function it was given
    socket.on("y", listener);
    socket.emitReserved("x", 1);
    socket.emitReserved("y", 2);
    socket.emitReserved("y", 3);
    assert.deepEqual(seen, [2, 3]);
    socket.onAny(listener);
    socket.offAny(listener);
    assert.deepEqual(socket.listenersAny(), []);
  });

  test("codec: packets and binary attachments round-trip; malformed packets are refused", () => {
    const packet = { type: PacketType.EVENT, nsp: "/admin", id: 7, data: ["hey", new Uint8Array([1, 2]), { b: Buffer.from("z") }] };
    const frames = encodePacket(packet);
    assert.equal(frames[0], '52-/admin,7["hey",{"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1}}]');
    assert.equal(frames.length, 3);
    const decoder = new Decoder();
    assert.equal(decoder.add(frames[0]), null, "waits for the attachments");
    assert.equal(decoder.add(new Uint8Array([1, 2]).buffer), null);
    const decoded = decoder.add(new Uint8Array([0x7a]).buffer);
    assert.equal(decoded.type, PacketType.BINARY_EVENT);
    assert.equal(decoded.id, 7);
    assert.equal(decoded.nsp, "/admin");
    assert.deepEqual(plain(decoded.data), plain(["hey", new Uint8Array([1, 2]), { b: Buffer.from("z") }]));
    assert.deepEqual(encodePacket({ type: PacketType.CONNECT, nsp: "/" }), ["0"]);
    assert.deepEqual(encodePacket({ type: PacketType.ACK, nsp: "/", id: 456, data: [1, "2"] }), ['3456[1,"2"]']);
    assert.deepEqual(new Decoder().add('3456[1,"2"]'), { type: PacketType.ACK, nsp: "/", id: 456, data: [1, "2"] });
    assert.deepEqual(new Decoder().add("1/admin,"), { type: PacketType.DISCONNECT, nsp: "/admin", data: undefined });
    for (const bad of ["9", "2{}", '2["connect"]', "2[]", "0[1]", '1["x"]', "2abc", "599-[]", "5x-[]", '2["a"'])
      assert.throws(() => new Decoder().add(bad), undefined, `refused: ${bad}`);
    assert.throws(() => new Decoder().add(new ArrayBuffer(1)), /no packet announced/);
    const half = new Decoder();
    half.add('51-["a",{"_placeholder":true,"num":3}]');
    assert.throws(() => half.add(new ArrayBuffer(1)), /invalid placeholder/);
    assert.match(describeFrame('42["chat","hi"]'), /^EVENT "chat" on \/ with 1 argument$/);
    assert.match(describeFrame("44/admin,{\"message\":\"unauthorized\"}"), /CONNECT_ERROR \/admin: refused \(unauthorized\)/);
    assert.match(describeFrame(new ArrayBuffer(4)), /binary attachment \(4 bytes\)/);
  });

  test("backoff: doubles from reconnectionDelay up to reconnectionDelayMax, within ± randomizationFactor", () => {
    const exact = new Backoff({ min: 1000, max: 5000, jitter: 0.5, random: () => 0.5 });
    assert.deepEqual([1, 2, 3, 4, 5].map(() => exact.duration()), [1000, 2000, 4000, 5000, 5000]);
    const low = new Backoff({ min: 1000, max: 5000, jitter: 0.5, random: () => 0 });
    assert.deepEqual([1, 2, 3, 4].map(() => low.duration()), [500, 1000, 2000, 2500]);
    const high = new Backoff({ min: 1000, max: 5000, jitter: 0.5, random: () => 0.999999 });
    assert.deepEqual([1, 2, 3].map(() => high.duration()), [1499, 2999, 5000]);
    high.reset();
    assert.equal(high.attempts, 0);
    const random = new Backoff();
    for (let i = 0; i < 100; i++) {
      const delay = random.duration();
      assert.ok(delay >= 0 && delay <= 5000);
      if (i === 0) assert.ok(delay >= 500 && delay <= 1500, "the first wait is 1000 ms ± 50 %");
    }
  });
});
