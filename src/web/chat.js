// chat.js — the classroom chat page (index.html), lesson 18.
//
// Everything the page does goes through one Socket.IO socket (looplab-client.js, written
// here, no build step). The server's side and the event names are in
// src/classroom/chat_room.hpp:
//   we send     join, leave, nickname (a rename), message (with an ack: the ✓), typing (volatile)
//   we receive  welcome, rooms, presence, message, history, typing
// Reconnection is the client's: when the connection drops it retries with backoff, and what
// we emit meanwhile waits in socket.sendBuffer, sent in order once it is back. The page only
// shows it (the offline banner, messages without ✓). On every (re)connection the CONNECT
// carries auth {nickname, rooms}: the server puts us back in the rooms we were in.
//
// Reading order: 1 state · 2 the socket and its events · 3 rooms · 4 messages and ticks ·
// 5 typing · 6 presence · 7 the wire panel · 8 the nickname prompt.
import { io } from "/looplab-client.js";

// =============================================================================================
// 1. State (the page is the only writer of these)

const kTypingIdleMs = 2000;       // we say "stopped typing" after this long without a key
const kTypingShownMs = 4000;      // someone's "typing" fades if no update comes (volatile: lost ones happen)
const kWireMaxEntries = 400;      // the wire panel keeps the newest entries only
const kWireRawShown = 300;        // characters of a raw packet shown in the panel
const kNicknameKey = "looplab-chat-nickname";   // sessionStorage: one name per tab

const $ = (id) => document.getElementById(id);

const state = {
  nickname: "",
  joined: [],                    // rooms we are in, in join order
  current: "",                   // the room on screen
  rooms: [],                     // [{name, members}] from the server
  presence: new Map(),           // room -> [nicknames]
  messages: new Map(),           // room -> [{key, from, text, at, id, status, mine, payload}]
  unread: new Map(),             // room -> count of messages that arrived while away
  typing: new Map(),             // room -> Map(nickname -> timer)
  nextKey: 1,
};

let socket = null;

// =============================================================================================
// 2. The socket: made once, after the nickname prompt

