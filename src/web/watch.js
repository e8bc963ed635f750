// looplab — the watch page's script. Reads the trace events a watched program streams
// (schema: notes/watch/README.md), keeps a small model of the loop, and draws it once per animation
// frame (a program at full speed sends thousands of events a second; drawing each one would
// freeze the tab). The buttons send {"cmd": ...} on the same WebSocket.
//
// window.watch is the model, for curious students (open the console) and for
// tests/browser/watch.test.mjs.
"use strict";

(() => {
  const kSchemaVersion = 1;
  const kTimelineMax = 1000;   // rows kept in the timeline (the model keeps every event)
  const kTasksShown = 40;      // task boxes drawn per queue; the rest is a number
  const kClosedSocketsKept = 20;   // closed connections still listed (greyed), newest first

  const $ = (id) => document.getElementById(id);
  const model = {
    program: "", poller: "", turn: 0, phase: "", soon: 0, next: 0, closes: 0,
    stack: [], timers: [], fds: [], listeners: [],
    sockets: new Map(),  // id -> the socket's last picture; state "closed" once it is gone
    gate: null, dropped: { program: 0, page: 0 }, ended: false, unknownVersion: null,
    seqs: [],            // seq of every numbered event received, in order
    callbacksStarted: 0, // pushes at depth 0
    callbacksDone: 0,    // pops at depth 0: callbacks that ran to the end
    phaseTrail: [],      // "turn:phase" each time the loop enters a phase (from its notes)
    queueTrail: [],      // {soon, next} at every state event
  };
  window.watch = model;

  let pendingRows = [];
  let drawScheduled = false;

  // "lessons/07-event-queue/ordering_puzzle.cpp:29" -> a link to the program's own source,
  // served read-only by the watch server (GET /source?path=...#L29). Shows "file:line".
  function srcLink(src) {
    const colon = src.lastIndexOf(":");
    const path = src.slice(0, colon);
    const line = src.slice(colon + 1);
    const a = document.createElement("a");
    a.className = "src";
    a.href = `/source?path=${encodeURIComponent(path)}#L${line}`;
    a.target = "_blank";
    a.title = `${src} (the line that scheduled this)`;
    a.dataset.src = src;
    a.textContent = `${path.slice(path.lastIndexOf("/") + 1)}:${line}`;
    return a;
  }

  function withSrc(element, src) {
    if (src) element.append(" ", srcLink(src));
    return element;
  }

  // The connections and UDP sockets of a state event, merged into the model: a socket that is
  // no longer in the picture was closed (its fd forgotten).
  function updateSockets(list) {
    const seen = new Set();
    const tuples = new Set();
    for (const s of list) {
      seen.add(s.id);
      tuples.add(`${s.kind} ${s.local} ${s.peer}`);
      model.sockets.set(s.id, { ...s, closedAt: 0 });
    }
    for (const [id, s] of model.sockets) {
      if (seen.has(id)) continue;
      // A connect attempt whose socket became a connection (same 4-tuple, a new id) was not
      // closed: it goes on in that row.
      const wasConnecting = s.state === "connecting" || s.before === "connecting";
      if (wasConnecting && tuples.has(`${s.kind} ${s.local} ${s.peer}`)) { model.sockets.delete(id); continue; }
      if (s.state === "closed") continue;
      s.before = s.state;
      s.state = "closed";
      s.closedAt = model.seqs.length;
    }
    const closed = [...model.sockets.values()].filter((s) => s.state === "closed");
    closed.sort((a, b) => b.closedAt - a.closedAt);
    for (const s of closed.slice(kClosedSocketsKept)) model.sockets.delete(s.id);
  }

  function describe(e) {
    switch (e.k) {
      case "hello": return `${e.program} (poller ${e.poller}, pid ${e.pid})`;
      case "turn": return `turn ${e.n}`;
      case "note": return `${"| ".repeat(e.depth)}${e.text}${e.live ? "  " + e.live : ""}`;
      case "push": return `${"| ".repeat(e.depth)}> ${e.name}${e.detail ? " " + e.detail : ""}`;
      case "pop": return `${"| ".repeat(e.depth)}< ${e.name}`;
      case "state": return `${e.phase}: soon ${e.soon}, next ${e.next}, timers ${e.timers.length}, fds ${e.fds.length}`;
      case "gate": return `${e.mode}${e.waiting ? " — stopped, waiting for you" : ""} (step ${e.step}, ${e.speed_ms} ms)`;
      case "dropped": return `${e.count} events dropped (${e.where === "page" ? "this page was too slow" : "the program ran faster than the view"})`;
      case "end": return e.reason;
      default: return JSON.stringify(e);
    }
  }

  function handle(e) {
    if (e.v !== kSchemaVersion) { model.unknownVersion = e.v; return; }
    if (e.seq > 0) model.seqs.push(e.seq);
    switch (e.k) {
      case "hello": model.program = e.program; model.poller = e.poller; break;
      case "turn": model.turn = e.n; model.phase = ""; break;   // between two turns: no phase lit
      case "note": {
        // The loop announces each phase with a note that starts with its name.
        const phase = /^(timers|poll|next|close)\b/.exec(e.text);
        if (e.depth === 0 && phase) { model.phase = phase[1]; model.phaseTrail.push(`${model.turn}:${phase[1]}`); }
        break;
      }
      case "push": {
        model.stack.length = Math.min(model.stack.length, e.depth);
        const parent = model.stack[e.depth - 1];
        model.stack.push({ name: e.name, detail: e.detail, src: e.src || "" });
        if (e.depth === 0) model.callbacksStarted++;
        if (parent && parent.name.startsWith("emit")) {
          model.listeners.push({ text: `${parent.name}${parent.detail ? " " + parent.detail : ""} → ${e.name}${e.detail ? " " + e.detail : ""}`, src: e.src || "" });
          if (model.listeners.length > 50) model.listeners.shift();
        }
        break;
      }
      case "pop":
        model.stack.length = Math.min(model.stack.length, e.depth);
        if (e.depth === 0) model.callbacksDone++;
        break;
      case "state": {
        Object.assign(model, { phase: e.phase, turn: e.turn, soon: e.soon, next: e.next, closes: e.closes,
          timers: e.timers, fds: e.fds, poller: e.poller,
          timersTotal: e.timers_total ?? e.timers.length, fdsTotal: e.fds_total ?? e.fds.length });
        model.queueTrail.push({ soon: e.soon, next: e.next, seq: e.seq });
        if (Array.isArray(e.sockets)) updateSockets(e.sockets);
        break;
      }
      case "gate": model.gate = e; break;
      case "dropped": model.dropped[e.where] = e.count; break;
      case "end": model.ended = true; break;
      default: break;   // a later version's kind: ignored
    }
    if (e.k !== "state") pendingRows.push(e);
  }

  function drawTasks(element, count) {
    element.dataset.count = String(count);
    element.replaceChildren();
    for (let i = 0; i < Math.min(count, kTasksShown); i++) element.append(document.createElement("span"));
    if (count > kTasksShown) {
      const more = document.createElement("span");
      more.className = "more";
      more.textContent = `+${count - kTasksShown}`;
      element.append(more);
    }
  }

  function draw() {
    drawScheduled = false;
    $("program").textContent = model.program || "…";
    // The call stack
    const stack = $("stack");
    stack.dataset.depth = String(model.stack.length);
    stack.replaceChildren(...model.stack.map((frame) => {
      const li = document.createElement("li");
      li.textContent = frame.detail ? `${frame.name} ${frame.detail}` : frame.name;
      li.dataset.name = frame.name;
      return withSrc(li, frame.src);
    }));
    // Phase, turn, queues
    for (const li of $("phases").children) li.classList.toggle("current", li.dataset.phase === model.phase);
    $("phases").dataset.phase = model.phase;
    $("turn").textContent = `turn ${model.turn}`;
    $("turn").dataset.turn = String(model.turn);
    drawTasks($("soon"), model.soon);
    drawTasks($("next"), model.next);
    drawTasks($("closes"), model.closes);
    // Timers on a small timeline: the bar is as long as the wait
    const longest = Math.max(1, ...model.timers.map((t) => t.in_ms));
    $("timers").dataset.count = String(model.timersTotal ?? model.timers.length);
    $("timers").replaceChildren(...model.timers.map((t) => {
      const row = document.createElement("div");
      row.className = "timer";
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${Math.max(0, t.in_ms) / longest * 60}%`;
      const label = document.createElement("span");
      label.textContent = `timer #${t.id} ${t.in_ms <= 0 ? "due now" : `in ${t.in_ms} ms`}${t.repeats ? " (repeats)" : ""}`;
      row.append(bar, label);
      return withSrc(row, t.src);
    }));
    // Watched fds
    $("fds").dataset.count = String(model.fdsTotal ?? model.fds.length);
    $("fds").tBodies[0].replaceChildren(...model.fds.map((fd) => {
      const tr = document.createElement("tr");
      if (fd.ready) tr.className = "ready";
      else if (!fd.keeps_alive) tr.className = "internal";
      const interest = [fd.read ? "read" : "", fd.write ? "write" : ""].filter(Boolean).join("+") || "nothing";
      for (const text of [String(fd.fd), fd.label || "(no label)", interest, fd.ready ? "ready" : ""]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      if (fd.src) tr.cells[1].append(" ", srcLink(fd.src));
      return tr;
    }));
    if (model.fdsTotal > model.fds.length) {
      const more = $("fds").tBodies[0].insertRow();
      more.insertCell().textContent = "…";
      more.insertCell().textContent = `and ${model.fdsTotal - model.fds.length} more fds`;
    }
    // Connections and UDP sockets: open ones by fd, then the last closed ones
    const sockets = [...model.sockets.values()].sort((a, b) =>
      (a.state === "closed") - (b.state === "closed") || (a.state === "closed" ? b.closedAt - a.closedAt : a.fd - b.fd));
    $("sockets-panel").hidden = sockets.length === 0;   // shown once the program has a socket
    $("sockets").dataset.count = String(sockets.filter((s) => s.state !== "closed").length);
    $("sockets").tBodies[0].replaceChildren(...sockets.map((s) => {
      const tr = document.createElement("tr");
      tr.className = `state-${s.state}`;
      tr.dataset.id = String(s.id);
      tr.dataset.kind = s.kind;
      tr.dataset.state = s.state;
      tr.dataset.bytesIn = String(s.bytes_in);
      tr.dataset.bytesOut = String(s.bytes_out);
      const udp = s.kind === "udp";
      const traffic = (datagrams, bytes) => udp ? `${datagrams} dgrams, ${bytes} B` : `${bytes} B`;
      const cells = [s.state === "closed" ? "" : String(s.fd), s.kind, s.local,
        s.peer ? `${udp ? "last: " : ""}${s.peer}` : (udp ? "(none yet)" : ""), s.state,
        traffic(s.datagrams_in, s.bytes_in), traffic(s.datagrams_out, s.bytes_out)];
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
    // Listeners called by emit
    $("listeners").replaceChildren(...model.listeners.map((listener) => {
      const li = document.createElement("li");
      li.textContent = listener.text;
      return withSrc(li, listener.src);
    }));
    // Gate and drops
    const gate = $("gate");
    if (model.gate) {
      gate.dataset.mode = model.gate.mode;
      gate.dataset.waiting = String(model.gate.waiting);
      gate.dataset.stops = String(model.gate.stops);
      gate.dataset.step = model.gate.step;
      gate.textContent = model.ended ? "the program ended" : describe(model.gate);
      const speed = $("speed");
      if (document.activeElement !== speed) {
        speed.value = String(model.gate.speed_ms);
        $("speed-shown").textContent = `${model.gate.speed_ms} ms`;
      }
    }
    const lost = model.dropped.program + model.dropped.page;
    $("dropped").hidden = lost === 0;
    $("dropped").dataset.count = String(lost);
    $("dropped").textContent = `${lost} events dropped`;
    // Timeline
    const timeline = $("timeline");
    const stick = timeline.scrollTop + timeline.clientHeight >= timeline.scrollHeight - 4;
    const rows = pendingRows.slice(-kTimelineMax);
    pendingRows = [];
    timeline.append(...rows.map((e) => {
      const li = document.createElement("li");
      li.className = `k-${e.k}`;
      li.dataset.k = e.k;
      const seq = document.createElement("span");
      seq.className = "seq";
      seq.textContent = e.seq > 0 ? `#${e.seq}` : "";
      li.append(seq, describe(e));
      return withSrc(li, e.src);
    }));
    while (timeline.childElementCount > kTimelineMax) timeline.firstElementChild.remove();
    if (stick) timeline.scrollTop = timeline.scrollHeight;
    $("event-count").textContent = String(model.seqs.length);
    if (model.unknownVersion !== null) $("connection").textContent = `unknown schema version ${model.unknownVersion}`;
  }

  function scheduleDraw() {
    if (drawScheduled) return;
    drawScheduled = true;
    requestAnimationFrame(draw);
  }

  // ---- the socket ----------------------------------------------------------------------
  const socket = new WebSocket(`ws://${location.host}/watch-events`);
  const setState = (state, text) => {
    document.body.dataset.state = state;
    $("connection").dataset.state = state;
    $("connection").textContent = text;
  };
  socket.onopen = () => setState("open", "connected");
  socket.onclose = () => { setState("closed", model.ended ? "the program ended" : "disconnected"); scheduleDraw(); };
  socket.onmessage = (message) => {
    const events = JSON.parse(message.data);
    for (const e of events) handle(e);
    scheduleDraw();
  };
  const send = (command) => { if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(command)); };

  for (const name of ["pause", "step", "step-frame", "step-turn", "continue"])
    $(name).addEventListener("click", () => send({ cmd: name }));
  $("speed").addEventListener("input", () => {
    $("speed-shown").textContent = `${$("speed").value} ms`;
  });
  $("speed").addEventListener("change", () => send({ cmd: "speed", ms: Number($("speed").value) }));
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement) return;
    if (event.key === "s") send({ cmd: "step" });
    else if (event.key === "t") send({ cmd: "step-turn" });
    else if (event.key === "c") send({ cmd: "continue" });
    else if (event.key === "p") send({ cmd: "pause" });
  });
})();
