// looplab-client.js — a Socket.IO v5 client (over Engine.IO v4), written here to be read.
//
// One ES module, no build step, no dependency. It speaks to any Socket.IO 4.x server — ours
// (src/socketio) or the official Node one — and keeps the names and defaults of the official
// `socket.io-client` 4.8, so what you learn here carries over.
//
// ---- Using it --------------------------------------------------------------------------------
//   In a page:
//     <script type="module">
//       import { io } from "/looplab-client.js";
//       const socket = io();                       // the server that served the page, namespace "/"
//       socket.on("connect", () => console.log("connected as", socket.id));
//       socket.emit("hello", "world", (reply) => console.log("the server answered", reply));
//     </script>
//   In Node (20+; pass a WebSocket class, e.g. from the npm package `ws`; Node 22 has a global one):
//     import WebSocket from "ws";
//     import { io } from "./src/web/looplab-client.js";
//     const socket = io("http://localhost:3000/admin", { WebSocket, auth: { token: "letmein" } });
//
// ---- Options (io(url, options)), with their defaults ----------------------------------------
//   Manager (one Engine.IO connection, shared by the namespaces of one server):
//     path "/socket.io/", query {}, WebSocket globalThis.WebSocket, fetch globalThis.fetch,
//     transports ["websocket"] (the official default is ["polling", "websocket"]: long-polling
//       first, then the upgrade to WebSocket; ["polling"] alone never upgrades),
//     upgrade true (whether polling may upgrade to WebSocket when the server offers it),
//     reconnection true, reconnectionAttempts Infinity, reconnectionDelay 1000,
//     reconnectionDelayMax 5000, randomizationFactor 0.5, timeout 20000 (per connection attempt),
//     autoConnect true, forceNew false, multiplex true,
//     wire null — a function called with { direction: "sent"|"received", raw, binary, meaning }
//                 for every Engine.IO / Socket.IO packet (the chat page's wire panel); it
//                 belongs to the Manager, so it can also be set later: socket.io.wire = fn.
//   Socket (one namespace):
//     auth undefined (an object, or a function (callback) => callback(object)),
//     ackTimeout undefined (when set, every emit with a callback gets an error-first callback),
//     maxBufferedPackets 1000 (see "Offline buffer" below).
//
// ---- Offline buffer ------------------------------------------------------------------------
//   What is emitted while the socket is not connected waits in socket.sendBuffer and is sent,
//   in order, right after the next `connect`. The buffer holds at most maxBufferedPackets
//   (default kDefaultMaxBufferedPackets = 1000; Infinity gives the official unbounded buffer).
//   When it is full the OLDEST packet is dropped to make room (a chat would rather send what
//   was said last); socket.droppedPackets counts them, and a dropped packet's ack callback,
//   if it takes an error (timeout(), emitWithAck, ackTimeout), gets Error("dropped: the
//   offline buffer is full"). `socket.volatile.emit(...)` is never buffered: it is dropped
//   at once unless the transport can write now.
//
// ---- What differs from the official client --------------------------------------------------
//   - WebSocket first by default (transports ["websocket"]); long-polling and the upgrade are
//     there when asked for. No `rememberUpgrade`, `tryAllTransports`, `withCredentials`,
//     `extraHeaders` (cookies and CORS are the browser's fetch defaults).
//   - No `retries`, no Blob/File arguments (ArrayBuffer, typed arrays and Node Buffers only).
//     Binary arguments arrive as ArrayBuffer, in the browser and in Node alike.
//   - emitWithAck always settles: without a timeout, a disconnect rejects it (the official one
//     may wait forever). With connection state recovery the server appends an offset string
//     to the events it sends without an ack request; as in the official client, listeners see
//     it as their last argument.
//
// Reading order: 1 constants · 2 a small event emitter · 3 Socket.IO packets (encode, decode,
// binary attachments) · 4 the wire's meaning · 5 the Engine.IO connection (its WebSocket and
// polling transports, the upgrade) · 6 backoff · 7 the Manager · 8 the Socket · 9 io().

// =============================================================================================
// 1. Constants

export const protocol = 5; // Socket.IO protocol version (it rides on Engine.IO protocol 4)
const kEngineIoVersion = 4;

// The official client's defaults.
const kDefaultPath = "/socket.io/";
// Ours: WebSocket straight away (the official client starts with ["polling", "websocket"]:
// polling first, then the upgrade; pass that to get its behaviour).
const kDefaultTransports = ["websocket"];
const kDefaultReconnectionDelay = 1000;
const kDefaultReconnectionDelayMax = 5000;
const kDefaultRandomizationFactor = 0.5;
const kDefaultConnectTimeout = 20000;
// Ours: how many packets wait for the connection at most (see "Offline buffer" above).
export const kDefaultMaxBufferedPackets = 1000;
// A binary packet announces its attachments; more than this is refused as a parse error (the
// official parser's maxAttachments default), so a hostile header cannot make us wait for
// millions of frames.
export const kMaxAttachments = 10;

// Engine.IO packet types (one digit at the start of every text frame).
const EIO = { open: "0", close: "1", ping: "2", pong: "3", message: "4", upgrade: "5", noop: "6" };

// Socket.IO packet types.
export const PacketType = Object.freeze({
  CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6,
});
const kPacketNames = ["CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"];

// Names the library itself emits on a socket: emitting them to the server is a mistake.
const kReservedEvents = new Set([
  "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
]);

// =============================================================================================
// 2. A small event emitter (on, once, off, and a local emit that never touches the network)

export class Emitter {
  #listeners = new Map(); // name -> array of functions (a once-wrapper keeps .listener)

