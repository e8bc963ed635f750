// Socket.IO v5 packets by hand against our contract server (PROTOCOLS.md §2): what the
// official client never sends, or what it hides. The CONNECT reply and CONNECT_ERROR on the
// wire, the decoder's validation rules (each one closes the connection, the others go on),
// a packet before any CONNECT, the connect timeout, and binary acknowledgements in both
// directions with nested placeholders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RawWebSocket, openSocketIo, parseEvent, kSocketIoNoise } from "./lib/engineio_peers.mjs";

const kTestTimeoutMs = 15000;
const kPath = "/socket.io/?EIO=4&transport=websocket";

// An Engine.IO WebSocket on /socket.io/ with the open packet read, no namespace joined yet.
async function openEngine() {
  const raw = await RawWebSocket.open(kPath, { autoPong: true, ignore: kSocketIoNoise });
  const open = await raw.next();
  assert.ok(String(open).startsWith("0"), `an open packet, not ${open}`);
  return { raw, engineSid: JSON.parse(open.slice(1)).sid };
}

test("CONNECT to / is answered 40{sid}: a Socket.IO id of its own, then the contract's auth event", { timeout: kTestTimeoutMs }, async () => {
  const { raw, engineSid } = await openEngine();
  try {
    raw.send('40{"token":"123"}');
    const reply = await raw.next();
    assert.match(reply, /^40\{/);
    const handshake = JSON.parse(reply.slice(2));
    assert.equal(typeof handshake.sid, "string");
    assert.notEqual(handshake.sid, engineSid, "the socket id is not the Engine.IO session id");
    assert.deepEqual(parseEvent(await raw.next(), typeof handshake.pid === "string"),
      { id: null, data: ["auth", { token: "123" }] });
  } finally {
    raw.terminate();
  }
});

test("an unknown namespace gets 44/name,{message:\"Invalid namespace\"}; the connection goes on", { timeout: kTestTimeoutMs }, async () => {
  const { raw } = await openSocketIo();
  try {
    raw.send("40/random,");
    assert.equal(await raw.next(), '44/random,{"message":"Invalid namespace"}');
    raw.send('421["echo-ack","still here"]');
    assert.equal(await raw.next(), '431["still here"]');
  } finally {
    raw.terminate();
  }
});

test("/admin: CONNECT_ERROR {message:\"unauthorized\"} without the token, 40/admin,{sid} with it", { timeout: kTestTimeoutMs }, async () => {
  const { raw } = await openSocketIo();
  try {
    raw.send('40/admin,{"token":"guess"}');
    assert.equal(await raw.next(), '44/admin,{"message":"unauthorized"}');
    raw.send("40/admin,");
    assert.equal(await raw.next(), '44/admin,{"message":"unauthorized"}', "no auth payload at all");
    raw.send('40/admin,{"token":"letmein"}');
    const reply = await raw.next();
    assert.match(reply, /^40\/admin,\{/);
    assert.equal(typeof JSON.parse(reply.slice("40/admin,".length)).sid, "string");
    // Multiplexed: /admin and / on one connection, acks numbered by the sender, per namespace.
    raw.send('42/admin,5["ns"]');
    assert.equal(await raw.next(), '43/admin,5["/admin"]');
    raw.send('425["ns"]');
    assert.equal(await raw.next(), '435["/"]');
  } finally {
    raw.terminate();
  }
});

test("a packet before any CONNECT closes the connection", { timeout: kTestTimeoutMs }, async () => {
  const { raw } = await openEngine();
  try {
    raw.send('42["echo","too early"]');
    await raw.closed();
    assert.deepEqual(raw.frames.filter((f) => String(f).startsWith("42")), [], "the event was not served");
  } finally {
    raw.terminate();
  }
});

test("no CONNECT within connectTimeout: the server closes the connection", { timeout: kTestTimeoutMs }, async () => {
  const { raw } = await openEngine();
  try {
    const started = Date.now();
    await raw.closed(10000); // pings are answered: only the connect timeout can close it
    assert.ok(Date.now() - started >= 500, "not closed before the timeout could run out");
  } finally {
    raw.terminate();
  }
});

// Each invalid packet closes its own connection; a bystander's connection goes on.
const kInvalid = [
  ["unknown packet type", "4abc"],
  ["EVENT payload not an array", "42{}"],
  ["EVENT with an empty array", "42[]"],
  ["non-numeric ack id", '42abc["message-with-ack",1]'],
  ["reserved event name", '42["disconnect"]'],
  ["CONNECT payload not an object", '40/custom,"token"'],
  ["DISCONNECT with a payload", '41{"why":"no"}'],
  ["ACK payload not an array", "431{}"],
  ["broken JSON", '42["echo",'],
  ["more attachments than the limit", `4511-["echo",${Array.from({ length: 11 }, (_, n) => `{"_placeholder":true,"num":${n}}`).join(",")}]`],
  ["negative attachment count", '45-1-["echo"]'],
];
for (const [why, packet] of kInvalid) {
  test(`invalid packet (${why}) closes that connection only`, { timeout: kTestTimeoutMs }, async () => {
    const bad = await openSocketIo();
    const bystander = await openSocketIo();
    try {
      bad.raw.send(packet);
      await bad.raw.closed();
      bystander.raw.send('427["echo-ack","fine"]');
      assert.equal(await bystander.raw.next(), '437["fine"]');
    } finally {
      bad.raw.terminate();
      bystander.raw.terminate();
    }
  });
}

test("BINARY_EVENT with nested placeholders and an ack: BINARY_ACK with the same shape and bytes", { timeout: kTestTimeoutMs }, async () => {
  const { raw } = await openSocketIo();
  try {
    const args = [
      { deep: [{ _placeholder: true, num: 0 }, "text"], also: { _placeholder: true, num: 1 } },
      { _placeholder: true, num: 2 },
    ];
    raw.send(`453-9${JSON.stringify(["echo-ack", ...args])}`);
    raw.send(Buffer.from([1, 2, 3]));
    raw.send(Buffer.alloc(0));
    raw.send(Buffer.from([0x1e, 0x34, 0x32]));
    const header = await raw.next();
    const match = /^463-9(\[.*)$/s.exec(header);
    assert.ok(match, `a BINARY_ACK with 3 attachments and id 9, not ${header}`);
    // Placeholders are numbered in the order the encoder meets the bytes: map them back.
    const sent = [Buffer.from([1, 2, 3]), Buffer.alloc(0), Buffer.from([0x1e, 0x34, 0x32])];
    const attachments = [await raw.next(), await raw.next(), await raw.next()];
    const fill = (value) => {
      if (value && value._placeholder === true) return Buffer.from(attachments[value.num]).toString("hex");
      if (Array.isArray(value)) return value.map(fill);
      if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
      return value;
    };
    const expected = [
      { deep: [sent[0].toString("hex"), "text"], also: sent[1].toString("hex") },
      sent[2].toString("hex"),
    ];
    assert.deepEqual(fill(JSON.parse(match[1])), expected);
  } finally {
    raw.terminate();
  }
});

test("server to client ack: `question` carries an ack id; a BINARY_ACK answer reaches `ask`'s ack", { timeout: kTestTimeoutMs }, async () => {
  const { raw, hasPid } = await openSocketIo();
  try {
    raw.send('4212["ask","bytes please"]');
    const question = parseEvent(await raw.next(), hasPid);
    assert.ok(question && question.id !== null, "the server asks for an acknowledgement");
    assert.deepEqual(question.data, ["question", "bytes please"], "no offset on an event with an ack");
    raw.send(`461-${question.id}[{"_placeholder":true,"num":0},"and text"]`);
    raw.send(Buffer.from([0xde, 0xad]));
    assert.equal(await raw.next(), '461-12[{"_placeholder":true,"num":0},"and text"]');
    assert.deepEqual(await raw.next(), Buffer.from([0xde, 0xad]));
  } finally {
    raw.terminate();
  }
});

test("DISCONNECT from the client leaves the namespace; the Engine.IO connection stays for others", { timeout: kTestTimeoutMs }, async () => {
  const { raw } = await openSocketIo();
  try {
    raw.send("40/custom,");
    assert.match(await raw.next(), /^40\/custom,\{/);
    await raw.next(); // /custom's auth event
    raw.send("41/custom,");
    raw.send('428["echo-ack","main still works"]');
    assert.equal(await raw.next(), '438["main still works"]');
    assert.equal(raw.closeCode, null);
  } finally {
    raw.terminate();
  }
});

test("bye: the server sends DISCONNECT for / (41)", { timeout: kTestTimeoutMs }, async () => {
  const { raw } = await openSocketIo();
  try {
    raw.send('42["bye"]');
    assert.equal(await raw.next(), "41");
  } finally {
    raw.terminate();
  }
});
