// tests/interop/lib/engineio_peers.mjs — Engine.IO (and Socket.IO packets) by hand against the
// contract server: HTTP requests with node's fetch, WebSockets with npm's `ws`. Every wait
// has a deadline (kWaitMs): a server that stays silent fails a test, never hangs it.
import WebSocket from "ws";
import { contractPort, kWaitMs } from "./socketio_peers.mjs";

export { kWaitMs };

export const httpBase = () => `http://127.0.0.1:${contractPort()}`;

// fetch with a deadline; resolves with { status, headers, body (text) }.
export async function request(path, init = {}) {
  const response = await fetch(`${httpBase()}${path}`, { ...init, signal: AbortSignal.timeout(kWaitMs) });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

// A polling handshake on `path`; the open packet's data ({ sid, upgrades, ... }).
export async function openPollingSession(path = "/engine.io/") {
  const response = await request(`${path}?EIO=4&transport=polling`);
  if (response.status !== 200 || response.body[0] !== "0") {
    throw new Error(`handshake on ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return JSON.parse(response.body.slice(1));
}

// A WebSocket that keeps every frame it receives (text as strings, binary as Buffers).
export class RawWebSocket {
  // Resolves once the WebSocket is open (rejects if the server refuses the upgrade).
  static async open(path, options = {}) {
    const raw = new RawWebSocket(path, options);
    await raw.opened();
    return raw;
  }

  // options.autoPong: answer every ping ("2") with a pong ("3") and keep pings out of frames
  // (for tests that wait longer than pingInterval and care about other packets only).
  // options.ignore(frame): true for frames to drop (broadcasts other test files cause).
  constructor(path, { autoPong = false, ignore = () => false } = {}) {
    this.socket = new WebSocket(`ws://127.0.0.1:${contractPort()}${path}`);
    this.frames = [];
    this.read = 0;
    this.closeCode = null;
    this.isOpen = false;
    this.openError = null;
    this.waiters = new Set();
    this.socket.on("open", () => {
      this.isOpen = true;
      this.wake();
    });
    this.socket.on("message", (data, isBinary) => {
      if (autoPong && !isBinary && data.toString() === "2") {
        this.socket.send("3");
        return;
      }
      if (!isBinary && ignore(data.toString())) return;
      this.frames.push(isBinary ? Buffer.from(data) : data.toString());
      this.wake();
    });
    this.socket.on("unexpected-response", (req, res) => {
      this.openError = new Error(`upgrade refused with HTTP ${res.statusCode}`);
      this.openError.status = res.statusCode;
      req.destroy();
      this.closeCode = "refused";
      this.wake();
    });
    this.socket.on("close", (code) => {
      if (this.closeCode === null) this.closeCode = code;
      this.wake();
    });
    this.socket.on("error", (error) => {
      if (!this.isOpen && !this.openError) this.openError = error;
      if (this.closeCode === null && !this.isOpen) this.closeCode = "error";
      this.wake();
    });
  }

  wake() {
    for (const waiter of this.waiters) waiter();
  }

  async until(ready, what, waitMs = kWaitMs) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const value = ready();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${waitMs} ms waiting for ${what}; frames ${JSON.stringify(this.frames)}`);
      }
      await new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  async opened() {
    await this.until(() => this.isOpen || this.closeCode !== null, "the WebSocket to open");
    if (!this.isOpen) throw this.openError || new Error(`closed (${this.closeCode}) before it opened`);
  }

  // The next frame, whatever it is.
  async next(waitMs = kWaitMs) {
    await this.until(() => this.frames.length > this.read || this.closeCode !== null, "a frame", waitMs);
    if (this.frames.length <= this.read) throw new Error(`closed (${this.closeCode}) while waiting for a frame`);
    return this.frames[this.read++];
  }

  // The next frame that is not a ping ("2"); pings are answered ("3") on the way.
  async nextMessage(waitMs = kWaitMs) {
    for (;;) {
      const frame = await this.next(waitMs);
      if (frame !== "2") return frame;
      this.send("3");
    }
  }

  // Resolves with the close code once the server closed the connection.
  async closed(waitMs = kWaitMs) {
    await this.until(() => this.closeCode !== null, "the server to close the connection", waitMs);
    return this.closeCode;
  }

  send(data) {
    this.socket.send(data);
  }

  terminate() {
    this.socket.terminate();
  }
}

// A Socket.IO connection by hand on /socket.io/ over WebSocket: handshake done, CONNECT sent
// for "/" with `auth` (none when undefined), CONNECT reply and the contract's `auth` event
// read. Returns { raw, sid (the Socket.IO id) }.
// Every socket on "/" hears `shout`s (to all of "/") from tests running at the same time in
// other files; a raw peer that waits for a given packet drops them.
export const kSocketIoNoise = (frame) => frame.startsWith('42["shout",');

export async function openSocketIo(auth) {
  const raw = await RawWebSocket.open("/socket.io/?EIO=4&transport=websocket",
    { autoPong: true, ignore: kSocketIoNoise });
  const open = await raw.next();
  if (!String(open).startsWith("0")) throw new Error(`expected the open packet, got ${open}`);
  raw.send(auth === undefined ? "40" : `40${JSON.stringify(auth)}`);
  const reply = await raw.nextMessage();
  if (!String(reply).startsWith("40")) throw new Error(`expected a CONNECT reply, got ${reply}`);
  const authEvent = await raw.nextMessage();
  if (!String(authEvent).startsWith('42["auth"')) throw new Error(`expected the auth event, got ${authEvent}`);
  const handshake = JSON.parse(reply.slice(2));
  return { raw, sid: handshake.sid, hasPid: typeof handshake.pid === "string" };
}

// The data of an EVENT frame `42[<id>][...]` on "/" ({ id, data }), or null for anything else.
// With connection state recovery on (hasPid), an event without an ack id carries an offset
// as its last element: it is dropped here.
export function parseEvent(frame, hasPid) {
  const match = /^42(\d*)(\[.*)$/s.exec(String(frame));
  if (!match) return null;
  const data = JSON.parse(match[2]);
  const id = match[1] === "" ? null : Number(match[1]);
  if (hasPid && id === null && typeof data[data.length - 1] === "string") data.pop();
  return { id, data };
}
