// The official socket.io-client 4.8 against our contract server
// (tests/interop/socketio_contract_server.cpp): events, acknowledgements both ways, binary
// arguments, and what the official conformance suite expects on "/" and "/custom"
// (auth, message-back, message-with-ack). Every test runs over WebSocket and over polling.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "./lib/socketio_peers.mjs";

const kTransports = { websocket: ["websocket"], polling: ["polling"] };
const kTestTimeoutMs = 20000;

// Buffers arrive as Buffer (Node client); compare them as bytes, whatever the view.
function plain(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return { bytes: Buffer.from(value).toString("hex") };
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const kPlainArgs = [1, "two", { three: [true, null, 3.5] }, "é 👋", -42, [], {}];
const kBinaryArgs = [
  Buffer.from([1, 2, 3, 4]),
  { nested: [Buffer.from("abc"), { deeper: Buffer.alloc(0) }], text: "with bytes" },
  "between",
  Buffer.from([0, 255, 0x1e, 0x0a]),
];

for (const [transportName, transports] of Object.entries(kTransports)) {
  describe(`socket.io-client over ${transportName}`, () => {
    test("echo: the same arguments come back as an `echo` event", { timeout: kTestTimeoutMs }, async () => {
      const peer = await Peer.open("/", { transports });
      try {
        peer.socket.emit("echo", ...kPlainArgs);
        const args = await peer.event("echo");
        assert.deepEqual(args, kPlainArgs);
        assert.equal(peer.engine.transport.name, transportName);
      } finally {
        peer.close();
      }
    });

    test("echo-ack: the ack carries the same arguments", { timeout: kTestTimeoutMs }, async () => {
      const peer = await Peer.open("/", { transports });
      try {
        assert.deepEqual(await peer.ack("echo-ack", ...kPlainArgs), kPlainArgs);
        assert.deepEqual(await peer.ack("echo-ack"), [], "an ack with no arguments");
      } finally {
        peer.close();
      }
    });

    test("binary: Buffers, nested or not, come back as the same bytes in the same places",
      { timeout: kTestTimeoutMs }, async () => {
        const peer = await Peer.open("/", { transports });
        try {
          peer.socket.emit("echo", ...kBinaryArgs);
          const echoed = await peer.event("echo");
          assert.deepEqual(plain(echoed), plain(kBinaryArgs));
          assert.ok(Buffer.isBuffer(echoed[0]), "a binary argument arrives as bytes, not as a placeholder");
          const acked = await peer.ack("echo-ack", ...kBinaryArgs);
          assert.deepEqual(plain(acked), plain(kBinaryArgs));
        } finally {
          peer.close();
        }
      });

    test("ask: the server asks the client (`question` with an ack) and acks with the answer",
      { timeout: kTestTimeoutMs }, async () => {
        const peer = await Peer.open("/", { transports });
        const questions = [];
        peer.socket.on("question", (question, answer) => {
          questions.push(question);
          assert.equal(typeof answer, "function", "the server must request an ack for `question`");
          answer(`answer to ${question}`, { n: questions.length });
        });
        try {
          const reply = await peer.ack("ask", "why?");
          assert.deepEqual(questions, ["why?"]);
          assert.deepEqual(reply, ["answer to why?", { n: 1 }]);
          const second = await peer.ack("ask", "and now?");
          assert.deepEqual(second, ["answer to and now?", { n: 2 }]);
        } finally {
          peer.close();
        }
      });

    test("the conformance suite's events: auth on connect, message-back, message-with-ack",
      { timeout: kTestTimeoutMs }, async () => {
        const auth = { token: "123", list: [1, 2] };
        const peer = Peer.start("/", { transports, auth });
        try {
          await peer.connected();
          assert.deepEqual(await peer.event("auth"), [auth]);
          peer.socket.emit("message", 1, "2", { 3: [true] });
          assert.deepEqual(await peer.event("message-back"), [1, "2", { 3: [true] }]);
          assert.deepEqual(await peer.ack("message-with-ack", 1, "2", { 3: [false] }), [1, "2", { 3: [false] }]);
        } finally {
          peer.close();
        }
      });

    test("/custom: auth is {} without a payload, message-back works there too", { timeout: kTestTimeoutMs }, async () => {
      const peer = Peer.start("/custom", { transports });
      try {
        await peer.connected();
        assert.deepEqual(await peer.event("auth"), [{}]);
        peer.socket.emit("message", "to custom");
        assert.deepEqual(await peer.event("message-back"), ["to custom"]);
      } finally {
        peer.close();
      }
    });

    test("ns answers the namespace's name; /admin needs the token", { timeout: kTestTimeoutMs }, async () => {
      const main = await Peer.open("/", { transports });
      try {
        assert.deepEqual(await main.ack("ns"), ["/"]);
        // Multiplexed on the same Engine.IO connection as "/" (the client's default).
        const admin = main.socket.io.socket("/admin", { auth: { token: "letmein" } });
        const adminPeer = new Peer(admin); // the Manager connects it (autoConnect)
        await adminPeer.connected();
        assert.equal(admin.io, main.socket.io, "both namespaces share one Manager");
        assert.deepEqual(await adminPeer.ack("ns"), ["/admin"]);
        assert.deepEqual(await main.ack("ns"), ["/"], "/ still answers for itself");
        admin.disconnect();
      } finally {
        main.close();
      }
    });

    test("/admin with a wrong token or none is refused with `unauthorized`", { timeout: kTestTimeoutMs }, async () => {
      for (const auth of [{ token: "guess" }, undefined]) {
        const peer = Peer.start("/admin", auth ? { transports, auth } : { transports });
        try {
          const refusal = await peer.refusal();
          assert.equal(refusal.message, "unauthorized");
          assert.equal(peer.connects, 0);
        } finally {
          peer.close();
        }
      }
    });

    test("an unknown namespace is refused with `Invalid namespace`", { timeout: kTestTimeoutMs }, async () => {
      const peer = Peer.start("/no-such-namespace", { transports });
      try {
        const refusal = await peer.refusal();
        assert.equal(refusal.message, "Invalid namespace");
      } finally {
        peer.close();
      }
    });

    test("bye: the server disconnects the socket (io server disconnect)", { timeout: kTestTimeoutMs }, async () => {
      const peer = await Peer.open("/", { transports });
      try {
        peer.socket.emit("bye");
        assert.equal(await peer.disconnected(), "io server disconnect");
        assert.equal(peer.socket.connected, false);
      } finally {
        peer.close();
      }
    });
  });
}
