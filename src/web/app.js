// looplab classroom page — the browser side of lesson 17 (WebSocket).
//
// Three WebSockets, one per panel of index.html, all to the server that served this page:
//   /echo     every message comes straight back        (what the seed snippet does)
//   /chat     every message goes to every open tab     (a broadcast)
//   /inspect  one JSON message per frame the server parsed from anybody (the frame inspector)
//
// Read it top to bottom: 1 small helpers, 2 a Channel (one WebSocket with a state light and a
// Reconnect button), 3 the echo panel, 4 the chat panel, 5 the inspector, 6 start-up.
//
// Everything the network sends us is put on the page with textContent, never innerHTML: a
// chat message like "<img src=x onerror=...>" must show up as text, not run.
"use strict";

// ---------------------------------------------------------------------------------------------
// 1. Small helpers

// Older lines are removed past these, so a tab left open all day does not grow without end.
const kMaxLogLines = 200;
const kMaxFrames = 100;

// Reconnect after an unexpected close: wait 1 s, 2 s, 4 s ... at most kMaxRetryDelayMs, and
// give up after kMaxRetries tries (the Reconnect button always works).
const kFirstRetryDelayMs = 1000;
const kMaxRetryDelayMs = 16000;
const kMaxRetries = 6;

function byId(id) {
  return document.getElementById(id);
}

// ws://host:port/path on the same host and port as this page (wss:// if the page is https).
function webSocketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

function timeNow() {
  return new Date().toLocaleTimeString();
}

// Bytes (Uint8Array or array of numbers) -> "48 65 6c 6c 6f".
function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

// "48 65 6c" -> [0x48, 0x65, 0x6c]. An empty or missing string gives [].
function fromHex(text) {
  if (!text) return [];
  return text.trim().split(/\s+/).map((pair) => parseInt(pair, 16));
}

// A number as 8 binary digits: 0x81 -> "10000001".
function toBits(byte) {
  return byte.toString(2).padStart(8, "0");
}

// Makes an element with a class and text (text goes in as text, never as HTML).
function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Adds a line to a log list, newest at the bottom, and keeps the list short.
function addLogLine(list, className, text) {
  const line = make("li", className);
  line.append(make("time", "", timeNow()), " ", make("span", "text", text));
  list.append(line);
  while (list.children.length > kMaxLogLines) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
  return line;
}

// ---------------------------------------------------------------------------------------------
// 2. Channel: one WebSocket, its state light and its Reconnect button.
//
// A WebSocket object cannot be reopened: once closed, reconnecting means making a new one.
// The life of one socket: CONNECTING -> OPEN -> CLOSING -> CLOSED (socket.readyState 0..3),
// shown in the state light as connecting / open / closing / closed.

class Channel {
  // path: "/echo"; name: "echo" (finds #echo-state and #echo-reconnect);
  // onMessage(data): called with a string (text message) or an ArrayBuffer (binary message).
  constructor(path, name, onMessage) {
    this.path = path;
    this.onMessage = onMessage;
    this.onOpen = () => {};
    this.stateLight = byId(`${name}-state`);
    this.socket = null;
    this.retries = 0;
    this.retryTimer = null;
    byId(`${name}-url`).textContent = webSocketUrl(path);
    byId(`${name}-reconnect`).addEventListener("click", () => this.reconnect());
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.showState("connecting", "connecting");
    const socket = new WebSocket(webSocketUrl(this.path));
    socket.binaryType = "arraybuffer"; // binary messages arrive as ArrayBuffer, not Blob
    this.socket = socket;

    socket.onopen = () => {
      this.retries = 0;
      this.showState("open", "open");
      this.onOpen();
    };
    socket.onmessage = (event) => this.onMessage(event.data);
    // onerror says nothing useful on purpose (browsers hide the reason); onclose follows it.
    socket.onclose = (event) => {
      if (socket !== this.socket) return; // an old socket, already replaced by reconnect()
      const why = event.reason ? ` ${event.reason}` : "";
      this.showState("closed", `closed (${event.code}${why})`);
      if (!socket.closedOnPurpose) this.scheduleRetry();
    };
  }

  // The Reconnect button: a clean close (code 1000) of the old socket, then a new one at once.
  // We do not wait for the old close handshake to finish; the server completes it.
  reconnect() {
    const old = this.socket;
    this.socket = null;
    if (old && old.readyState <= WebSocket.OPEN) {
      old.closedOnPurpose = true;
      old.close(1000, "reconnect button");
    }
    this.retries = 0;
    this.connect();
  }

  // After an unexpected close (server stopped, network gone): try again a few times, waiting
  // longer each time, so a restarted `make demo` is found again without hammering it.
  scheduleRetry() {
    if (this.retries >= kMaxRetries) return;
    const delay = Math.min(kFirstRetryDelayMs * 2 ** this.retries, kMaxRetryDelayMs);
    this.retries += 1;
    this.stateLight.textContent += ` · retry in ${delay / 1000} s`;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  // Sends a string (text frame) or bytes (binary frame). False when not open: a WebSocket
  // throws if you send while CONNECTING, and silently drops data sent after it closed.
  send(data) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(data);
    return true;
  }