  on(name, listener) {
    if (!this.#listeners.has(name)) this.#listeners.set(name, []);
    this.#listeners.get(name).push(listener);
    return this;
  }

  once(name, listener) {
    const wrapper = (...args) => {
      this.off(name, wrapper);
      listener.apply(this, args);
    };
    wrapper.listener = listener;
    return this.on(name, wrapper);
  }

  // off() removes everything, off(name) every listener of name, off(name, fn) that one.
  off(name, listener) {
    if (name === undefined) this.#listeners.clear();
    else if (listener === undefined) this.#listeners.delete(name);
    else {
      const list = this.#listeners.get(name) ?? [];
      const at = list.findIndex((l) => l === listener || l.listener === listener);
      if (at >= 0) list.splice(at, 1);
    }
    return this;
  }

  removeListener(name, listener) { return this.off(name, listener); }
  removeAllListeners(name) { return this.off(name); }
  listeners(name) { return [...(this.#listeners.get(name) ?? [])]; }
  hasListeners(name) { return this.listeners(name).length > 0; }

  // Calls the listeners here, in this process. (Socket overrides emit() to mean "send to the
  // server"; this one keeps the local meaning under the official client's name.)
  emitReserved(name, ...args) {
    for (const listener of this.listeners(name)) listener.apply(this, args);
    return this;
  }

  emit(name, ...args) { return this.emitReserved(name, ...args); }
}

// Subscribes and returns the function that unsubscribes (the Manager and the Socket keep a
// list of them, so "stop listening to everything" is one loop).
function subscribe(emitter, name, listener) {
  emitter.on(name, listener);
  return () => emitter.off(name, listener);
}

// =============================================================================================
// 3. Socket.IO packets
//
// A packet is { type, nsp, id?, data? }. On the wire (inside one Engine.IO message):
//     <type>[<attachments>-][<nsp>,][<ack id>][<JSON>]       e.g. 2/admin,7["hello","world"]
// A packet with binary arguments becomes BINARY_EVENT/BINARY_ACK: each binary is replaced by
// {"_placeholder":true,"num":N} in the JSON, and the bytes follow as N separate binary frames.

function isBinary(value) {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function hasBinary(value) {
  if (isBinary(value)) return true;
  if (Array.isArray(value)) return value.some(hasBinary);
  if (value && typeof value === "object") {
    if (typeof value.toJSON === "function") return false; // a Date and the like go as JSON
    return Object.values(value).some(hasBinary);
  }
  return false;
}

// Replaces every binary in `value` by a placeholder and collects the bytes in `attachments`.
function deconstruct(value, attachments) {
  if (isBinary(value)) {
    attachments.push(value);
    return { _placeholder: true, num: attachments.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => deconstruct(item, attachments));
  if (value && typeof value === "object" && typeof value.toJSON !== "function") {
    const copy = {};
    for (const [key, item] of Object.entries(value)) copy[key] = deconstruct(item, attachments);
    return copy;
  }
  return value;
}

// The reverse, on the receiving side. A placeholder pointing nowhere is a parse error.
function reconstruct(value, attachments) {
  if (Array.isArray(value)) return value.map((item) => reconstruct(item, attachments));
  if (value && typeof value === "object") {
    if (value._placeholder === true) {
      if (!Number.isInteger(value.num) || value.num < 0 || value.num >= attachments.length) {
        throw new Error("invalid placeholder");
      }
      return attachments[value.num];
    }
    const copy = {};
    for (const [key, item] of Object.entries(value)) copy[key] = reconstruct(item, attachments);
    return copy;
  }
  return value;
}

// Packet -> the frames to send: one string, then the attachments (if any), in order.
export function encodePacket(packet) {
  let { type, data } = packet;
  const attachments = [];
  if ((type === PacketType.EVENT || type === PacketType.ACK) && hasBinary(data)) {
    type = type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
    data = deconstruct(data, attachments);
  }
  let text = String(type);
  if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) text += `${attachments.length}-`;
  if (packet.nsp && packet.nsp !== "/") text += `${packet.nsp},`;
  if (packet.id !== undefined) text += String(packet.id);
  if (data !== undefined) text += JSON.stringify(data);
  return [text, ...attachments];
}

// Reads the header of a packet's text; the JSON stays text. Throws on a malformed header.
function parseHeader(text) {
  let at = 0;
  const type = Number(text[at++]);
  if (!(type in kPacketNames) || text.length === 0) throw new Error(`unknown packet type "${text[0]}"`);
  let attachments = 0;
  if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) {
    const dash = text.indexOf("-", at);
    const count = dash < 0 ? "" : text.slice(at, dash);
    if (!/^\d+$/.test(count)) throw new Error("invalid attachment count");
    attachments = Number(count);
    if (attachments > kMaxAttachments) throw new Error(`too many attachments (more than ${kMaxAttachments})`);
    at = dash + 1;
  }
  let nsp = "/";
  if (text[at] === "/") {
    const comma = text.indexOf(",", at);
    const end = comma < 0 ? text.length : comma;
    nsp = text.slice(at, end);
    at = end + 1;
  }
  const digits = /^\d*/.exec(text.slice(at))[0];
  const id = digits === "" ? undefined : Number(digits);
  at += digits.length;
  return { type, attachments, nsp, id, json: text.slice(at) };
}

// Checks what a payload may be for each type (the protocol's rules; a server breaking them
// gets its connection closed with "parse error", as the official client does).
function checkPayload(type, data) {
  switch (type) {
    case PacketType.CONNECT:
      return data === undefined || (typeof data === "object" && data !== null && !Array.isArray(data));
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.CONNECT_ERROR:
      return typeof data === "string" || (typeof data === "object" && data !== null);
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT:
      return Array.isArray(data) && data.length > 0 &&
        (typeof data[0] === "string" || typeof data[0] === "number") && !kReservedEvents.has(data[0]);
    default: // ACK, BINARY_ACK
      return Array.isArray(data);
  }
}

// Frames in, whole packets out. A binary packet's header is kept until its attachments have
// all arrived; add() returns the finished packet then, or null while it waits. Throws on
// anything malformed (the caller closes the connection: after a bad frame nothing that
// follows can be trusted to line up).
export class Decoder {
  #pending = null; // { packet, attachments: [] } while binary frames are awaited

  add(frame) {
    if (typeof frame === "string") {
      if (this.#pending) throw new Error("a text packet arrived while attachments were awaited");
      const header = parseHeader(frame);
      let data;
      if (header.json !== "") {
        try {
          data = JSON.parse(header.json);
        } catch {
          throw new Error("invalid JSON payload");
        }
      }
      const packet = { type: header.type, nsp: header.nsp, data };
      if (header.id !== undefined) packet.id = header.id;
      if (!checkPayload(header.type, data)) throw new Error(`invalid payload for ${kPacketNames[header.type]}`);
      if (header.attachments === 0) return packet;
      this.#pending = { packet, count: header.attachments, attachments: [] };
      return null;
    }
    if (!this.#pending) throw new Error("a binary frame arrived that no packet announced");
    this.#pending.attachments.push(frame);
    if (this.#pending.attachments.length < this.#pending.count) return null;
    const { packet, attachments } = this.#pending;
    this.#pending = null;
    packet.data = reconstruct(packet.data, attachments);
    return packet;
  }

  reset() { this.#pending = null; }
}

// =============================================================================================
// 4. What a frame means — one line for the wire panel (and for anyone learning the protocol)

function countWord(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

function describeSocketPacket(text, direction) {
  let header;
  try {
    header = parseHeader(text);
  } catch (error) {
    return `Socket.IO: malformed (${error.message})`;
  }
  let data;
  try {
    data = header.json === "" ? undefined : JSON.parse(header.json);
  } catch {
    return `${kPacketNames[header.type]} ${header.nsp}: malformed JSON`;
  }
  const ackNote = header.id === undefined ? "" : `, ack id ${header.id} (an answer is expected)`;
  const binaryNote = header.attachments ? `, ${countWord(header.attachments, "binary attachment")} follow${header.attachments === 1 ? "s" : ""}` : "";
  const ns = header.nsp;
  switch (header.type) {
    case PacketType.CONNECT:
      if (direction === "sent") {
        return `CONNECT ${ns}: join the namespace` + (data === undefined ? "" : ` with auth ${JSON.stringify(data)}`);
      }
      return `CONNECT ${ns}: accepted, socket id ${data?.sid}` + (data?.pid ? " (the session can be recovered)" : "");
    case PacketType.DISCONNECT:
      return direction === "sent" ? `DISCONNECT ${ns}: we leave the namespace` : `DISCONNECT ${ns}: the server makes us leave`;
    case PacketType.CONNECT_ERROR:
      return `CONNECT_ERROR ${ns}: refused (${typeof data === "string" ? data : data?.message})`;
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT: {
      const args = Array.isArray(data) ? data.length - 1 : 0;
      return `${kPacketNames[header.type]} "${Array.isArray(data) ? data[0] : "?"}" on ${ns} with ${countWord(args, "argument")}${ackNote}${binaryNote}`;
    }
    default: // ACK, BINARY_ACK
      return `${kPacketNames[header.type]} ${header.id} on ${ns}: the answer, ${countWord(Array.isArray(data) ? data.length : 0, "value")}${binaryNote}`;
  }
}

// One Engine.IO frame (text, or the bytes of a binary frame) -> one line of meaning.
export function describeFrame(frame, direction = "received") {
  if (typeof frame !== "string") return `binary attachment (${countWord(frame.byteLength, "byte")})`;
  const body = frame.slice(1);
  switch (frame[0]) {
    case EIO.open: {
      try {
        const open = JSON.parse(body);
        return `open: Engine.IO session ${open.sid}; the server pings every ${open.pingInterval} ms and waits ${open.pingTimeout} ms for the pong`;
      } catch {
        return "open: malformed handshake";
      }
    }
    case EIO.close: return "close: the Engine.IO session ends";
    case EIO.ping:
      if (body === "probe") return "ping probe: does this new WebSocket reach our session?";
      return direction === "received" ? "ping: the server checks we are alive" : "ping";
    case EIO.pong:
      if (body === "probe") return "pong probe: it does (polling is finished, then the switch)";
      return direction === "sent" ? "pong: our answer to the ping" : "pong";
    case EIO.message: return describeSocketPacket(body, direction);
    case EIO.upgrade: return "upgrade: from now on everything goes over this WebSocket";
    case EIO.noop: return "noop: nothing (releases a waiting request)";
    default: return "unknown Engine.IO packet";
  }
}

function wireText(frame) {
  if (typeof frame === "string") return frame;
  const bytes = new Uint8Array(frame instanceof ArrayBuffer ? frame : frame.buffer, frame.byteOffset ?? 0, frame.byteLength);
  const shown = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `<${countWord(bytes.length, "byte")}: ${shown}${bytes.length > 16 ? " …" : ""}>`;
}

// =============================================================================================
// 5. The Engine.IO connection and its two transports
//
// Engine.IO carries packets over a "transport". Two exist:
//   websocket  one WebSocket; one Engine.IO packet per frame (binary frames are messages)
//   polling    HTTP long-polling: a GET that the server holds until it has packets, and a POST
//              for what we send; packets in one body are separated by \x1e, binary ones are
//              written "b" + base64. Works where a proxy breaks WebSockets.
// Both have the same small shape, so the connection above does not care which it has:
//   open(), send(frames), close(), writable, name, sid; and they call back onOpen(),
//   onPacket(frame), onSent(frame) (as each frame really leaves: the wire panel's order is the
//   wire's), onError(error), onClose(description).

// ---- 5a. The WebSocket transport -------------------------------------------------------------

class WebSocketTransport {
  constructor(url, WebSocketClass) {
    this.name = "websocket";
    this.url = url;
    this.WebSocket = WebSocketClass;
    this.ws = null;
    this.sid = null; // in the URL already when the transport is an upgrade
  }

  open() {
    if (typeof this.WebSocket !== "function") {
      // Asynchronously, as a real failure would be: the caller finishes its set-up first.
      queueMicrotask(() => this.onError(new Error(
        "no WebSocket class: pass { WebSocket } in the options (in Node, e.g. from the npm package ws)")));
      return;
    }
    try {
      this.ws = new this.WebSocket(this.url);
    } catch (error) {
      queueMicrotask(() => this.onError(error));
      return;
    }
    this.ws.binaryType = "arraybuffer"; // bytes arrive as ArrayBuffer, not Blob (browser) or Buffer (ws)
    this.ws.onopen = () => this.onOpen();
    this.ws.onmessage = (event) => {
      let data = event.data;
      // A WebSocket class may still hand over a Buffer: the layers above get an ArrayBuffer.
      if (ArrayBuffer.isView(data)) data = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      this.onPacket(data);
    };
    this.ws.onerror = (event) => this.onError(new Error(`websocket error${event?.message ? `: ${event.message}` : ""}`));
    this.ws.onclose = (event) => this.onClose(`websocket closed (code ${event?.code})`);
  }

  get writable() { return this.ws?.readyState === 1; } // 1: WebSocket.OPEN

  send(frames) {
    for (const frame of frames) {
      this.onSent(frame);
      this.ws.send(frame);
    }
  }

  close() {
    const ws = this.ws;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = () => {}; // some implementations report the close they are asked for as an error
    try {
      ws.close();
    } catch {
      // closing a WebSocket that never opened may throw; it is gone either way
    }
  }
}

// ---- 5b. The polling transport ---------------------------------------------------------------

const kRecordSeparator = "\x1e";

function bytesOf(frame) {
  return frame instanceof ArrayBuffer ? new Uint8Array(frame) : new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
}

function toBase64(frame) {
  const bytes = bytesOf(frame);
  let text = "";
  for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(text);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

class PollingTransport {
  constructor(url, fetchFunction) {
    this.name = "polling";
    this.url = url;
    this.fetch = fetchFunction;
    this.sid = null; // set after the handshake: every later request carries it
    this.queue = []; // frames waiting for the next POST
    this.getting = false; // a GET is in flight (at most one: the protocol says so)
    this.posting = false; // a POST is in flight (at most one, for the order)
    this.paused = false; // upgrading: no new request
    this.onPaused = null;
    this.closed = false;
    this.requests = 0; // for the cache-buster t=
    this.getAbort = new AbortController();
  }

  // The first GET is the handshake (it returns the open packet).
  open() {
    if (typeof this.fetch !== "function") {
      queueMicrotask(() => this.onError(new Error("no fetch function: polling needs fetch (pass { fetch } in the options)")));
      return;
    }
    queueMicrotask(() => this.onOpen());
    this.#poll();
  }

  get writable() { return !this.closed; } // a frame sent while a POST is in flight waits in the queue

  #requestUrl() {
    const url = new URL(this.url);
    if (this.sid) url.searchParams.set("sid", this.sid);
    url.searchParams.set("t", `${Date.now().toString(36)}.${this.requests++}`); // no cached answer
    return url.href;
  }

  async #poll() {
    if (this.closed || this.paused || this.getting) return;
    this.getting = true;
    let body;
    try {
      const response = await this.fetch(this.#requestUrl(), { signal: this.getAbort.signal });
      body = await response.text();
      if (!response.ok) throw new Error(`polling GET: HTTP ${response.status} ${body.slice(0, 100)}`);
    } catch (error) {
      this.getting = false;
      if (!this.closed) this.onError(error);
      return;
    }
    this.getting = false;
    for (const packet of body.split(kRecordSeparator)) {
      if (this.closed) return;
      this.onPacket(packet[0] === "b" ? fromBase64(packet.slice(1)) : packet);
    }
    this.#checkPaused();
    this.#poll();
  }

  send(frames) {
    this.queue.push(...frames);
    this.#post();
  }

  // Everything queued goes in one POST; what is sent meanwhile waits for the next one.
  async #post() {
    if (this.closed || this.paused || this.posting || this.queue.length === 0) return;
    const frames = this.queue;
    this.queue = [];
    this.posting = true;
    try {
      frames.forEach((frame) => this.onSent(frame));
      const body = frames.map((f) => (typeof f === "string" ? f : `b${toBase64(f)}`)).join(kRecordSeparator);
      const response = await this.fetch(this.#requestUrl(), {
        method: "POST", body, headers: { "content-type": "text/plain;charset=UTF-8" },
      });
      const answer = await response.text();
      if (!response.ok) throw new Error(`polling POST: HTTP ${response.status} ${answer.slice(0, 100)}`);
    } catch (error) {
      this.posting = false;
      if (!this.closed) this.onError(error);
      return;
    }
    this.posting = false;
    this.#checkPaused();
    this.#post();
  }

  // For the upgrade: no new request; callback(framesNotYetSent) once none is in flight (the
  // server ends the waiting GET with a noop `6` once the WebSocket answered the probe).
  pause(callback) {
    this.paused = true;
    this.onPaused = callback;
    this.#checkPaused();
  }

  #checkPaused() {
    if (!this.paused || this.getting || this.posting || !this.onPaused) return;
    const callback = this.onPaused;
    this.onPaused = null;
    callback(this.queue.splice(0));
  }

  // A POST under way (e.g. the close packet) is let finish; the waiting GET is cut.
  close() {
    this.closed = true;
    this.getAbort.abort();
  }
}

// ---- 5c. The connection ----------------------------------------------------------------------
//
// What it does: open the first transport of `transports`, wait for the `0{...}` handshake,
// answer each ping `2` with a pong `3`, and declare the server dead when no ping came for
// pingInterval + pingTimeout (the server pings; v4 turned the heartbeat around because
// browsers throttle timers in background tabs). Messages (`4...` and binary frames) go up as
// "data". On polling, when the server offers it, it upgrades to WebSocket: open a WebSocket
// with the same sid, send `2probe`, expect `3probe`, let polling finish its requests, send `5`,
// and from then on use the WebSocket (a failed probe changes nothing: polling goes on).
//
// Events: "open" (handshake), "data" (string or ArrayBuffer), "ping", "upgrade" (transport
// name), "error" (while opening: the attempt failed), "close" (reason, description) once it
// was open.

class EngineConnection extends Emitter {
  // baseUrl: the http(s) URL with path and query, without `transport`.
  constructor(baseUrl, { WebSocket, fetch, transports, upgrade, onWire }) {
    super();
    this.baseUrl = baseUrl;
    this.WebSocket = WebSocket;
    this.fetch = fetch;
    this.transports = transports;
    this.upgrade = upgrade;
    this.onWire = onWire;
    this.readyState = "closed"; // "opening" -> "open" -> "closed"
    this.id = null; // the Engine.IO session id (sid)
    this.pingInterval = 0;
    this.pingTimeout = 0;
    this.transport = null;
    this.probe = null; // the WebSocket being tried during an upgrade
    this.pingTimer = null;
    this.pingDeadline = 0; // Date.now() after which the server counts as dead
  }

  #transportUrl(name) {
    const url = new URL(this.baseUrl);
    if (name === "websocket") url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("transport", name);
    if (this.id) url.searchParams.set("sid", this.id);
    return url.href;
  }

  #makeTransport(name) {
    return name === "polling"
      ? new PollingTransport(this.#transportUrl("polling"), this.fetch)
      : new WebSocketTransport(this.#transportUrl("websocket"), this.WebSocket);
  }

  #use(transport) {
    this.transport = transport;
    transport.onOpen = () => {};
    transport.onSent = (frame) => this.onWire("sent", frame);
    transport.onPacket = (frame) => this.#onPacket(frame);
    transport.onError = (error) => this.#fail(error, "transport error");
    transport.onClose = (description) => this.#fail(new Error(description), "transport close");
  }

  open() {
    this.readyState = "opening";
    const first = this.transports[0] === "polling" ? "polling" : "websocket";
    this.#use(this.#makeTransport(first));
    this.transport.open();
  }

  get writable() {
    return this.readyState === "open" && this.transport.writable && !this.pingExpired;
  }

  // A background tab's timers can be held back for minutes, so the ping timer may not have
  // fired although its time is long past. Before writing, the clock is asked too: a server
  // that has been silent too long is dead now (closed on the next tick), and what the caller
  // wanted to send waits in the socket's buffer for the reconnection instead of being lost.
  get pingExpired() {
    if (this.readyState !== "open" || Date.now() <= this.pingDeadline) return false;
    queueMicrotask(() => this.#end("ping timeout"));
    return true;
  }

  // A Socket.IO packet's text (sent as an Engine.IO message, "4...") or an attachment's bytes
  // (a binary frame, which is implicitly a message).
  send(data) {
    this.#write(typeof data === "string" ? EIO.message + data : data);
  }

  // We close: say so to the server (`1`), then close the transport.
  close() {
    if (this.readyState === "closed") return;
    if (this.writable) this.#write(EIO.close);
    this.#end("forced close");
  }

  #write(frame) {
    if (!this.writable) return;
    this.transport.send([frame]);
  }

  #onPacket(frame) {
    if (this.readyState === "closed") return;
    this.onWire("received", frame);
    if (typeof frame !== "string") {
      if (this.readyState === "open") this.emitReserved("data", frame);
      return;
    }
    const type = frame[0];
    const body = frame.slice(1);
    if (this.readyState === "opening") {
      if (type !== EIO.open) return this.#fail(new Error("the server did not start with an open packet"), "parse error");
      return this.#onHandshake(body);
    }
    switch (type) {
      case EIO.ping:
        this.#armPingTimer();
        this.emitReserved("ping");
        this.#write(EIO.pong + body);
        break;
      case EIO.message:
        this.emitReserved("data", body);
        break;
      case EIO.close:
        this.#end("transport close", "the server closed the session");
        break;
      case EIO.noop:
      case EIO.pong:
        break;
      default:
        this.#end("parse error", `unknown Engine.IO packet type "${type}"`);
    }
  }

  #onHandshake(json) {
    let open;
    try {
      open = JSON.parse(json);
    } catch {
      open = null;
    }
    if (!open || typeof open.sid !== "string" || !(open.pingInterval > 0) || !(open.pingTimeout > 0)) {
      return this.#fail(new Error("invalid handshake"), "parse error");
    }
    this.id = open.sid;
    this.transport.sid = open.sid;
    this.pingInterval = open.pingInterval;
    this.pingTimeout = open.pingTimeout;
    this.readyState = "open";
    this.#armPingTimer();
    this.emitReserved("open", open);
    const offered = Array.isArray(open.upgrades) && open.upgrades.includes("websocket");
    if (this.readyState === "open" && this.transport.name === "polling" && this.upgrade && offered &&
        this.transports.includes("websocket")) {
      this.#probe();
    }
  }

  #probe() {
    const probe = new WebSocketTransport(this.#transportUrl("websocket"), this.WebSocket);
    this.probe = probe;
    const giveUp = () => {
      probe.close();
      if (this.probe === probe) this.probe = null; // polling simply goes on
    };
    probe.onError = giveUp;
    probe.onClose = giveUp;
    probe.onSent = (frame) => this.onWire("sent", frame);
    probe.onOpen = () => probe.send([`${EIO.ping}probe`]);
    probe.onPacket = (frame) => {
      this.onWire("received", frame);
      if (frame !== `${EIO.pong}probe` || this.readyState !== "open") return giveUp();
      this.transport.pause((leftover) => {
        if (this.readyState !== "open" || this.probe !== probe) return giveUp();
        const polling = this.transport;
        this.probe = null;
        this.#use(probe);
        probe.send([EIO.upgrade]);
        probe.send(leftover); // what waited for a POST during the pause, in order
        polling.close();
        this.emitReserved("upgrade", probe.name);
      });
    };
    probe.open();
  }

  // Restarted at each ping: when it fires, the server (or the path to it) is gone even if TCP
  // has not noticed — a cable pulled out sends no FIN.
  #armPingTimer() {
    clearTimeout(this.pingTimer);
    this.pingDeadline = Date.now() + this.pingInterval + this.pingTimeout;
    this.pingTimer = setTimeout(() => this.#end("ping timeout"), this.pingInterval + this.pingTimeout);
  }

  // A failure: while opening it is an "error" (the attempt failed); once open, a "close".
  #fail(error, reason) {
    if (this.readyState === "opening") {
      this.#teardown();
      this.emitReserved("error", error);
    } else if (this.readyState === "open") {
      this.#end(reason, error.message);
    }
  }

  #end(reason, description) {
    if (this.readyState === "closed") return;
    const wasOpen = this.readyState === "open";
    this.#teardown();
    if (wasOpen) this.emitReserved("close", reason, description);
  }

  #teardown() {
    this.readyState = "closed";
    clearTimeout(this.pingTimer);
    this.transport?.close();
    this.probe?.close();
    this.probe = null;
  }
}

