// tests/bench/socketio_echo_server.js
//
// The official Node `socket.io` server (4.8) doing what looplab's socketio_echo_server does, so
// tests/bench/run can measure both with the same load generator and the same command line.
//
//   node tests/bench/socketio_echo_server.js [--port N] [--adapter memory|redis|redis-sharded]
//                                            [--redis HOST:PORT]
//
// --port 0, the default: the kernel chooses. --adapter redis joins the servers on one Redis
// with the official @socket.io/redis-adapter (createAdapter: PUBLISH/PSUBSCRIBE),
// redis-sharded with its createShardedAdapter (SPUBLISH/SSUBSCRIBE, Redis 7), through the
// `redis` npm client; --redis defaults to 127.0.0.1:6379. "listening" is printed once both
// Redis connections are up. tests/bench/run's cluster section starts two of them on one Redis.
//
// Prints "listening on PORT", then on namespace "/" (Engine.IO path /socket.io/, the reference
// defaults: pingInterval 25 s, pingTimeout 20 s, polling and WebSocket):
//   echo (...args)             -> emit "echo" with the same arguments to the sender
//   join (room) [ack]          -> join the room; ack with the room's member count after
//   blast (count, text) [ack]  -> emit "tick" (text) to room "bench" `count` times (every
//                                 member, the sender too); ack with the member count
// perMessageDeflate is off (the reference default for socket.io). Loopback only; runs until
// killed.
'use strict';

const http = require('http');
const { Server } = require('socket.io');

const kBroadcastRoom = 'bench';

const usage = () => {
  console.error('usage: node socketio_echo_server.js [--port N] [--adapter memory|redis|redis-sharded] [--redis HOST:PORT]');
  process.exit(2);
};
let port = 0;
let adapter = 'memory';
let redisAddress = '127.0.0.1:6379';
for (let i = 2; i < process.argv.length; i++) {
  const [flag, inline] = process.argv[i].split(/=(.*)/s);   // --adapter=redis works too
  const value = inline ?? (i + 1 < process.argv.length ? process.argv[++i] : usage());
  if (flag === '--port') port = Number(value);
  else if (flag === '--adapter' && ['memory', 'redis', 'redis-sharded'].includes(value)) adapter = value;
  else if (flag === '--redis') redisAddress = value;
  else usage();
}

const httpServer = http.createServer();
const io = new Server(httpServer);

const membersOf = (room) => io.of('/').adapter.rooms.get(room)?.size ?? 0;

io.on('connection', (socket) => {
  socket.on('echo', (...args) => socket.emit('echo', ...args));
  socket.on('join', (room, ack) => {
    socket.join(String(room));
    if (typeof ack === 'function') ack(membersOf(String(room)));
  });
  socket.on('blast', (count, text, ack) => {
    const times = Math.max(0, Math.min(Number(count) || 0, 1e6));
    for (let i = 0; i < times; i++) io.to(kBroadcastRoom).emit('tick', text);
    if (typeof ack === 'function') ack(membersOf(kBroadcastRoom));
  });
});

httpServer.on('error', (error) => {
  console.error(`socketio_echo_server.js: ${error.message}`);
  process.exit(1);
});

async function useRedis() {
  const { createClient } = require('redis');
  const { createAdapter, createShardedAdapter } = require('@socket.io/redis-adapter');
  const pub = createClient({ url: `redis://${redisAddress}` });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on('error', (error) => console.error(`redis: ${error.message}`));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(adapter === 'redis' ? createAdapter(pub, sub) : createShardedAdapter(pub, sub));
}

(adapter === 'memory' ? Promise.resolve() : useRedis()).then(
  () => httpServer.listen(port, '127.0.0.1', () => console.log(`listening on ${httpServer.address().port}`)),
  (error) => {
    console.error(`socketio_echo_server.js: redis ${redisAddress}: ${error.message}`);
    process.exit(1);
  });
