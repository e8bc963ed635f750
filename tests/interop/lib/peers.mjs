// tests/interop/lib/peers.mjs — where the server under test is, and npm `ws` clients with
// deadlines.
//
// tests/interop/run starts the classroom server on a free port and passes it down as
// LOOPLAB_PORT. The helpers turn ws's events into promises that fail after kWaitMs instead of
// waiting for ever.
import WebSocket from "ws";

export const kWaitMs = 10000;

export function serverPort() {
  const port = Number(process.env.LOOPLAB_PORT);
  if (!port) throw new Error("LOOPLAB_PORT is not set: run the tests with tests/interop/run");
  return port;
}

export function serverUrl(path = "/echo") {
  return `ws://127.0.0.1:${serverPort()}${path}`;
}

// Resolves with the first value `register(resolve, reject)` produces, or rejects after waitMs.
export function withDeadline(what, register, waitMs = kWaitMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${waitMs} ms waiting for ${what}`)), waitMs);
    register(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// An open ws client that records everything it receives, so no event is missed between awaits.
export class Client {
  static async open(path = "/echo", options = {}) {
    const socket = new WebSocket(serverUrl(path), options);
    const client = new Client(socket);
    await withDeadline(`the ws client to open ${path}`, (resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
      socket.once("unexpected-response", (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  constructor(socket) {
    this.socket = socket;
    this.messages = []; // { data: Buffer, isBinary }
    this.pongs = []; // Buffer payloads
    this.errors = [];
    this.closed = null; // { code, reason } once closed
    this.wake = () => {};
    socket.on("message", (data, isBinary) => {
      this.messages.push({ data, isBinary });
      this.wake();
    });
    socket.on("pong", (data) => {
      this.pongs.push(data);
      this.wake();
    });
    socket.on("error", (error) => {
      this.errors.push(error);
      this.wake();
    });
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  async until(ready, what, waitMs = kWaitMs) {
    const deadline = Date.now() + waitMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${waitMs} ms waiting for ${what}` +
          (this.closed ? ` (closed with ${this.closed.code} ${this.closed.reason})` : ""));
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  // The next message not read yet.
  async nextMessage(waitMs = kWaitMs) {
    this.read = this.read || 0;
    await this.until(() => this.messages.length > this.read || this.closed, "a message", waitMs);
    if (this.messages.length <= this.read) {
      throw new Error(`closed with ${this.closed.code} "${this.closed.reason}" before a message arrived`);
    }
    return this.messages[this.read++];
  }

  async waitClosed(waitMs = kWaitMs) {
    await this.until(() => this.closed !== null, "the close", waitMs);
    return this.closed;
  }

  // Sends one message and returns the echo.
  async echo(data, options = {}) {
    this.socket.send(data, options);
    return this.nextMessage();
  }

  close(code, reason) {
    if (this.socket.readyState <= WebSocket.OPEN) this.socket.close(code, reason);
  }

  terminate() {
    this.socket.terminate();
  }
}
