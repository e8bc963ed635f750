// tests/interop/lib/looplab_client_peers.mjs — our JavaScript client (src/web/looplab-client.js)
// as test peers, and the servers it is tested against, each started and stopped with a deadline.
//
// A Peer (lib/socketio_peers.mjs) records every event a socket gets, so none is missed
// between two awaits; it only needs the socket API (on, onAny, timeout().emit, disconnect),
// which our client shares with the official one. ServerProcess starts one contract server
// (ours, the C++ binary, or the official Node one, lib/reference_contract_server.mjs) as a
// child process on a port of its own, and can stop it and start it again on the same port.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { io } from "../../../src/web/looplab-client.js";
import { Peer, kWaitMs, whenConnected } from "./socketio_peers.mjs";

export { kWaitMs };

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");

// How long a server may take to print its first line, and to exit after a signal.
const kServerStartMs = 10000;
const kServerStopMs = 5000;
// The heartbeat tests/interop/run gives our shared contract server: roomy on two busy cores.
export const kServerFlags = ["--ping-interval", "1000", "--ping-timeout", "1000", "--state-recovery-ms", "120000"];

// Our client with the test defaults: its own Manager, no reconnection unless asked, and the
// npm `ws` class as the WebSocket (Node 20 has no global one).
export function startPeer(url, options = {}) {
  return new Peer(io(url, { WebSocket, forceNew: true, reconnection: false, timeout: kWaitMs, ...options }));
}

export async function openPeer(url, options = {}) {
  return whenConnected(startPeer(url, options));
}

// Resolves with the arguments of the next `name` event on `emitter`; rejects after waitMs.
export function next(emitter, name, waitMs = kWaitMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`timed out after ${waitMs} ms waiting for "${name}"`));
    }, waitMs);
    const listener = (...args) => {
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(args);
    };
    emitter.on(name, listener);
  });
}

// Rejects if `promise` has not settled within waitMs (with `what` in the message).
export function within(promise, what, waitMs = kWaitMs) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${waitMs} ms waiting for ${what}`)), waitMs);
    }),
  ]);
}

// Binary values compared as bytes, whatever their view (ArrayBuffer, Uint8Array, Buffer).
export function plain(value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return { bytes: Buffer.from(value instanceof ArrayBuffer ? value : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)).toString("hex") };
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

// A port nothing listens on (taken from the kernel, then released).
export async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// One contract server as a child process. start() resolves once it printed
// "socketio contract server: http://localhost:PORT/".
export class ServerProcess {
  static ours(flags = kServerFlags) {
    let build = process.env.LOOPLAB_BUILD ?? "build/g++";
    if (!path.isAbsolute(build)) build = path.join(root, build);
    return new ServerProcess(path.join(build, "interop", "socketio_contract_server"), ["--host", "127.0.0.1", ...flags]);
  }

  static reference(flags = kServerFlags) {
    return new ServerProcess(process.execPath, [path.join(here, "reference_contract_server.mjs"), ...flags]);
  }

  constructor(command, args) {
    this.command = command;
    this.args = args;
    this.child = null;
    this.port = 0;
    this.stderr = "";
  }

  url(namespace = "/") {
    return `http://127.0.0.1:${this.port}${namespace === "/" ? "" : namespace}`;
  }

  // On port 0 the kernel picks; start() again after stop() reuses the same port.
  async start() {
    const child = spawn(this.command, [...this.args, "--port", String(this.port)], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stderr.on("data", (chunk) => { this.stderr = (this.stderr + chunk).slice(-2000); });
    let out = "";
    this.port = await within(new Promise((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /socketio contract server: http:\/\/localhost:(\d+)\//.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`${this.command} exited at start (status ${code}): ${this.stderr}`)));
    }), `${path.basename(this.command)} to start`, kServerStartMs);
    return this;
  }

  // SIGKILL is a crash (connections just end); SIGTERM a clean stop.
  async stop(signal = "SIGTERM") {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    try {
      await within(exited, "the server to exit", kServerStopMs);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    } finally {
      this.child = null;
    }
  }
}

// The contract server that tests/interop/run started for every file (LOOPLAB_SIO_PORT).
export function sharedContractServer() {
  const port = Number(process.env.LOOPLAB_SIO_PORT);
  if (!port) throw new Error("LOOPLAB_SIO_PORT is not set: run the tests with tests/interop/run");
  return { port, url: (namespace = "/") => `http://127.0.0.1:${port}${namespace === "/" ? "" : namespace}`, stop: async () => {} };
}
