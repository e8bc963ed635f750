// tests/bench/ws_echo_server.js
//
// npm's `ws` as a WebSocket echo server: the reference that tests/bench/run measures beside
// looplab's ws_echo_server, with the same load generator and the same command line.
//
//   node tests/bench/ws_echo_server.js [--port N]     (0, the default: the kernel chooses)
//
// Prints "listening on PORT", then echoes every message back with the same type (binary or
// text). perMessageDeflate is off: the load generator offers no extensions, and compression
// would measure zlib, not the server. Loopback only; runs until killed.
'use strict';

const { WebSocketServer } = require('ws');

let port = 0;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--port' && i + 1 < process.argv.length) {
    port = Number(process.argv[++i]);
  } else {
    console.error('usage: node ws_echo_server.js [--port N]');
    process.exit(2);
  }
}

const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });

server.on('listening', () => console.log(`listening on ${server.address().port}`));
server.on('error', (error) => {
  console.error(`ws_echo_server.js: ${error.message}`);
  process.exit(1);
});
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => socket.terminate());   // a client that vanished: forget it quietly
});
