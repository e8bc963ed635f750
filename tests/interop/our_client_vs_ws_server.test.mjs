// Our C++ WebSocket client ($LOOPLAB_BUILD/interop/ws_client_cli) against npm's ws server.
//
// The CLI's contract: it connects to --url, sends each --send TEXT as a text message (and each
// --send-binary-hex HEX as a binary one; --fragment N splits the NEXT message into N frames),
// prints every message it receives as "text: <payload>" or "binary: <hex>", and once it has
// received as many messages as it sent, closes with --close-code C --close-reason R, prints
// "closed: <code> <reason>" and exits 0. Any protocol error: non-zero, the reason on stderr.
//
// The server side is a ws WebSocketServer on port 0. A sniffer also reads the raw bytes the
// client sends (on the upgraded TCP socket), so the tests can check what ws hides: that every
// frame is masked with a fresh key and that --fragment really produced N frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { execFile } from "node:child_process";
import { WebSocketServer } from "ws";
import { acceptFor } from "./lib/raw.mjs";

const kCliTimeoutMs = 10000;
const build = process.env.LOOPLAB_BUILD || path.resolve("../../build/g++");
const cli = path.join(build, "interop", "ws_client_cli");

// Runs the CLI; resolves with { status, signal, timedOut, stdout, stderr, lines } (never
// rejects). `status` is the exit status (a number) when the process exited by itself, null
// when a signal ended it (`signal` then names it; `timedOut` says it was our timeout's kill).
function runCli(args) {
  return new Promise((resolve) => {
    execFile(cli, args, { timeout: kCliTimeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      const signal = error ? error.signal || null : null;
      const timedOut = Boolean(error && error.killed);
      resolve({ status, signal, timedOut, stdout, stderr, lines: stdout.split("\n").filter((line) => line !== "") });
    });
  });
}

// The CLI's refusal, and nothing else: it exited by itself (no signal, not killed by our
// timeout) with status 1, the status its fail() uses, and said why on stderr in its own
// words. A crash is not a refusal: a SIGSEGV or an abort ends it by a signal, a shell reports
// those as 139/134, and ASan/UBSan exit 1 too but write their report instead of our line.
function assertRefused(result) {
  const seen = `status ${result.status}, signal ${result.signal}, timed out ${result.timedOut}; stderr: ${result.stderr}`;
  assert.equal(result.timedOut, false, `ws_client_cli hung and was killed after ${kCliTimeoutMs} ms (${seen})`);
  assert.equal(result.signal, null, `ws_client_cli was ended by a signal (${seen})`);
  assert.equal(result.status, 1, `ws_client_cli did not refuse with exit status 1 (${seen})`);
  assert.doesNotMatch(result.stderr, /Sanitizer|runtime error:/, `ws_client_cli crashed (${seen})`);
  assert.match(result.stderr, /^ws_client_cli: \S/m, `no reason on stderr (${seen})`);
}

// "0a ff" / "0AFF" / "0a:ff" -> "0aff", to compare hex however the CLI spaces it.
const plainHex = (text) => text.replace(/[^0-9a-fA-F]/g, "").toLowerCase();

// Parses the client's frames out of the raw bytes it sent after the upgrade request.
function frameSniffer() {
  let bytes = Buffer.alloc(0);
  const frames = [];
  const feed = (chunk) => {
    bytes = Buffer.concat([bytes, chunk]);
    for (;;) {
      if (bytes.length < 2) return;
      let length = bytes[1] & 0x7f;
      const masked = (bytes[1] & 0x80) !== 0;
      let at = length === 126 ? 4 : length === 127 ? 10 : 2;
      if (bytes.length < at + (masked ? 4 : 0)) return;
      if (length === 126) length = bytes.readUInt16BE(2);
      if (length === 127) length = Number(bytes.readBigUInt64BE(2));
      const key = masked ? bytes.subarray(at, at + 4).toString("hex") : null;
      if (masked) at += 4;
      if (bytes.length < at + length) return;
      frames.push({ fin: (bytes[0] & 0x80) !== 0, rsv: (bytes[0] >> 4) & 7, opcode: bytes[0] & 0x0f, masked, key, length });
      bytes = bytes.subarray(at + length);
    }
  };
  return { frames, feed };
}