  showState(state, text) {
    this.stateLight.dataset.state = state;
    this.stateLight.textContent = text;
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Echo panel: send a message, the server sends the same message back.

function startEcho() {
  const input = byId("echo-input");
  const asBinary = byId("echo-binary");
  const log = byId("echo-log");

  const echo = new Channel("/echo", "echo", (data) => {
    if (typeof data === "string") {
      addLogLine(log, "received", `received text: ${data}`);
    } else {
      const bytes = new Uint8Array(data);
      addLogLine(log, "received", `received binary (${bytes.length} bytes): ${toHex(bytes)}`);
    }
  });

  byId("echo-form").addEventListener("submit", (event) => {
    event.preventDefault(); // a form would otherwise reload the page
    const text = input.value;
    if (asBinary.checked) {
      const bytes = new TextEncoder().encode(text); // the UTF-8 bytes of the text
      if (echo.send(bytes)) {
        addLogLine(log, "sent", `sent binary (${bytes.length} bytes): ${toHex(bytes)}`);
      } else {
        addLogLine(log, "error", "not connected: press Reconnect");
      }
    } else if (echo.send(text)) {
      addLogLine(log, "sent", `sent text: ${text}`);
    } else {
      addLogLine(log, "error", "not connected: press Reconnect");
    }
  });

  echo.connect();
}

// ---------------------------------------------------------------------------------------------
// 4. Chat panel: every message goes to every tab on /chat, this one included.
//
// The server knows nothing about names: a chat message is one plain text line "name: text".
// We recognise our own lines because the server sends them back to us too, in the order we
// sent them: the oldest line we are still waiting for is the next of ours to come back.

function startChat() {
  const nameInput = byId("chat-name");
  const input = byId("chat-input");
  const log = byId("chat-log");
  const waitingForOurOwn = []; // lines we sent that have not come back yet, oldest first

  nameInput.value = `student-${Math.floor(100 + Math.random() * 900)}`;

  const chat = new Channel("/chat", "chat", (data) => {
    if (typeof data !== "string") return; // the chat is text only
    const ours = waitingForOurOwn.length > 0 && waitingForOurOwn[0] === data;
    if (ours) waitingForOurOwn.shift();
    const line = addLogLine(log, ours ? "own" : "other", data);
    line.dataset.from = ours ? "me" : "someone else";
  });
  // Lines still waiting when the socket closed will never come back: forget them.
  chat.onOpen = () => {
    waitingForOurOwn.length = 0;
  };

  byId("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === "") return;
    const name = nameInput.value.trim() || "anonymous";
    const line = `${name}: ${text}`;
    if (chat.send(line)) {
      waitingForOurOwn.push(line);
      input.value = "";
    } else {
      addLogLine(log, "error", "not connected: press Reconnect");
    }
  });

  chat.connect();
}

// ---------------------------------------------------------------------------------------------
// 5. Frame inspector: the server describes each frame it parsed, as JSON, e.g.
//   {"endpoint":"/echo","client":3,"fin":true,"rsv":0,"opcode":1,"opcode_name":"text",
//    "masked":true,"mask_key":"37fa213d","payload_length":5,
//    "header_hex":"81 85 37 fa 21 3d","payload_hex":"48 65 6c 6c 6f","payload_text":"Hello"}
// The payload is already unmasked, and cut to its first 64 bytes ("truncated":true then).
// We draw the header byte by byte, with the bits of bytes 0 and 1 split into their fields.

const kOpcodeNames = {
  0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong",
};

function opcodeName(opcode) {
  return kOpcodeNames[opcode] || "reserved";
}

// One header byte as a cell: its hex on top, its bits below (coloured by field), a label.
// `groups` splits the 8 bits: [[width, cssClass], ...], e.g. [[1,"fin"],[3,"rsv"],[4,"op"]].
function byteCell(byte, groups, label) {
  const cell = make("span", "byte");
  cell.append(make("span", "hex", byte.toString(16).padStart(2, "0")));
  const bits = make("span", "bits");
  const allBits = toBits(byte);
  let at = 0;
  for (const [width, cssClass] of groups) {
    bits.append(make("span", `bit ${cssClass}`, allBits.slice(at, at + width)));
    at += width;
  }
  cell.append(bits, make("span", "label", label));
  return cell;
}

// The header bytes, annotated: byte 0, byte 1, extended length, masking key.
function headerCells(header) {
  const row = make("div", "bytes header-bytes");
  if (header.length < 2) return row;
  row.append(byteCell(header[0], [[1, "fin"], [3, "rsv"], [4, "op"]], "FIN RSV opcode"));
  row.append(byteCell(header[1], [[1, "mask"], [7, "len"]], "MASK length"));
  const length7 = header[1] & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  let at = 2;
  for (let i = 0; i < extended && at < header.length; i += 1, at += 1) {
    row.append(byteCell(header[at], [[8, "len"]], i === 0 ? "ext. length" : ""));
  }
  for (let i = 0; at < header.length; i += 1, at += 1) {
    row.append(byteCell(header[at], [[8, "key"]], i === 0 ? "masking key" : ""));
  }
  return row;
}

// What the header says, in words, one field per line.
function headerFields(frame, header) {
  const table = make("table", "fields");
  const addRow = (name, cssClass, value) => {
    const row = make("tr");
    const nameCell = make("th");
    nameCell.append(make("span", `bit ${cssClass}`, name));
    row.append(nameCell, make("td", "", value));
    table.append(row);
  };
  const length7 = header.length >= 2 ? header[1] & 0x7f : frame.payload_length;
  addRow("FIN", "fin", frame.fin ? "1: last frame of the message" : "0: more frames follow");
  const rsv = frame.rsv || 0;
  addRow("RSV1-3", "rsv", `${rsv.toString(2).padStart(3, "0")}${rsv ? " (not allowed without an extension)" : ""}`);
  addRow("opcode", "op", `${frame.opcode.toString(16).toUpperCase()}: ${frame.opcode_name || opcodeName(frame.opcode)}`);
  addRow("MASK", "mask", frame.masked ? "1: masked (as every client frame must be)" : "0: not masked (a client must mask: 1002)");
  let lengthText = `${frame.payload_length} bytes`;
  if (length7 === 126) lengthText += " (7-bit field 126: the next 2 bytes hold the length)";
  else if (length7 === 127) lengthText += " (7-bit field 127: the next 8 bytes hold the length)";
  addRow("length", "len", lengthText);
  if (frame.masked && frame.mask_key) addRow("masking key", "key", frame.mask_key.match(/../g).join(" "));
  return table;
}

// The payload as it travelled (masked) and after unmasking, plus its meaning when it has one.
function payloadBlock(frame) {
  const block = make("div", "payload");
  const payload = fromHex(frame.payload_hex);
  const more = frame.payload_length - payload.length;
  const tail = more > 0 ? ` … (${more} more bytes not shown)` : "";
  if (frame.payload_length === 0) {
    block.append(make("div", "payload-line", "payload: empty"));
    return block;
  }
  if (frame.masked && frame.mask_key) {
    const key = fromHex(frame.mask_key.match(/../g).join(" "));
    const onWire = payload.map((b, i) => b ^ key[i % 4]);
    block.append(make("div", "payload-line wire", `on the wire (masked): ${toHex(onWire)}${tail}`));
  }
  block.append(make("div", "payload-line plain", `payload (unmasked): ${toHex(payload)}${tail}`));

  if (frame.opcode === 8 && payload.length >= 2) {
    // A close payload: a 2-byte big-endian status code, then a UTF-8 reason.
    const code = (payload[0] << 8) | payload[1];
    const reason = new TextDecoder().decode(new Uint8Array(payload.slice(2)));
    block.append(make("div", "payload-line meaning", `close code ${code}${reason ? `, reason "${reason}"` : ""}`));
  } else if (frame.opcode !== 2 && typeof frame.payload_text === "string") {
    block.append(make("div", "payload-line meaning payload-text", `as text: ${frame.payload_text}${more > 0 ? " …" : ""}`));
  }
  return block;
}

function renderFrame(frame) {
  const header = fromHex(frame.header_hex);
  const item = make("li", "frame");
  // data-* attributes: handy in the developer tools, and used by tests/browser.
  item.dataset.opcode = String(frame.opcode);
  item.dataset.masked = String(frame.masked);
  item.dataset.endpoint = frame.endpoint;

  const name = frame.opcode_name || opcodeName(frame.opcode);
  const summary = make("div", "frame-summary");
  summary.append(
    make("time", "", timeNow()),
    " ",
    make("strong", `opcode-name op-${name}`, name),
    ` from client ${frame.client} on ${frame.endpoint} · ${frame.fin ? "FIN" : "not FIN"} · ` +
      `${frame.masked ? "masked" : "UNMASKED"} · ${frame.payload_length} bytes`,
  );
  item.append(summary, headerCells(header), headerFields(frame, header), payloadBlock(frame));
  return item;
}

function startInspector() {
  const log = byId("inspector-log");
  const inspector = new Channel("/inspect", "inspector", (data) => {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      addLogLine(log, "error", `not JSON: ${String(data).slice(0, 80)}`);
      return;
    }
    log.append(renderFrame(frame));
    while (log.children.length > kMaxFrames) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
  });
  byId("inspector-clear").addEventListener("click", () => log.replaceChildren());
  inspector.connect();
}

// ---------------------------------------------------------------------------------------------
// 6. Start-up

// The snippet in the page says ws://localhost:3000; show the address this page really uses.
function fixSnippetAddress() {
  const code = byId("snippet-code");
  code.textContent = code.textContent.replace("ws://localhost:3000", webSocketUrl(""));
}

// The inspector first, so that it is listening before the echo and chat sockets say hello.
startInspector();
startEcho();
startChat();
fixSnippetAddress();
