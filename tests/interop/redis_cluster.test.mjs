// Rooms across servers through Redis (issue 12 §2): two looplab contract servers
// (socketio_contract_server --adapter redis) and the official Node server with the official
// @socket.io/redis-adapter 8.x (lib/reference_contract_server.mjs --adapter redis), all on one
// redis-server started here; and three more in sharded mode (--adapter redis-sharded:
// SPUBLISH/SSUBSCRIBE, createShardedAdapter) on the same Redis 7 (sharded channels are a
// namespace of their own: the two clusters do not hear each other). Every test runs on both. Clients of the official socket.io-client connect to each server;
// everything must cross in every direction: room messages, broadcasts, fetchSockets (with the
// remote sockets' handshake), socketsJoin on another server's socket, serverSideEmit with
// answers, broadcasts whose acks are gathered across servers, peer-left.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { createClient } from "redis";
import { Peer, whenConnected, uniqueName, kWaitMs } from "./lib/socketio_peers.mjs";
import { ServerProcess, closedPort, within } from "./lib/looplab_client_peers.mjs";

const kTestTimeoutMs = 20000;
const kRedisStartMs = 5000;

let redis = null;
let redisDir = null;
let monitor = null;
const kModes = ["redis", "redis-sharded"];
const clusters = { redis: {}, "redis-sharded": {} };

async function startRedis() {
  const port = await closedPort();
  redisDir = fs.mkdtempSync(path.join(os.tmpdir(), "looplab-redis-"));
  redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--dir", redisDir], { stdio: "ignore" });
  redis.on("error", () => {});
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: 20 } });
  client.on("error", () => {});
  await within(client.connect(), "redis-server to answer", kRedisStartMs);
  return { port, client };
}