function connect(nickname) {
  state.nickname = nickname;
  const usePolling = new URLSearchParams(location.search).has("polling");
  socket = io(location.origin, {
    // A function, so that each reconnection sends the rooms we are in NOW.
    auth: (send) => send({ nickname: state.nickname, rooms: state.joined }),
    transports: usePolling ? ["polling", "websocket"] : ["websocket"],
    wire: onWire,
  });

  socket.on("connect", () => {
    setConnection("connected", `connected as ${socket.id}`);
    $("offline-banner").hidden = true;
    refreshPending();
  });
  socket.on("disconnect", (reason) => {
    setConnection("offline", `offline (${reason})`);
    showOffline(`Connection lost (${reason}). Reconnecting…`);
    markUnconfirmed();
    // The server said goodbye on purpose ("io server disconnect"): a Socket.IO client does not
    // come back by itself then, so the page asks again.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });
  socket.io.on("reconnect_attempt", (attempt) => {
    setConnection("connecting", `reconnecting (attempt ${attempt})`);
    showOffline(`Reconnecting (attempt ${attempt})…`);
  });
  socket.on("connect_error", (error) => {
    // A CONNECT_ERROR from the server (the nickname was refused) ends this socket: back to
    // the prompt. Anything else is the network: the client keeps retrying by itself.
    if (!socket.active) {
      socket = null;
      setConnection("idle", "not connected");
      showPrompt(error.message);
    } else {
      setConnection("connecting", `cannot connect: ${error.message}`);
    }
  });

  socket.on("welcome", (welcome) => {
    state.nickname = welcome.nickname;
    sessionStorage.setItem(kNicknameKey, welcome.nickname);
    $("me").textContent = welcome.nickname;
    state.joined = [...welcome.rooms];
    if (!state.joined.includes(state.current)) state.current = state.joined[0] ?? "";
    $("message-input").maxLength = welcome.limits.message;
    $("room-input").maxLength = welcome.limits.room;
    $("nick-form").hidden = true;
    $("chat").hidden = false;
    $("rename-form").hidden = false;
    renderAll();
    $("message-input").focus();
  });
  socket.on("rooms", (rooms) => {
    state.rooms = rooms;
    renderRooms();
  });
  socket.on("presence", ({ room, members }) => {
    state.presence.set(room, members);
    if (room === state.current) renderPresence();
  });
  socket.on("message", (message) => {
    addMessage(message.room, { ...message, status: "received", mine: false });
    stopShowingTyping(message.room, message.from);
  });
  // What was said in a room while we were away (or before we joined): added unless we have
  // that message already.
  socket.on("history", ({ room, messages }) => {
    // ids count from 1 again when the server restarts: (id, at) tells two messages apart.
    const keyOf = (entry) => `${entry.id}@${entry.at}`;
    const have = new Set((state.messages.get(room) ?? []).filter((entry) => entry.id !== undefined).map(keyOf));
    const missing = messages.filter((entry) => !have.has(keyOf(entry)));
    if (missing.length === 0) return;
    if (!state.messages.has(room)) state.messages.set(room, []);
    const list = state.messages.get(room);
    for (const entry of missing) {
      // One of ours whose ack was lost with the connection (⚠): it did arrive after all.
      const ours = list.find((own) => own.mine && own.status === "unconfirmed" && own.text === entry.text && entry.from === state.nickname);
      if (ours) Object.assign(ours, { id: entry.id, at: entry.at, status: "acked" });
      else list.push({ key: state.nextKey++, ...entry, status: "received", mine: false });
    }
    // By the server's time, then id (with `make demo SERVERS=2` each server counts its own
    // ids, so an id alone does not order two servers' messages); ours still waiting for an
    // answer stay at the end.
    const waiting = (entry) => (entry.id === undefined ? 1 : 0);
    list.sort((a, b) => waiting(a) - waiting(b) || a.at - b.at || (a.id ?? 0) - (b.id ?? 0) || a.key - b.key);
    if (room === state.current) renderMessages();
  });
  socket.on("typing", ({ room, nickname, typing }) => {
    if (typing) showTyping(room, nickname);
    else stopShowingTyping(room, nickname);
  });
}

function setConnection(name, text) {
  $("conn-state").dataset.state = name;
  $("conn-state").textContent = text;
}

function showOffline(text) {
  $("offline-banner").hidden = false;
  $("offline-detail").dataset.text = text;
  refreshPending();
}

// The banner counts what waits in the client's offline buffer.
function refreshPending() {
  const waiting = socket ? socket.sendBuffer.filter((packet) => packet.data?.[0] === "message").length : 0;
  const base = $("offline-detail").dataset.text ?? "Reconnecting…";
  $("offline-detail").textContent = waiting > 0
    ? `${base} ${waiting} message${waiting === 1 ? "" : "s"} waiting to be sent.`
    : base;
}

// =============================================================================================
// 3. Rooms

function renderRooms() {
  const list = $("room-list");
  list.replaceChildren();
  const names = new Set(state.rooms.map((room) => room.name));
  // Rooms we are in always show, even before the server's list has them.
  const rooms = [...state.rooms, ...state.joined.filter((name) => !names.has(name)).map((name) => ({ name, members: 1 }))];
  for (const { name, members } of rooms) {
    const item = document.createElement("li");
    item.dataset.room = name;
    const isJoined = state.joined.includes(name);
    item.classList.toggle("joined", isJoined);
    item.classList.toggle("current", name === state.current);
    const label = document.createElement("button");
    label.type = "button";
    label.className = "room-name";
    label.textContent = `# ${name}`;
    label.title = isJoined ? "show this room" : "join this room";
    label.addEventListener("click", () => (isJoined ? selectRoom(name) : joinRoom(name)));
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = String(members);
    item.append(label, count);
    const unread = state.unread.get(name) ?? 0;
    if (unread > 0) {
      const badge = document.createElement("span");
      badge.className = "unread";
      badge.textContent = `${unread} new`;
      item.append(badge);
    }
    list.append(item);
  }
  $("current-room").textContent = state.current ? `# ${state.current}` : "no room: join one";
  $("room-leave").disabled = !state.current;
  $("message-send").disabled = !state.current;
}

function selectRoom(name) {
  state.current = name;
  state.unread.delete(name);
  renderAll();
}

function joinRoom(name) {
  $("room-error").textContent = "";
  socket.emit("join", name, (answer) => {
    if (answer.error) {
      $("room-error").textContent = answer.error;
      return;
    }
    if (!state.joined.includes(answer.room)) state.joined.push(answer.room);
    state.presence.set(answer.room, answer.members);
    selectRoom(answer.room);
  });
}

function leaveRoom(name) {
  $("room-error").textContent = "";
  socket.emit("leave", name, (answer) => {
    if (answer.error) {
      $("room-error").textContent = answer.error;
      return;
    }
    state.joined = state.joined.filter((room) => room !== answer.room);
    state.presence.delete(answer.room);
    if (state.current === answer.room) state.current = state.joined[0] ?? "";
    renderAll();
  });
}

$("room-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("room-input").value.trim();
  if (!name) return;
  $("room-input").value = "";
  joinRoom(name);
});
$("room-leave").addEventListener("click", () => {
  if (state.current) leaveRoom(state.current);
});

// =============================================================================================
// 4. Messages and their ticks
//
// Ours start "pending" (no ✓): sent, or held in the offline buffer. The server's ack makes
// them "acked" (✓, with its id and time). A disconnect while one was on its way without an
// answer makes it "unconfirmed" (⚠): its ack can no longer arrive. An {error} answer makes
// it "refused" with the reason.

function addMessage(room, message) {
  if (!state.messages.has(room)) state.messages.set(room, []);
  const entry = { key: state.nextKey++, ...message };
  state.messages.get(room).push(entry);
  if (room === state.current) appendMessage(entry);
  else {
    state.unread.set(room, (state.unread.get(room) ?? 0) + 1);
    renderRooms();
  }
  return entry;
}

function sendMessage(text) {
  const room = state.current;
  const payload = { room, text };
  const entry = addMessage(room, { from: state.nickname, text, at: Date.now(), status: "pending", mine: true, payload });
  socket.emit("message", payload, (answer) => {
    if (answer.error) {
      entry.status = "refused";
      entry.error = answer.error;
    } else {
      entry.status = "acked";
      entry.id = answer.id;
      entry.at = answer.at;
    }
    updateMessage(entry);
    refreshPending();
  });
  refreshPending();
}

// Our pending messages that are not in the offline buffer went out on the connection that
// just dropped: their answer cannot come any more.
function markUnconfirmed() {
  const buffered = new Set(socket.sendBuffer.map((packet) => packet.data?.[1]));
  for (const entries of state.messages.values()) {
    for (const entry of entries) {
      if (entry.mine && entry.status === "pending" && !buffered.has(entry.payload)) {
        entry.status = "unconfirmed";
        updateMessage(entry);
      }
    }
  }
}

function renderMessages() {
  $("messages").replaceChildren();
  for (const entry of state.messages.get(state.current) ?? []) appendMessage(entry);
}

function appendMessage(entry) {
  const item = document.createElement("li");
  item.className = "message";
  item.id = `message-${entry.key}`;
  fillMessage(item, entry);
  $("messages").append(item);
  $("messages").scrollTop = $("messages").scrollHeight;
}

function updateMessage(entry) {
  const item = document.getElementById(`message-${entry.key}`);
  if (item) fillMessage(item, entry);
}

function fillMessage(item, entry) {
  item.dataset.status = entry.status;
  item.classList.toggle("mine", entry.mine);
  if (entry.id !== undefined) item.dataset.id = String(entry.id);
  const time = document.createElement("time");
  time.textContent = new Date(entry.at).toLocaleTimeString();
  const from = document.createElement("span");
  from.className = "from";
  from.textContent = entry.from;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = entry.text; // text, never HTML
  item.replaceChildren(time, from, text);
  if (entry.mine) {
    const tick = document.createElement("span");
    tick.className = "tick";
    const ticks = { pending: ["", "waiting for the server"], acked: ["✓", `delivered: message ${entry.id}`],
      unconfirmed: ["⚠", "sent before the connection dropped; never confirmed"], refused: ["✗", entry.error] };
    const [mark, title] = ticks[entry.status];
    tick.textContent = mark;
    tick.title = title;
    item.append(tick);
  }
}

$("message-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("message-input").value;
  if (!text.trim() || !state.current) return;
  $("message-input").value = "";
  $("message-error").textContent = "";
  stopTyping();
  sendMessage(text);
});