// =============================================================================================
// 6. Backoff: how long to wait before reconnection attempt n (n = 0, 1, 2 ...)
//
//   delay = min(max, min * 2^n), then moved at random by up to ± randomizationFactor of itself
//   (and capped at max again). The randomness ("jitter") matters: when a server restarts, a
//   thousand clients must not all come back in the same millisecond.

export class Backoff {
  constructor({ min = kDefaultReconnectionDelay, max = kDefaultReconnectionDelayMax,
    jitter = kDefaultRandomizationFactor, random = Math.random } = {}) {
    this.min = min;
    this.max = max;
    this.jitter = Math.min(Math.max(jitter, 0), 1);
    this.random = random;
    this.attempts = 0;
  }

  duration() {
    const base = Math.min(this.max, this.min * 2 ** this.attempts++);
    const deviation = this.jitter * base * (2 * this.random() - 1); // in [-jitter, +jitter) * base
    return Math.max(0, Math.floor(Math.min(this.max, base + deviation)));
  }

  reset() { this.attempts = 0; }
}

// =============================================================================================
// 7. The Manager: one Engine.IO connection, its reconnection, and the namespaces on it
//
// Events (local): "open", "close" (reason), "error" (a failed attempt), "ping", "packet",
// "reconnect_attempt" (n), "reconnect" (n), "reconnect_error" (error), "reconnect_failed".