// Until `count` servers have subscribed: to the request channel of "/" (classic), to the main
// sharded channel (sharded).
async function serversSubscribed(mode, count) {
  await within((async () => {
    for (;;) {
      const numsub = mode === "redis"
        ? (await monitor.pubSubNumSub("socket.io-request#/#"))["socket.io-request#/#"]
        : (await monitor.pubSubShardNumSub("socket.io#/#"))["socket.io#/#"];
      if (numsub === count) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })(), `${count} ${mode} servers to subscribe`);
}

// A sharded server subscribes to a room's channel when the room gets its first member there:
// a room message sent before that reaches Redis is not heard on that server (by design, in
// the official adapter too). Until `count` servers listen to `room`'s channel.
async function roomHeardBy(mode, room, count) {
  if (mode === "redis") return;
  const channel = `socket.io#/#${room}#`;
  await within((async () => {
    for (;;) {
      if ((await monitor.pubSubShardNumSub(channel))[channel] === count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })(), `${count} servers to subscribe to ${channel}`);
}

function peerOn(server) {
  return whenConnected(new Peer(io(server.url(), { forceNew: true, reconnection: false, timeout: kWaitMs, transports: ["websocket"] })));
}

before(async () => {
  const started = await startRedis();
  monitor = started.client;
  for (const mode of kModes) {
    const flags = ["--ping-interval", "1000", "--ping-timeout", "1000", "--adapter", mode, "--redis", `127.0.0.1:${started.port}`];
    clusters[mode].a = ServerProcess.ours(flags);
    clusters[mode].b = ServerProcess.ours(flags);
    clusters[mode].node = ServerProcess.reference(flags);
  }
  const all = kModes.flatMap((mode) => Object.values(clusters[mode]));
  await Promise.all(all.map((server) => server.start()));
  await Promise.all(kModes.map((mode) => serversSubscribed(mode, 3)));
});

after(async () => {
  const all = kModes.flatMap((mode) => Object.values(clusters[mode]));
  await Promise.allSettled(all.map((server) => server.stop()));
  await monitor?.quit().catch(() => {});
  redis?.kill("SIGKILL");
  if (redisDir) fs.rmSync(redisDir, { recursive: true, force: true });
});

for (const mode of kModes) {
  const servers = clusters[mode];

  test(`${mode}: a room spans a looplab server, another looplab server and a Node server, both ways`, { timeout: kTestTimeoutMs }, async () => {
    const room = uniqueName("room");
    const [a, b, n] = await Promise.all([peerOn(servers.a), peerOn(servers.b), peerOn(servers.node)]);
    try {
      for (const peer of [a, b, n]) await peer.ack("join", room);
      await roomHeardBy(mode, room, 3);
      await a.ack("say", room, "from looplab A");
      for (const peer of [b, n]) assert.deepEqual((await peer.event("room-message", ([m]) => m.msg === "from looplab A"))[0].from, a.socket.id);
      await n.ack("say", room, "from node");
      for (const peer of [a, b]) await peer.event("room-message", ([m]) => m.msg === "from node");
      assert.deepEqual(n.all("room-message", ([m]) => m.msg === "from node"), [], "the sender is not a recipient");

      await b.ack("shout", "everyone but me");
      for (const peer of [a, n]) await peer.event("shout", ([m]) => m.msg === "everyone but me");

      const leaving = b.socket.id;   // the client forgets its id once disconnected
      b.close();   // still in the room: the others hear that it left, on every server
      for (const peer of [a, n]) await peer.event("peer-left", ([m]) => m.room === room && m.id === leaving);
    } finally {
      for (const peer of [a, b, n]) peer.close();
    }
  });

  test(`${mode}: fetchSockets on either kind of server sees the sockets of every server`, { timeout: kTestTimeoutMs }, async () => {
    const room = uniqueName("fetch");
    const [a, b, n] = await Promise.all([peerOn(servers.a), peerOn(servers.b), peerOn(servers.node)]);
    try {
      for (const peer of [a, b, n]) await peer.ack("join", room);
      const ids = [a, b, n].map((peer) => peer.socket.id).sort();
      for (const asker of [a, n]) {
        const [sockets] = await asker.ack("fetch", room);
        assert.deepEqual(sockets.map((s) => s.id), ids);
        for (const s of sockets) {
          assert.deepEqual(s.rooms, [room, s.id].sort());
          assert.match(s.url, /^\/socket\.io\/\?EIO=4&transport=websocket/, "the remote handshake came along");
        }
      }
    } finally {
      for (const peer of [a, b, n]) peer.close();
    }
  });

  test(`${mode}: socketsJoin from one server moves sockets of the others`, { timeout: kTestTimeoutMs }, async () => {
    const room = uniqueName("joined");
    const [a, n] = await Promise.all([peerOn(servers.a), peerOn(servers.node)]);
    const b = await peerOn(servers.b);
    try {
      await n.ack("sockets-join", room, a.socket.id);   // Node makes looplab's socket join
      await a.ack("sockets-join", room, n.socket.id);   // and looplab Node's
      await within((async () => {
        for (;;) {
          const [sockets] = await b.ack("fetch", room);
          if (sockets.length === 2) return sockets;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(), "both sockets to be in the room");
      await roomHeardBy(mode, room, 2);
      await b.ack("say", room, "to the joined");
      for (const peer of [a, n]) await peer.event("room-message", ([m]) => m.msg === "to the joined");
    } finally {
      for (const peer of [a, b, n]) peer.close();
    }
  });

  test(`${mode}: serverSideEmit with answers crosses both kinds of server`, { timeout: kTestTimeoutMs }, async () => {
    const [a, n] = await Promise.all([peerOn(servers.a), peerOn(servers.node)]);
    try {
      assert.deepEqual(await a.ack("server-ping"), [["pong from looplab to looplab", "pong from node to looplab"]]);
      assert.deepEqual(await n.ack("server-ping"), [["pong from looplab to node", "pong from looplab to node"]]);
    } finally {
      for (const peer of [a, n]) peer.close();
    }
  });

  test(`${mode}: a broadcast's acks are gathered from every server`, { timeout: kTestTimeoutMs }, async () => {
    const room = uniqueName("poll");
    const [a, b, n] = await Promise.all([peerOn(servers.a), peerOn(servers.b), peerOn(servers.node)]);
    try {
      const names = new Map([[a, "a"], [b, "b"], [n, "n"]]);
      for (const [peer, name] of names) {
        peer.socket.on("poll-question", (answer) => answer(name));
        await peer.ack("join", room);
      }
      assert.deepEqual(await a.ack("poll", room), [["a", "b", "n"]]);
      assert.deepEqual(await n.ack("poll", room), [["a", "b", "n"]]);
    } finally {
      for (const peer of [a, b, n]) peer.close();
    }
  });
}