// =============================================================================================
// 5. Typing: volatile events (dropped when they cannot leave now; nobody misses a stale one)

let typingRoom = "";
let typingTimer = 0;

$("message-input").addEventListener("input", () => {
  if (!socket?.connected || !state.current) return;
  if (typingRoom !== state.current) {
    stopTyping();
    typingRoom = state.current;
    socket.volatile.emit("typing", { room: typingRoom, typing: true });
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, kTypingIdleMs);
});

function stopTyping() {
  clearTimeout(typingTimer);
  if (typingRoom && socket?.connected) socket.volatile.emit("typing", { room: typingRoom, typing: false });
  typingRoom = "";
}

function showTyping(room, nickname) {
  if (!state.typing.has(room)) state.typing.set(room, new Map());
  const people = state.typing.get(room);
  clearTimeout(people.get(nickname));
  people.set(nickname, setTimeout(() => stopShowingTyping(room, nickname), kTypingShownMs));
  if (room === state.current) renderTyping();
}

function stopShowingTyping(room, nickname) {
  const people = state.typing.get(room);
  if (!people?.has(nickname)) return;
  clearTimeout(people.get(nickname));
  people.delete(nickname);
  if (room === state.current) renderTyping();
}

function renderTyping() {
  const names = [...(state.typing.get(state.current)?.keys() ?? [])];
  $("typing").textContent = names.length === 0 ? ""
    : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
}