export class Manager extends Emitter {
  constructor(uri, options = {}) {
    super();
    this.uri = uri;
    this.opts = options;
    this.nsps = {}; // namespace -> Socket
    this.subs = []; // unsubscribe functions for the current engine
    this.engine = null;
    this.decoder = new Decoder();
    this.wire = options.wire ?? null;
    this._readyState = "closed"; // "opening" | "open" | "closed"
    this._reconnecting = false;
    this.skipReconnect = false;
    this._reconnection = options.reconnection !== false;
    this._reconnectionAttempts = options.reconnectionAttempts ?? Infinity;
    this._timeout = options.timeout ?? kDefaultConnectTimeout;
    this._autoConnect = options.autoConnect !== false;
    this.backoff = new Backoff({
      min: options.reconnectionDelay ?? kDefaultReconnectionDelay,
      max: options.reconnectionDelayMax ?? kDefaultReconnectionDelayMax,
      jitter: options.randomizationFactor ?? kDefaultRandomizationFactor,
    });
    this.reconnectTimer = null;
    if (this._autoConnect) this.open();
  }

  get reconnecting() { return this._reconnecting; }

  // The Engine.IO URL: the path, the query, EIO=4 (the transport adds transport= and sid=).
  engineUrl() {
    const url = new URL(this.uri);
    if (url.protocol === "ws:") url.protocol = "http:";
    if (url.protocol === "wss:") url.protocol = "https:";
    url.pathname = this.opts.path ?? kDefaultPath;
    for (const [key, value] of Object.entries(this.opts.query ?? {})) url.searchParams.set(key, value);
    url.searchParams.set("EIO", String(kEngineIoVersion));
    url.hash = "";
    return url.href;
  }

