// tests/interop/lib/raw.mjs — a hand-made WebSocket peer on a plain TCP socket.
//
// npm's `ws` refuses to send broken frames, so the tests that check how our server reacts to
// protocol violations write the bytes themselves: an HTTP upgrade request typed by hand, then
// frames built bit by bit (RFC 6455 §5.2). Every wait here has a deadline: a server that
// stays silent makes a test fail, never hang.
import net from "node:net";
import crypto from "node:crypto";

// How long a raw peer waits for bytes the server owes it before the test fails.
export const kWaitMs = 5000;

// The GUID every server appends to the key before hashing it (RFC 6455 §1.3).
const kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

// The Sec-WebSocket-Accept a server must answer for `key`.
export function acceptFor(key) {
  return crypto.createHash("sha1").update(key + kAcceptGuid).digest("base64");
}

// A fresh Sec-WebSocket-Key: base64 of 16 random bytes.
export function newKey() {
  return crypto.randomBytes(16).toString("base64");
}

// An upgrade request. `headers` adds or replaces headers; a header set to null is left out.
export function upgradeRequest(path, port, headers = {}) {
  const all = {
    Host: `127.0.0.1:${port}`,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": newKey(),
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  let text = `GET ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(all)) {
    if (value !== null) text += `${name}: ${value}\r\n`;
  }
  return { text: `${text}\r\n`, key: all["Sec-WebSocket-Key"] };
}

// One frame as bytes. Client frames are masked unless `mask: false`; `length` lets a test
// declare a length different from the payload's (e.g. a huge one it never sends).
export function frame({ opcode, payload = Buffer.alloc(0), fin = true, rsv = 0, mask = true,
  maskKey = crypto.randomBytes(4), length = payload.length }) {
  const data = Buffer.from(payload);
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) {
    head.push(maskBit | length);
  } else if (length < 65536) {
    head.push(maskBit | 126, length >> 8, length & 0xff);
  } else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const masked = Buffer.from(data.map((b, i) => b ^ maskKey[i % 4]));
  return Buffer.concat([Buffer.from(head), Buffer.from(maskKey), masked]);
}

// A close frame's payload: 2-byte big-endian code, then the UTF-8 reason.
export function closePayload(code, reason = "") {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(code);
  return Buffer.concat([bytes, Buffer.from(reason)]);
}

// A TCP connection with a receive buffer and deadline-bounded reads.
export class RawPeer {
  static connect(port, host = "127.0.0.1") {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, kWaitMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new RawPeer(socket));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.received = Buffer.alloc(0);
    this.ended = false; // the server closed (FIN or RST)
    this.wake = () => {};
    socket.on("data", (chunk) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    const onEnd = () => {
      this.ended = true;
      this.wake();
    };
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onEnd); // e.g. ECONNRESET: for these tests, the same as "closed"
  }

  send(bytes) {
    this.socket.write(bytes);
  }

  destroy() {
    this.socket.destroy();
  }

  // Waits until `ready()` is true (checked after every chunk), the peer ends, or the deadline.
  async waitFor(ready, what, waitMs = kWaitMs) {
    const deadline = Date.now() + waitMs;
    while (!ready()) {
      if (this.ended) throw new Error(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${waitMs} ms waiting for ${what}`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  // Removes and returns the first n received bytes.
  take(n) {
    const bytes = this.received.subarray(0, n);
    this.received = this.received.subarray(n);
    return bytes;
  }

  // Reads an HTTP response head: { status, headers (lower-case names), body-so-far }.
  async readHttpHead() {
    await this.waitFor(() => this.received.includes("\r\n\r\n"), "an HTTP response head");
    const end = this.received.indexOf("\r\n\r\n");
    const head = this.take(end + 4).toString("latin1");
    const [statusLine, ...lines] = head.trimEnd().split("\r\n");
    const headers = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { statusLine, status: Number(statusLine.split(" ")[1]), headers };
  }

  // Reads the whole HTTP response (head + Content-Length body, or body until the server
  // closes when there is no Content-Length).
  async readHttpResponse({ head = false } = {}) {
    const response = await this.readHttpHead();
    const length = response.headers["content-length"];
    if (head) {
      response.body = Buffer.alloc(0);
    } else if (/chunked/i.test(response.headers["transfer-encoding"] || "")) {
      response.body = await this.readChunkedBody();
    } else if (length !== undefined) {
      await this.waitFor(() => this.received.length >= Number(length), "the response body");
      response.body = this.take(Number(length));
    } else {
      await this.waitForEnd();
      response.body = this.take(this.received.length);
    }
    return response;
  }

  // A chunked body: "<hex size>\r\n<data>\r\n" ... "0\r\n\r\n" (trailers are not expected).
  async readChunkedBody() {
    const parts = [];
    for (;;) {
      await this.waitFor(() => this.received.includes("\r\n"), "a chunk size");
      const size = parseInt(this.take(this.received.indexOf("\r\n") + 2).toString("latin1"), 16);
      await this.waitFor(() => this.received.length >= size + 2, "a chunk");
      parts.push(Buffer.from(this.take(size)));
      this.take(2);
      if (size === 0) return Buffer.concat(parts);
    }
  }

  // Sends a handshake for `path`; resolves with the 101 response or throws on another status.
  // `extra` bytes go in the SAME write as the request (a pipelined first frame).
  async upgrade(path, port, { headers = {}, extra = Buffer.alloc(0) } = {}) {
    const request = upgradeRequest(path, port, headers);
    this.send(Buffer.concat([Buffer.from(request.text), extra]));
    const response = await this.readHttpHead();
    if (response.status !== 101) {
      throw new Error(`expected 101, got "${response.statusLine}"`);
    }
    if (response.headers["sec-websocket-accept"] !== acceptFor(request.key)) {
      throw new Error(`wrong Sec-WebSocket-Accept "${response.headers["sec-websocket-accept"]}"`);
    }
    return response;
  }

  // Reads one server frame: { fin, rsv, opcode, masked, payload }.
  async readFrame(waitMs = kWaitMs) {
    await this.waitFor(() => this.received.length >= 2, "a frame header", waitMs);
    const b0 = this.received[0];
    const b1 = this.received[1];
    let length = b1 & 0x7f;
    let headerLength = 2;
    if (length === 126) headerLength = 4;
    if (length === 127) headerLength = 10;
    const masked = (b1 & 0x80) !== 0;
    if (masked) headerLength += 4;
    await this.waitFor(() => this.received.length >= headerLength, "a frame header", waitMs);
    if (length === 126) length = this.received.readUInt16BE(2);
    if (length === 127) length = Number(this.received.readBigUInt64BE(2));
    await this.waitFor(() => this.received.length >= headerLength + length, "a frame payload", waitMs);
    const header = this.take(headerLength);
    let payload = Buffer.from(this.take(length));
    if (masked) {
      const key = header.subarray(headerLength - 4);
      payload = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
    }
    return { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload };
  }

  // Reads frames until a close frame; returns { code, reason } (code 1005 when it had no code).
  async readClose(waitMs = kWaitMs) {
    for (;;) {
      const got = await this.readFrame(waitMs);
      if (got.opcode !== Opcode.close) continue;
      if (got.payload.length < 2) return { code: 1005, reason: "", masked: got.masked };
      return {
        code: got.payload.readUInt16BE(0),
        reason: got.payload.subarray(2).toString("utf8"),
        masked: got.masked,
      };
    }
  }

  // Waits until the server has closed the TCP connection.
  async waitForEnd(waitMs = kWaitMs) {
    const deadline = Date.now() + waitMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the server did not close the TCP connection within ${waitMs} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

// One HTTP request on a fresh connection; resolves with { status, headers, body }.
export async function httpRequest(port, text, options = {}) {
  const peer = await RawPeer.connect(port);
  try {
    peer.send(text);
    return await peer.readHttpResponse(options);
  } finally {
    peer.destroy();
  }
}
