// looplab/http/limits.hpp
//
// The HTTP module's named limits: how much a client may send, and how long it may take.
// Teaches: a server that reads from strangers must bound every buffer and every wait, or one
// slow or greedy client can use up its memory, its file descriptors or its patience.
//
// RequestParser enforces the byte limits itself; the three time and connection limits are
// declared here for the HTTP server on the event loop, which owns sockets and timers.
#pragma once

#include <chrono>
#include <cstddef>

namespace looplab::http {

// Request line + header lines + the empty line that ends them, counting every CR and LF.
// One byte more and the parser fails: 414 (URI Too Long) while still in the request line,
// 431 (Request Header Fields Too Large) once in the headers.
inline constexpr std::size_t kHttpMaxHeaderBytes = 8 * 1024;   // 8 KiB, like nginx and Node

// Header lines in one request. The next one fails with 431.
inline constexpr std::size_t kHttpMaxHeaderCount = 100;

// Largest Content-Length we accept. A bigger one fails with 413 (Content Too Large) as soon
// as the headers end, before a single body byte is buffered.
inline constexpr std::size_t kHttpMaxBodyBytes = 1024 * 1024;   // 1 MiB

// From the first byte of a request until its empty header line. A client that is slower
// (the "slowloris" attack: trickle one header byte at a time, forever) is closed.
inline constexpr std::chrono::seconds kHttpHeaderTimeout{10};

// How long a keep-alive connection may sit between requests; then the server closes it.
// Same default as Node's http.Server keepAliveTimeout.
inline constexpr std::chrono::seconds kHttpIdleTimeout{5};

// Open client connections at once. One more and the server answers it 503 and closes it
// right away, so a flood of clients cannot use up the process's file descriptors.
inline constexpr std::size_t kHttpMaxConnections = 512;

}   // namespace looplab::http