  // Starts a connection attempt (nothing if one is open or under way). callback(error?) tells
  // how it ended; without one, a failure starts the reconnection.
  open(callback) {
    if (this._readyState === "open" || this._readyState === "opening") return this;
    const engine = new EngineConnection(this.engineUrl(), {
      WebSocket: this.opts.WebSocket ?? globalThis.WebSocket,
      fetch: this.opts.fetch ?? globalThis.fetch?.bind(globalThis),
      transports: this.opts.transports ?? kDefaultTransports,
      upgrade: this.opts.upgrade !== false,
      onWire: (direction, frame) => this.#report(direction, frame),
    });
    this.engine = engine;
    this._readyState = "opening";
    this.skipReconnect = false;

    let timer = null;
    const failed = (error) => {
      this.cleanup();
      this._readyState = "closed";
      this.emitReserved("error", error);
      if (callback) callback(error);
      else this.maybeReconnectOnOpen();
    };
    this.subs.push(subscribe(engine, "open", () => {
      this.onopen();
      if (callback) callback();
    }));
    this.subs.push(subscribe(engine, "error", failed));
    if (this._timeout !== false) {
      timer = setTimeout(() => {
        failed(new Error("timeout"));
        engine.close();
      }, this._timeout);
      this.subs.push(() => clearTimeout(timer));
    }
    engine.open();
    return this;
  }