// =============================================================================================
// 6. Presence: who is in the room on screen

function renderPresence() {
  const list = $("presence");
  list.replaceChildren();
  for (const name of state.presence.get(state.current) ?? []) {
    const item = document.createElement("li");
    item.textContent = name;
    if (name === state.nickname) item.classList.add("me");
    list.append(item);
  }
}

function renderAll() {
  renderRooms();
  renderMessages();
  renderTyping();
  renderPresence();
}

// =============================================================================================
// 7. The wire panel: every Engine.IO / Socket.IO packet, with its meaning (the client's
// `wire` hook calls this for each one, in the order they really leave and arrive)

function onWire({ direction, raw, binary, meaning }) {
  if ($("wire-pause").checked) return;
  const isHeartbeat = raw === "2" || raw === "3";
  const item = document.createElement("li");
  item.dataset.direction = direction;
  if (isHeartbeat) item.classList.add("heartbeat");
  item.hidden = isHeartbeat && !$("wire-heartbeats").checked;
  const arrow = document.createElement("span");
  arrow.className = "arrow";
  arrow.textContent = direction === "sent" ? "→" : "←";
  arrow.title = direction === "sent" ? "sent to the server" : "received from the server";
  const code = document.createElement("code");
  code.className = binary ? "raw binary" : "raw";
  code.textContent = raw.length > kWireRawShown ? `${raw.slice(0, kWireRawShown)}…` : raw;
  const text = document.createElement("span");
  text.className = "meaning";
  text.textContent = meaning;
  item.append(arrow, code, text);
  const log = $("wire-log");
  log.append(item);
  while (log.childElementCount > kWireMaxEntries) log.firstElementChild.remove();
  log.scrollTop = log.scrollHeight;
}

$("wire-clear").addEventListener("click", () => $("wire-log").replaceChildren());
$("wire-heartbeats").addEventListener("change", () => {
  for (const item of $("wire-log").querySelectorAll("li.heartbeat")) item.hidden = !$("wire-heartbeats").checked;
});

// =============================================================================================
// 8. The nickname prompt, and renaming oneself

function showPrompt(error) {
  $("chat").hidden = true;
  $("rename-form").hidden = true;
  $("nick-form").hidden = false;
  $("nick-error").textContent = error ? `The server said: ${error}` : "";
  $("nick-input").focus();
}

$("nick-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const nickname = $("nick-input").value.trim();
  if (!nickname || socket) return;
  $("nick-error").textContent = "";
  setConnection("connecting", "connecting…");
  connect(nickname);
});

$("rename-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const wanted = $("rename-input").value.trim();
  if (!wanted || !socket) return;
  $("rename-error").textContent = "";
  socket.emit("nickname", wanted, (answer) => {
    if (answer.error) {
      $("rename-error").textContent = answer.error;
      return;
    }
    state.nickname = answer.nickname;
    sessionStorage.setItem(kNicknameKey, answer.nickname);
    $("me").textContent = answer.nickname;
    $("rename-input").value = "";
  });
});

$("nick-input").value = sessionStorage.getItem(kNicknameKey) ?? "";
showPrompt("");
