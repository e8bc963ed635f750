// tests/interop/lib/socketio_peers.mjs — the official socket.io-client against our Socket.IO
// contract server, with a deadline on every wait.
//
// tests/interop/run starts tests/interop/socketio_contract_server on a free port and passes it
// down as LOOPLAB_SIO_PORT. A Peer wraps one client socket: it records every event the server
// emits to it (so none is missed between two awaits) and turns "wait for X" into a promise
// that fails after kWaitMs with what it was waiting for, never one that hangs.
import { io } from "socket.io-client";

export const kWaitMs = 5000;

export function contractPort() {
  const port = Number(process.env.LOOPLAB_SIO_PORT);
  if (!port) throw new Error("LOOPLAB_SIO_PORT is not set: run the tests with tests/interop/run");
  return port;
}

export function contractUrl(namespace = "/") {
  return `http://127.0.0.1:${contractPort()}${namespace === "/" ? "" : namespace}`;
}

// A room name no other test (or test file running at the same time) uses.
export function uniqueName(prefix) {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

// Resolves with `peer` once the server accepted it; on a refusal closes it and rejects.
export async function whenConnected(peer) {
  try {
    await peer.connected();
  } catch (error) {
    peer.close();
    throw error;
  }
  return peer;
}

export class Peer {
  // Connects `namespace` and resolves once the server accepted it (CONNECT reply); rejects
  // with the server's connect_error. Each Peer has its own Manager (forceNew) and does not
  // reconnect unless `options` say so.
  static async open(namespace = "/", options = {}) {
    return whenConnected(Peer.start(namespace, options));
  }

  // The same without waiting: for tests that want to see a refusal or the first events.
  static start(namespace = "/", options = {}) {
    const socket = io(contractUrl(namespace), {
      forceNew: true,
      reconnection: false,
      timeout: kWaitMs,
      ...options,
    });
    return new Peer(socket);
  }

  constructor(socket) {
    this.socket = socket;
    this.events = []; // { name, args } from the server, in arrival order
    this.disconnects = []; // reasons
    this.connectErrors = [];
    this.connects = 0;
    this.handshakes = []; // the Engine.IO open packets' data ({ sid, upgrades, ... })
    this.waiters = new Set();
    // The Manager made its first Engine.IO client already (autoConnect).
    if (socket.io.engine) socket.io.engine.once("handshake", (data) => this.handshakes.push(data));
    socket.onAny((name, ...args) => this.record({ name, args: this.withoutOffset(args) }));
    socket.on("connect", () => {
      this.connects += 1;
      this.wake();
    });
    socket.on("connect_error", (error) => {
      this.connectErrors.push(error);
      this.wake();
    });
    socket.on("disconnect", (reason) => {
      this.disconnects.push(reason);
      this.wake();
    });
  }

  get id() {
    return this.socket.id;
  }

  get engine() {
    return this.socket.io.engine;
  }

  // With connection state recovery on, the server appends an offset (a string) to every
  // event it sends without an ack request, and socket.io-client hands it to the listeners as
  // the last argument (it keeps it as its resume point). The client knows recovery is on
  // once the CONNECT reply carried a pid (kept in the client's _pid). Events that ask for an
  // ack carry no offset.
  withoutOffset(args) {
    const last = args[args.length - 1];
    if (!this.socket._pid || typeof last === "function" || typeof last !== "string") return args;
    return args.slice(0, -1);
  }

  record(event) {
    this.events.push(event);
    this.wake();
  }

  wake() {
    for (const waiter of this.waiters) waiter();
  }

  // Waits until ready() returns something truthy (checked after each event) and returns it.
  async until(ready, what, waitMs = kWaitMs) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const value = ready();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${waitMs} ms waiting for ${what}` +
          (this.disconnects.length ? ` (disconnected: ${this.disconnects.join(", ")})` : ""));
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

  async connected(count = 1) {
    await this.until(() => this.connects >= count || this.connectErrors.length > 0,
      `the namespace connect (#${count})`);
    if (this.connects < count) throw this.connectErrors[this.connectErrors.length - 1];
  }

  // The connect_error the server sent (the client gives up after it: no reconnection).
  async refusal() {
    await this.until(() => this.connectErrors.length > 0 || this.connects > 0, "a connect_error");
    if (this.connectErrors.length === 0) throw new Error("the server accepted the namespace");
    return this.connectErrors[0];
  }

  // The first recorded event called `name` whose args satisfy `match`; its args.
  async event(name, match = () => true, waitMs = kWaitMs) {
    const found = await this.until(
      () => this.events.find((event) => event.name === name && match(event.args)),
      `event "${name}"`, waitMs);
    return found.args;
  }

  // Every recorded event called `name` (whose args satisfy `match`).
  all(name, match = () => true) {
    return this.events.filter((event) => event.name === name && match(event.args)).map((e) => e.args);
  }

  async disconnected() {
    await this.until(() => this.disconnects.length > 0, "the disconnect");
    return this.disconnects[0];
  }

  // Emits with an ack request; resolves with the ack's arguments as an array.
  async ack(name, ...args) {
    return new Promise((resolve, reject) => {
      this.socket.timeout(kWaitMs).emit(name, ...args, (error, ...reply) => {
        if (error) reject(new Error(`no ack for "${name}" within ${kWaitMs} ms (${error.message})`));
        else resolve(reply);
      });
    });
  }

  close() {
    this.socket.disconnect();
  }
}

// Opens several peers at once (they connect concurrently).
export async function openAll(count, namespace = "/", options = {}) {
  const settled = await Promise.allSettled(
    Array.from({ length: count }, () => Peer.open(namespace, options)));
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) {
    settled.forEach((result) => result.status === "fulfilled" && result.value.close());
    throw failed.reason;
  }
  return settled.map((result) => result.value);
}

export function closeAll(peers) {
  for (const peer of peers) peer.close();
}