  connect(callback) { return this.open(callback); }

  onopen() {
    this.cleanup();
    this._readyState = "open";
    this.emitReserved("open");
    const engine = this.engine;
    this.subs.push(
      subscribe(engine, "ping", () => this.emitReserved("ping")),
      subscribe(engine, "data", (data) => this.ondata(data)),
      subscribe(engine, "close", (reason, description) => this.onclose(reason, description)),
    );
  }

  ondata(frame) {
    let packet;
    try {
      packet = this.decoder.add(frame);
    } catch (error) {
      // After a malformed packet the stream cannot be trusted: close, and reconnect.
      const engine = this.engine;
      this.onclose("parse error", error.message);
      engine?.close();
      return;
    }
    if (packet) this.emitReserved("packet", packet);
  }

  // The first time a socket asks for a namespace it is created; later calls return it.
  socket(nsp, options = {}) {
    let socket = this.nsps[nsp];
    if (!socket) {
      socket = new Socket(this, nsp, options);
      this.nsps[nsp] = socket;
    } else if (this._autoConnect && !socket.active) {
      socket.connect();
    }
    return socket;
  }

  // A socket left: when no socket is active any more, the connection is closed for good.
  _destroy() {
    for (const socket of Object.values(this.nsps)) if (socket.active) return;
    this._close();
  }

  // Sends one Socket.IO packet: its text, then its attachments.
  _packet(packet) {
    if (!this.engine?.writable) return false;
    for (const frame of encodePacket(packet)) this.engine.send(frame);
    return true;
  }

  cleanup() {
    for (const unsubscribe of this.subs) unsubscribe();
    this.subs = [];
    this.decoder.reset();
  }

  _close() {
    this.skipReconnect = true;
    this._reconnecting = false;
    clearTimeout(this.reconnectTimer);
    const engine = this.engine;
    this.onclose("forced close");
    engine?.close();
  }

  disconnect() { this._close(); }

  onclose(reason, description) {
    this.cleanup();
    this.backoff.reset();
    const wasOpen = this._readyState === "open";
    this._readyState = "closed";
    if (wasOpen || reason !== "forced close") this.emitReserved("close", reason, description);
    if (this._reconnection && !this.skipReconnect) this.reconnect();
  }

  maybeReconnectOnOpen() {
    // Only after a first failure: later failures are the reconnection's own business.
    if (!this._reconnecting && this._reconnection && this.backoff.attempts === 0) this.reconnect();
  }

  reconnect() {
    if (this._reconnecting || this.skipReconnect) return;
    if (this.backoff.attempts >= this._reconnectionAttempts) {
      this.backoff.reset();
      this.emitReserved("reconnect_failed");
      this._reconnecting = false;
      return;
    }
    const delay = this.backoff.duration();
    this._reconnecting = true;
    this.reconnectTimer = setTimeout(() => {
      if (this.skipReconnect) return;
      this.emitReserved("reconnect_attempt", this.backoff.attempts);
      if (this.skipReconnect) return; // a listener may have closed us
      this.open((error) => {
        if (error) {
          this._reconnecting = false;
          this.reconnect();
          this.emitReserved("reconnect_error", error);
        } else {
          const attempts = this.backoff.attempts;
          this._reconnecting = false;
          this.backoff.reset();
          this.emitReserved("reconnect", attempts);
        }
      });
    }, delay);
  }

  #report(direction, frame) {
    if (!this.wire) return;
    this.wire({
      direction,
      raw: wireText(frame),
      binary: typeof frame !== "string",
      meaning: describeFrame(frame, direction),
    });
  }
}

// =============================================================================================
// 8. The Socket: one namespace on a Manager
//
// Local events: "connect", "disconnect" (reason, description), "connect_error" (error), and
// every event the server emits. Disconnect reasons, as in the official client:
//   "io server disconnect"  the server sent DISCONNECT (no automatic reconnection: connect() again)
//   "io client disconnect"  we called disconnect()
//   "ping timeout"          no ping for pingInterval + pingTimeout
//   "transport close"       the connection was closed (the server stopped, the network dropped)
//   "transport error"       the connection failed
//   "parse error"           the server sent something malformed
//   "forced close"          the Manager was closed

