// tests/interop/lib/reference_contract_server.mjs — the contract of
// tests/interop/socketio_contract_server.cpp (issue 9 §4), served by the official Node
// `socket.io` 4.8 and `engine.io` servers. It checks the checks: every socketio_*/engineio_*
// test must pass against it too, so a test can only fail on our server for a reason the
// reference server would not give.
//
//   node lib/reference_contract_server.mjs [--port N] [--ping-interval MS] [--ping-timeout MS]
//                                          [--state-recovery-ms MS] [--adapter memory|redis|redis-sharded]
//                                          [--redis HOST:PORT]
// With --adapter redis (or redis-sharded) it uses the official @socket.io/redis-adapter's
// createAdapter (or createShardedAdapter): a mixed cluster with ours.
//   LOOPLAB_SIO_PORT=N LOOPLAB_TEST_LAYER=interop node --test socketio_*.test.mjs engineio_raw.test.mjs
//
// First line on stdout: "socketio contract server: http://localhost:PORT/", as the C++ one.
// (socketio_contract_cli.test.mjs tests the C++ binary's flags and does not apply here.)
import http from "node:http";
import { Server as EngineServer } from "engine.io";
import { Server } from "socket.io";

function parseFlags(argv) {
  const flags = { port: 3000, host: "127.0.0.1", pingInterval: 300, pingTimeout: 200, stateRecoveryMs: 0,
    adapter: "memory", redis: "127.0.0.1:6379" };
  const names = {
    "--port": "port", "--host": "host", "--ping-interval": "pingInterval",
    "--ping-timeout": "pingTimeout", "--state-recovery-ms": "stateRecoveryMs",
    "--adapter": "adapter", "--redis": "redis",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const name = names[argv[i]];
    if (!name || i + 1 >= argv.length) {
      console.error(`reference_contract_server: bad option ${argv[i]}`);
      process.exit(2);
    }
    flags[name] = ["host", "adapter", "redis"].includes(name) ? argv[i + 1] : Number(argv[i + 1]);
  }
  return flags;
}

const flags = parseFlags(process.argv.slice(2));
const engineOptions = {
  pingInterval: flags.pingInterval,
  pingTimeout: flags.pingTimeout,
  maxHttpBufferSize: 1e6,
  cors: { origin: "*" },
};

const server = http.createServer();

// /engine.io/: every message back as it came.
const engine = new EngineServer(engineOptions);
engine.attach(server, { path: "/engine.io/" });
engine.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));

const io = new Server(server, {
  ...engineOptions,
  path: "/socket.io/",
  connectTimeout: 1000,
  ...(flags.stateRecoveryMs > 0
    ? { connectionStateRecovery: { maxDisconnectionDuration: flags.stateRecoveryMs } }
    : {}),
});

// A listener's (...args): the ack callback (a no-op when the peer asked for none) and the rest.
function split(args) {
  const ack = typeof args[args.length - 1] === "function" ? args.pop() : () => {};
  return [args, ack];
}
const on = (socket, event, listener) => socket.on(event, (...all) => listener(...split(all)));

function suiteEvents(socket) {
  on(socket, "message", (args) => socket.emit("message-back", ...args));
  on(socket, "message-with-ack", (args, ack) => ack(...args));
  on(socket, "ns", (args, ack) => ack(socket.nsp.name));
  socket.emit("auth", socket.handshake.auth);
}

if (flags.adapter === "redis" || flags.adapter === "redis-sharded") {
  const { createClient } = await import("redis");
  const { createAdapter, createShardedAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: `redis://${flags.redis}` });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on("error", (error) => console.error(`redis: ${error.message}`));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(flags.adapter === "redis"
    ? createAdapter(pub, sub, { requestsTimeout: 3000 })
    : createShardedAdapter(pub, sub));
}
// Server-side events from the other servers of a cluster.
io.on("ping", (from, answer) => answer(`pong from node to ${from}`));

const roomSize = (room) => io.of("/").adapter.rooms.get(room)?.size ?? 0;

io.on("connection", (socket) => {
  suiteEvents(socket);
  on(socket, "echo", (args) => socket.emit("echo", ...args));
  on(socket, "echo-ack", (args, ack) => ack(...args));
  on(socket, "ask", ([question], ack) => {
    socket.timeout(5000).emit("question", question, (error, ...answer) => {
      if (error) ack({ error: error.message });
      else ack(...answer);
    });
  });
  on(socket, "join", ([room], ack) => {
    socket.join(room);
    ack(roomSize(room));
  });
  on(socket, "leave", ([room], ack) => {
    socket.leave(room);
    ack(roomSize(room));
  });
  on(socket, "say", ([room, msg], ack) => {
    const members = roomSize(room);
    socket.to(room).emit("room-message", { room, msg, from: socket.id });
    ack(members - (socket.rooms.has(room) ? 1 : 0));
  });
  on(socket, "shout", ([msg], ack) => {
    socket.broadcast.emit("shout", { msg, from: socket.id });
    ack(io.of("/").sockets.size - 1);
  });
  on(socket, "bye", () => socket.disconnect());
  // The cluster utilities, for the mixed-cluster tests (same events on the C++ server).
  on(socket, "fetch", async ([room], ack) => {
    const sockets = await (room ? io.in(room) : io).fetchSockets();
    ack(sockets.map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), url: s.handshake.url })).sort((a, b) => (a.id < b.id ? -1 : 1)));
  });
  on(socket, "sockets-join", ([room, target], ack) => {
    (target ? io.in(target) : io).socketsJoin(room);
    ack(true);
  });
  on(socket, "server-ping", async (args, ack) => {
    try {
      ack((await io.serverSideEmitWithAck("ping", "node")).sort());
    } catch (error) {
      ack({ error: error.message });
    }
  });
  on(socket, "poll", ([room], ack) => {
    io.to(room).timeout(2000).emit("poll-question", (error, answers) => {
      ack(error ? { error: error.message } : answers.sort());
    });
  });
  socket.on("disconnecting", () => {
    for (const room of socket.rooms) {
      if (room !== socket.id) socket.to(room).emit("peer-left", { room, id: socket.id });
    }
  });
});

io.of("/custom").on("connection", suiteEvents);

const admin = io.of("/admin");
admin.use((socket, next) => next(socket.handshake.auth?.token === "letmein" ? undefined : new Error("unauthorized")));
admin.on("connection", (socket) => on(socket, "ns", (args, ack) => ack(socket.nsp.name)));

server.listen(flags.port, flags.host, () => {
  console.log(`socketio contract server: http://localhost:${server.address().port}/`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    io.close();
    engine.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
