// The opening handshake (RFC 6455 §4) typed by hand, and the static HTTP side of the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serverPort } from "./lib/peers.mjs";
import { RawPeer, httpRequest, upgradeRequest, acceptFor, frame, Opcode } from "./lib/raw.mjs";

function request(path, headers) {
  return upgradeRequest(path, serverPort(), headers).text;
}

test("the RFC's sample key gets the RFC's sample accept value", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    peer.send(request("/echo", { "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==" }));
    const response = await peer.readHttpHead();
    assert.equal(response.status, 101);
    assert.equal(response.headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert.equal(acceptFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert.equal(response.headers.upgrade.toLowerCase(), "websocket");
    assert.match(response.headers.connection, /upgrade/i);
  } finally {
    peer.destroy();
  }
});

test("header names and the Upgrade/Connection values are case-insensitive token lists", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    peer.send(`GET /echo HTTP/1.1\r\nhost: x\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, Upgrade\r\n` +
      `sec-websocket-key: ${key}\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n`);
    const response = await peer.readHttpHead();
    assert.equal(response.status, 101);
  } finally {
    peer.destroy();
  }
});

for (const version of ["8", "12"]) {
  test(`version ${version} gets 426 with Sec-WebSocket-Version: 13`, async () => {
    const response = await httpRequest(serverPort(), request("/echo", { "Sec-WebSocket-Version": version }));
    assert.equal(response.status, 426);
    assert.match(response.headers["sec-websocket-version"] || "", /\b13\b/);
  });
}

test("a missing Sec-WebSocket-Key gets 400", async () => {
  const response = await httpRequest(serverPort(), request("/echo", { "Sec-WebSocket-Key": null }));
  assert.equal(response.status, 400);
});

test("a Sec-WebSocket-Key that is not 16 bytes of base64 gets 400", async () => {
  const response = await httpRequest(serverPort(), request("/echo", { "Sec-WebSocket-Key": "c2hvcnQ=" }));
  assert.equal(response.status, 400);
});

test("an upgrade without Connection: Upgrade is not switched (400 or another 4xx)", async () => {
  const response = await httpRequest(serverPort(), request("/echo", { Connection: "keep-alive" }));
  assert.notEqual(response.status, 101);
  assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
});

test("an upgrade to an unknown path is refused with 404", async () => {
  const response = await httpRequest(serverPort(), request("/no-such-endpoint"));
  assert.equal(response.status, 404);
});

test("a frame sent in the same TCP write as the upgrade request is echoed, not lost", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    const pipelined = Buffer.concat([
      frame({ opcode: Opcode.text, payload: Buffer.from("first, pipelined") }),
      frame({ opcode: Opcode.text, payload: Buffer.from("second, pipelined") }),
    ]);
    await peer.upgrade("/echo", serverPort(), { extra: pipelined });
    assert.equal((await peer.readFrame()).payload.toString(), "first, pipelined");
    assert.equal((await peer.readFrame()).payload.toString(), "second, pipelined");
  } finally {
    peer.destroy();
  }
});

// "/" is the classroom chat (lesson 18); lesson 17's echo page moved to /inspector.html.
test("GET / returns the chat page and GET /inspector.html the echo page, as text/html", async () => {
  const chat = await httpRequest(serverPort(), `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assert.equal(chat.status, 200);
  assert.match(chat.headers["content-type"], /^text\/html/);
  assert.match(chat.body.toString(), /id="nick-input"/);
  const response = await httpRequest(serverPort(), `GET /inspector.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assert.equal(response.status, 200);
  assert.match(response.headers["content-type"], /^text\/html/);
  assert.match(response.body.toString(), /id="echo-input"/);
});

test("GET /app.js and /style.css are served with their types", async () => {
  const js = await httpRequest(serverPort(), `GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.equal(js.status, 200);
  assert.match(js.headers["content-type"], /javascript/);
  const css = await httpRequest(serverPort(), `GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.equal(css.status, 200);
  assert.match(css.headers["content-type"], /^text\/css/);
});

test("HEAD / gives the headers of GET / and no body", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    peer.send(`HEAD / HTTP/1.1\r\nHost: x\r\n\r\n`);
    const response = await peer.readHttpHead();
    assert.equal(response.status, 200);
    assert.match(response.headers["content-type"], /^text\/html/);
    // A HEAD response has no body even though Content-Length says how long GET's would be;
    // a GET on the same connection must be answered next, not body bytes.
    peer.send(`GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n`);
    const next = await peer.readHttpHead();
    assert.equal(next.status, 200);
    assert.match(next.headers["content-type"], /^text\/css/);
  } finally {
    peer.destroy();
  }
});

test("a missing file is 404 and another method is 405", async () => {
  const missing = await httpRequest(serverPort(), `GET /nope.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assert.equal(missing.status, 404);
  const post = await httpRequest(serverPort(), `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  assert.equal(post.status, 405);
});

for (const target of ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/web/../../../etc/passwd"]) {
  test(`GET ${target} does not escape the web root`, async () => {
    const response = await httpRequest(serverPort(), `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 403, 404].includes(response.status), `got ${response.status}`);
    assert.doesNotMatch(response.body.toString(), /root:/);
  });
}

test("two pipelined GET requests are both answered, in order", async () => {
  const peer = await RawPeer.connect(serverPort());
  try {
    peer.send(`GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /app.js HTTP/1.1\r\nHost: x\r\n\r\n`);
    const first = await peer.readHttpResponse();
    const second = await peer.readHttpResponse();
    assert.match(first.headers["content-type"], /css/);
    assert.match(second.headers["content-type"], /javascript/);
  } finally {
    peer.destroy();
  }
});