export class Socket extends Emitter {
  constructor(manager, nsp, options = {}) {
    super();
    this.io = manager;
    this.nsp = nsp;
    this.id = undefined;
    this.connected = false;
    this.recovered = false;
    this.auth = options.auth;
    this.sendBuffer = []; // packets waiting for the connection (bounded: maxBufferedPackets)
    this.receiveBuffer = []; // events that came before the CONNECT reply (same bound)
    this.droppedPackets = 0; // how many the full buffer pushed out
    this.maxBufferedPackets = options.maxBufferedPackets ?? kDefaultMaxBufferedPackets;
    this.ackTimeout = options.ackTimeout;
    this.ids = 0; // the next ack id (numbered per socket)
    this.acks = {}; // ack id -> callback
    this.flags = {}; // for the next emit only: volatile, timeout
    this.subs = null; // subscriptions to the Manager while active
    this._pid = undefined; // connection state recovery: private session id ...
    this._lastOffset = undefined; // ... and the offset of the last event received
    this._anyListeners = [];
    this._anyOutgoingListeners = [];
    if (manager._autoConnect) this.open();
  }

  // Active: wants to be connected (it reconnects by itself). False after disconnect(), a
  // server DISCONNECT or a CONNECT_ERROR.
  get active() { return this.subs !== null; }
  get disconnected() { return !this.connected; }

  // ---- joining the namespace ----------------------------------------------------------------

  connect() {
    if (this.connected) return this;
    this.#subscribe();
    if (!this.io.reconnecting) this.io.open(); // the Manager may be waiting to retry: let it
    if (this.io._readyState === "open") this.onopen();
    return this;
  }

  open() { return this.connect(); }

