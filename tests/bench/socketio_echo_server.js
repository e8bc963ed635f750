// tests/bench/socketio_echo_server.js
//
// The official Node `socket.io` server (4.8) doing what looplab's socketio_echo_server does, so
// tests/bench/run can measure both with the same load generator and the same command line.
//
//   node tests/bench/socketio_echo_server.js [--port N]     (0, the default: the kernel chooses)
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

let port = 0;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--port' && i + 1 < process.argv.length) {
    port = Number(process.argv[++i]);
  } else {
    console.error('usage: node socketio_echo_server.js [--port N]');
    process.exit(2);
  }
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
httpServer.listen(port, '127.0.0.1', () => console.log(`listening on ${httpServer.address().port}`));