// Starts a ws server on 127.0.0.1:0. `onConnection(socket)` decides what it does (default:
// echo every message with the same type). Returns { url, frames, events, close() }.
async function startWsServer(onConnection) {
  const httpServer = http.createServer((req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const sniffed = frameSniffer();
  const events = { closes: [], pongs: [], messages: [] };
  httpServer.on("upgrade", (req, socket, head) => {
    socket.on("data", sniffed.feed);
    sniffed.feed(head); // bytes that came in the same read as the request
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => {});
      ws.on("close", (code, reason) => events.closes.push({ code, reason: reason.toString() }));
      ws.on("pong", (data) => events.pongs.push(data.toString()));
      ws.on("message", (data, isBinary) => events.messages.push({ data, isBinary }));
      (onConnection || ((s) => s.on("message", (data, isBinary) => s.send(data, { binary: isBinary }))))(ws);
    });
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${httpServer.address().port}/echo`,
    frames: sniffed.frames,
    events,
    close: () => {
      for (const client of wss.clients) client.terminate();
      httpServer.close();
    },
  };
}

// Runs the CLI against a fresh ws echo server and returns both sides' view.
async function againstWs(args, onConnection) {
  const server = await startWsServer(onConnection);
  try {
    const result = await runCli(["--url", server.url, ...args]);
    // The server saw the close before the client exited; give its event a moment to fire.
    for (let i = 0; i < 50 && server.events.closes.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { ...result, server };
  } finally {
    server.close();
  }
}

function assertExitedCleanly(result) {
  assert.equal(result.status, 0,
    `ws_client_cli exited with ${result.status} (signal ${result.signal}, timed out ${result.timedOut}); stderr: ${result.stderr}`);
}

if (!fs.existsSync(cli)) {
  test("our C++ client against npm's ws server", () => {
    assert.fail(`${cli} is missing: build it (make tests) — these interop tests did not run`);
  });
} else {
  test("two text messages are echoed by ws and printed in order, then a clean 1000 close", async () => {
    const result = await againstWs(["--send", "hello", "--send", "world", "--close-code", "1000", "--close-reason", "done"]);
    assertExitedCleanly(result);
    assert.deepEqual(result.lines, ["text: hello", "text: world", "closed: 1000 done"]);
    assert.deepEqual(result.server.events.closes, [{ code: 1000, reason: "done" }]);
  });

  test("UTF-8 text and an empty message survive the round trip", async () => {
    const result = await againstWs(["--send", "héllo 👋 €", "--send", "", "--close-code", "1000", "--close-reason", "ok"]);
    assertExitedCleanly(result);
    assert.deepEqual(result.lines, ["text: héllo 👋 €", "text: ", "closed: 1000 ok"]);
  });

  test("a binary message given as hex is sent as binary and printed back as hex", async () => {
    const result = await againstWs(["--send-binary-hex", "00ff10a5", "--close-code", "1000", "--close-reason", "bin"]);
    assertExitedCleanly(result);
    assert.equal(result.lines.length, 2, result.stdout);
    assert.match(result.lines[0], /^binary: /);
    assert.equal(plainHex(result.lines[0].slice("binary: ".length)), "00ff10a5");
    assert.equal(result.server.events.messages[0].isBinary, true);
    assert.ok(result.server.events.messages[0].data.equals(Buffer.from([0x00, 0xff, 0x10, 0xa5])));
  });

  test("every frame the client sends is masked, each with a fresh key", async () => {
    const result = await againstWs(["--send", "a", "--send", "b", "--send", "c", "--close-code", "1000", "--close-reason", "x"]);
    assertExitedCleanly(result);
    const frames = result.server.frames;
    assert.ok(frames.length >= 4, `expected 3 data frames and a close, sniffed ${frames.length}`);
    assert.ok(frames.every((f) => f.masked), "a client frame was not masked");
    assert.ok(frames.every((f) => f.rsv === 0), "a client frame had an RSV bit set");
    const keys = new Set(frames.map((f) => f.key));
    assert.equal(keys.size, frames.length, "masking keys were reused");
  });

  test("--fragment 3 sends one text message as 3 frames that ws reassembles", async () => {
    const result = await againstWs(["--fragment", "3", "--send", "fragmented hello", "--close-code", "1000", "--close-reason", "f"]);
    assertExitedCleanly(result);
    assert.deepEqual(result.lines, ["text: fragmented hello", "closed: 1000 f"]);
    const data = result.server.frames.filter((f) => f.opcode <= 2);
    assert.deepEqual(data.map((f) => [f.opcode, f.fin]), [[1, false], [0, false], [0, true]]);
    assert.equal(data.reduce((sum, f) => sum + f.length, 0), Buffer.byteLength("fragmented hello"));
    assert.equal(result.server.events.messages.length, 1);
  });

  test("--fragment applies to the next message only", async () => {
    const result = await againstWs(["--send", "one", "--fragment", "2", "--send-binary-hex", "010203", "--send", "three",
      "--close-code", "1000", "--close-reason", "n"]);
    assertExitedCleanly(result);
    const data = result.server.frames.filter((f) => f.opcode <= 2);
    assert.deepEqual(data.map((f) => [f.opcode, f.fin]), [[1, true], [2, false], [0, true], [1, true]]);
  });

  test("a 65536-byte message uses the 64-bit length form and comes back whole", async () => {
    const big = "x".repeat(65536);
    const result = await againstWs(["--send", big, "--close-code", "1000", "--close-reason", "big"]);
    assertExitedCleanly(result);
    assert.equal(result.lines[0], `text: ${big}`);
    assert.equal(result.server.frames[0].length, 65536);
  });

  test("an application close code 4000 and its reason reach ws and are echoed back", async () => {
    const result = await againstWs(["--send", "bye", "--close-code", "4000", "--close-reason", "app done"]);
    assertExitedCleanly(result);
    assert.deepEqual(result.server.events.closes, [{ code: 4000, reason: "app done" }]);
    assert.equal(result.lines.at(-1), "closed: 4000 app done");
  });

  test("a ping from ws gets a pong with the same payload", async () => {
    const result = await againstWs(["--send", "after ping", "--close-code", "1000", "--close-reason", "p"], (ws) => {
      ws.ping("are you there?");
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    assertExitedCleanly(result);
    assert.deepEqual(result.server.events.pongs, ["are you there?"]);
    assert.deepEqual(result.lines, ["text: after ping", "closed: 1000 p"]);
  });

  test("a reply fragmented by ws with a ping between the fragments is printed once, whole", async () => {
    const result = await againstWs(["--send", "abcdef", "--close-code", "1000", "--close-reason", "r"], (ws) => {
      ws.on("message", (data) => {
        const text = data.toString();
        ws.send(text.slice(0, 2), { fin: false });
        ws.ping("mid-message");
        ws.send(text.slice(2, 4), { fin: false });
        ws.send(text.slice(4), { fin: true });
      });
    });
    assertExitedCleanly(result);
    assert.deepEqual(result.lines, ["text: abcdef", "closed: 1000 r"]);
    assert.deepEqual(result.server.events.pongs, ["mid-message"]);
  });

  test("when ws closes first with 1001, the client answers and reports it", async () => {
    const result = await againstWs(["--send", "hi", "--close-code", "1000", "--close-reason", "late"], (ws) => {
      ws.on("message", () => ws.close(1001, "server going away"));
    });
    // The server closed before echoing, so the client never got its one message back: it
    // must still finish the closing handshake and report the server's code. The handshake
    // it finished is a clean close, which the CLI reports with exit status 0.
    assertExitedCleanly(result);
    assert.match(result.stdout, /closed: 1001 server going away/);
    assert.equal(result.server.events.closes[0].code, 1001);
  });

  // A hand-made server, for answers ws would never send.
  async function againstRawServer(respond) {
    const server = net.createServer((socket) => {
      let request = "";
      socket.on("error", () => {});
      socket.on("data", (chunk) => {
        request += chunk.toString("latin1");
        if (!request.includes("\r\n\r\n")) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(request)[1];
        respond(socket, key);
        request = "";
      });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      return await runCli(["--url", `ws://127.0.0.1:${server.address().port}/`, "--send", "x", "--close-code", "1000", "--close-reason", "r"]);
    } finally {
      server.close();
    }
  }

  const switching = (accept) =>
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;

  test("a wrong Sec-WebSocket-Accept makes the client fail (non-zero, reason on stderr)", async () => {
    const result = await againstRawServer((socket) => socket.write(switching("d3JvbmcgYWNjZXB0IHZhbHVlIQ==")));
    assertRefused(result);
  });

  test("a masked frame from the server makes the client fail (non-zero, reason on stderr)", async () => {
    const result = await againstRawServer((socket, key) => {
      // "x" masked with key 01 02 03 04: servers must never mask (RFC 6455 §5.1).
      socket.write(Buffer.concat([Buffer.from(switching(acceptFor(key))), Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x78 ^ 1])]));
    });
    assertRefused(result);
  });

  test("a 400 answer to the upgrade makes the client fail (non-zero, reason on stderr)", async () => {
    const result = await againstRawServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
    assertRefused(result);
  });
}