  #subscribe() {
    if (this.subs) return;
    const io = this.io;
    this.subs = [
      subscribe(io, "open", () => this.onopen()),
      subscribe(io, "packet", (packet) => this.onpacket(packet)),
      subscribe(io, "error", (error) => { if (!this.connected) this.emitReserved("connect_error", error); }),
      subscribe(io, "close", (reason, description) => this.onclose(reason, description)),
    ];
  }

  // The Engine.IO connection is up: ask to join the namespace (CONNECT, with auth). After a
  // drop, the pid and the last offset ride along so the server can resume the session.
  onopen() {
    const send = (auth) => {
      const data = this._pid ? { pid: this._pid, offset: this._lastOffset, ...auth } : auth;
      this.io._packet({ type: PacketType.CONNECT, nsp: this.nsp, data });
    };
    if (typeof this.auth === "function") this.auth(send);
    else send(this.auth);
  }

  onpacket(packet) {
    if (packet.nsp !== this.nsp) return;
    switch (packet.type) {
      case PacketType.CONNECT:
        if (packet.data && typeof packet.data.sid === "string") this.onconnect(packet.data.sid, packet.data.pid);
        else this.emitReserved("connect_error", new Error("invalid CONNECT reply (no sid): is this a Socket.IO v5 server?"));
        break;
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        this.onevent(packet);
        break;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.onack(packet);
        break;
      case PacketType.DISCONNECT:
        this.destroy();
        this.onclose("io server disconnect");
        break;
      case PacketType.CONNECT_ERROR: {
        this.destroy();
        const data = packet.data;
        const error = new Error(typeof data === "string" ? data : data?.message);
        error.data = data?.data;
        this.emitReserved("connect_error", error);
        break;
      }
    }
  }

  onconnect(id, pid) {
    this.id = id;
    this.recovered = Boolean(pid) && this._pid === pid;
    this._pid = pid; // undefined when the server does not offer recovery
    this.connected = true;
    // Flush first, then tell: what was buffered goes before what "connect" listeners emit.
    const received = this.receiveBuffer;
    this.receiveBuffer = [];
    for (const { packet, args } of received) this.#emitEvent(packet, args);
    const waiting = this.sendBuffer;
    this.sendBuffer = [];
    for (const packet of waiting) {
      this.#notifyOutgoing(packet);
      this.io._packet(packet);
    }
    this.emitReserved("connect");
  }

  // ---- receiving -------------------------------------------------------------------------------

  // Events can come before the CONNECT reply: a server recovering a session replays what we
  // missed first (the official server does). They wait in receiveBuffer (bounded like the send
  // buffer, oldest dropped) and reach the listeners right before "connect".
  onevent(packet) {
    const args = packet.data.slice();
    if (packet.id !== undefined) args.push(this.#ackFor(packet.id));
    if (this.connected) {
      this.#emitEvent(packet, args);
      return;
    }
    if (this.receiveBuffer.length >= this.maxBufferedPackets) this.receiveBuffer.shift();
    if (this.maxBufferedPackets > 0) this.receiveBuffer.push({ packet, args });
  }

  #emitEvent(packet, args) {
    for (const listener of this._anyListeners.slice()) listener.apply(this, args);
    this.emitReserved(...args);
    if (this._pid && packet.id === undefined && args.length > 0 && typeof args[args.length - 1] === "string") {
      this._lastOffset = args[args.length - 1];
    }
  }

  // The function a listener calls to answer the server's ack request (once; later calls do nothing).
  #ackFor(id) {
    let sent = false;
    return (...args) => {
      if (sent) return;
      sent = true;
      this.#packet({ type: PacketType.ACK, id, data: args });
    };
  }

  onack(packet) {
    const ack = this.acks[packet.id];
    if (typeof ack !== "function") return; // late (it timed out) or unknown: ignored
    delete this.acks[packet.id];
    const args = packet.data;
    if (ack.withError) ack.call(this, null, ...args);
    else ack.apply(this, args);
  }

  // ---- sending ---------------------------------------------------------------------------------

  // emit(event, ...args[, callback]) — a function as the last argument asks the server for an ack.
  emit(event, ...args) {
    if (kReservedEvents.has(event)) throw new Error(`"${event}" is a reserved event name`);
    const packet = { type: PacketType.EVENT, nsp: this.nsp, data: [event, ...args] };
    if (typeof args[args.length - 1] === "function") {
      const callback = packet.data.pop();
      packet.id = this.ids++;
      this.#registerAck(packet.id, callback);
    }
    const flags = this.flags;
    this.flags = {};
    const canWrite = this.io.engine?.writable === true;
    if (flags.volatile && !(canWrite && this.connected)) {
      this.#dropAck(packet, new Error("volatile packet dropped: not connected"));
    } else if (this.connected && canWrite) {
      this.#notifyOutgoing(packet);
      this.io._packet(packet);
    } else {
      this.#buffer(packet);
    }
    return this;
  }

  send(...args) { return this.emit("message", ...args); }

  emitWithAck(event, ...args) {
    return new Promise((resolve, reject) => {
      const settle = (error, value) => (error ? reject(error) : resolve(value));
      settle.withError = true; // so a disconnect or a full buffer rejects it: no promise waits forever
      this.emit(event, ...args, settle);
    });
  }

  #packet(packet) {
    packet.nsp = this.nsp;
    this.io._packet(packet);
  }

  #buffer(packet) {
    if (this.maxBufferedPackets <= 0) {
      this.droppedPackets++;
      this.#dropAck(packet, new Error("dropped: the offline buffer is full"));
      return;
    }
    while (this.sendBuffer.length >= this.maxBufferedPackets) {
      const oldest = this.sendBuffer.shift();
      this.droppedPackets++;
      this.#dropAck(oldest, new Error("dropped: the offline buffer is full"));
    }
    this.sendBuffer.push(packet);
  }

  // A packet that will never be sent: its ack callback is released (told, if it takes errors).
  #dropAck(packet, error) {
    if (packet.id === undefined) return;
    const ack = this.acks[packet.id];
    delete this.acks[packet.id];
    if (ack?.withError) ack.call(this, error);
  }

  #registerAck(id, callback) {
    const timeout = this.flags.timeout ?? this.ackTimeout;
    if (timeout === undefined) {
      this.acks[id] = callback;
      return;
    }
    const timer = setTimeout(() => {
      delete this.acks[id];
      this.sendBuffer = this.sendBuffer.filter((packet) => packet.id !== id); // too late to send it
      callback.call(this, new Error("operation has timed out"));
    }, timeout);
    const answered = (...args) => {
      clearTimeout(timer);
      callback.apply(this, args);
    };
    answered.withError = true; // the callback is error-first: (error, ...answer)
    this.acks[id] = answered;
  }

  // On a disconnect, acks that are no longer awaited by anything are settled now: error-first
  // callbacks get Error("socket has been disconnected"), plain ones are forgotten. Acks of
  // packets still in the buffer stay: those packets will be sent after the reconnection.
  #clearAcks() {
    const buffered = new Set(this.sendBuffer.map((packet) => packet.id));
    for (const id of Object.keys(this.acks)) {
      if (buffered.has(Number(id))) continue;
      const ack = this.acks[id];
      delete this.acks[id];
      if (ack.withError) ack.call(this, new Error("socket has been disconnected"));
    }
  }

  // ---- flags for the next emit -----------------------------------------------------------------

  get volatile() {
    this.flags.volatile = true;
    return this;
  }

  timeout(ms) {
    this.flags.timeout = ms;
    return this;
  }

  compress() { return this; } // WebSocket frames are not compressed here; kept for compatibility

  // ---- catch-all listeners ---------------------------------------------------------------------

  onAny(listener) { this._anyListeners.push(listener); return this; }
  prependAny(listener) { this._anyListeners.unshift(listener); return this; }
  offAny(listener) {
    this._anyListeners = listener ? this._anyListeners.filter((l) => l !== listener) : [];
    return this;
  }
  listenersAny() { return this._anyListeners.slice(); }
  onAnyOutgoing(listener) { this._anyOutgoingListeners.push(listener); return this; }
  prependAnyOutgoing(listener) { this._anyOutgoingListeners.unshift(listener); return this; }
  offAnyOutgoing(listener) {
    this._anyOutgoingListeners = listener ? this._anyOutgoingListeners.filter((l) => l !== listener) : [];
    return this;
  }
  listenersAnyOutgoing() { return this._anyOutgoingListeners.slice(); }

  #notifyOutgoing(packet) {
    for (const listener of this._anyOutgoingListeners.slice()) listener.apply(this, packet.data);
  }

  // ---- leaving -----------------------------------------------------------------------------------

  // Stops listening to the Manager; the Manager closes the connection when no socket is left.
  destroy() {
    if (!this.subs) return;
    for (const unsubscribe of this.subs) unsubscribe();
    this.subs = null;
    this.io._destroy();
  }

  disconnect() {
    const wasConnected = this.connected;
    if (wasConnected) this.#packet({ type: PacketType.DISCONNECT });
    this.destroy();
    if (wasConnected) this.onclose("io client disconnect");
    else this.#dropBuffered(); // never connected, never will: nothing may wait on the buffer
    return this;
  }

  close() { return this.disconnect(); }

  onclose(reason, description) {
    const wasConnected = this.connected;
    this.connected = false;
    this.id = undefined;
    if (wasConnected) this.emitReserved("disconnect", reason, description);
    if (!this.active) this.#dropBuffered();
    this.#clearAcks();
  }

  // A socket that will not reconnect sends nothing more: its buffer goes, with its acks.
  #dropBuffered() {
    this.receiveBuffer = [];
    const waiting = this.sendBuffer;
    this.sendBuffer = [];
    for (const packet of waiting) this.#dropAck(packet, new Error("socket has been disconnected"));
  }
}

// =============================================================================================
// 9. io(url, options): a Socket for the namespace in the URL
//
// One Manager (one Engine.IO connection) per server is shared by the namespaces asked for
// with the same URL origin and path ("multiplexing"), as the official client does; forceNew
// or multiplex: false, or asking for the same namespace twice, makes a new one.

const managers = new Map(); // "origin + path" -> Manager

export function io(uri, options) {
  if (typeof uri === "object" && uri !== null) {
    options = uri;
    uri = undefined;
  }
  options = options ?? {};
  const base = globalThis.location?.href;
  const url = new URL(uri ?? base ?? "", base);
  const nsp = url.pathname === "" ? "/" : url.pathname;
  const query = { ...Object.fromEntries(url.searchParams), ...(options.query ?? {}) };
  const key = url.origin + (options.path ?? kDefaultPath);
  const cached = managers.get(key);
  const sameNamespace = cached !== undefined && nsp in cached.nsps;
  let manager;
  if (options.forceNew || options["force new connection"] || options.multiplex === false || sameNamespace) {
    manager = new Manager(url.origin, { ...options, query });
  } else {
    if (!cached) managers.set(key, new Manager(url.origin, { ...options, query }));
    manager = managers.get(key);
  }
  return manager.socket(nsp, options);
}

export { io as connect };
export default io;
