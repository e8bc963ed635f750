// looplab/socketio_client/options.hpp
//
// What a Socket.IO client can be told, and every limit it keeps, with the reference client's
// defaults (socket.io-client 4.x; PROTOCOLS.md §3 "Client"). Tests shrink the delays so a
// reconnection takes milliseconds, not seconds.
//
//     ManagerOptions  one Engine.IO connection: path, reconnection and its backoff, timeout
//     SocketOptions   one namespace: auth, the offline buffer's size
//
// Contract: plain values.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"
#include "looplab/socketio/packet.hpp"
#include "looplab/ws/limits.hpp"

#include <cstddef>
#include <functional>
#include <limits>
#include <string>

namespace looplab::socketio_client {

// ---- reconnection (reference names: reconnectionDelay, reconnectionDelayMax, ...) ----------
// The first retry waits about this long; each later one twice the one before.
inline constexpr Millis kSioClientReconnectionDelay{1000};
// No retry waits longer than this (the doubling stops here).
inline constexpr Millis kSioClientReconnectionDelayMax{5000};
// Each delay is moved by up to ± this fraction of itself at random, so a thousand clients
// dropped by one server restart do not all come back in the same millisecond.
inline constexpr double kSioClientRandomizationFactor = 0.5;
// reconnectionAttempts: Infinity in JavaScript. After this many failed retries in a row the
// manager gives up ("reconnect_failed") until open() is called again.
inline constexpr std::size_t kSioClientUnlimitedAttempts = std::numeric_limits<std::size_t>::max();

// ---- one connection attempt ----------------------------------------------------------------
// TCP connect + WebSocket upgrade + the Engine.IO open packet must all happen within this
// (the reference `timeout` option); past it the attempt fails with "timeout" and a retry follows.
inline constexpr Millis kSioClientTimeout{20'000};

// ---- what one socket may hold --------------------------------------------------------------
// Events emitted while the socket is not connected wait in its offline buffer and are sent,
// in order, right after the next CONNECT succeeds. When the buffer holds this many, a new
// emit is REFUSED: emit() returns false and an emit_with_ack() callback gets
// kAckBufferFull. Refusing the newest (not dropping the oldest) keeps what the user was told
// ("queued") true, and the caller learns at once. The reference client has no limit.
inline constexpr std::size_t kSioClientMaxBufferedPackets = 1000;

// Acknowledgements waiting for an answer have no count limit of their own: each has the
// timeout its emit_with_ack() was given, so what they hold is bounded by the rate of asking
// times that timeout, and a disconnection ends those already sent.

// The error an emit_with_ack() callback gets when its packet found the offline buffer full.
inline constexpr std::string_view kAckBufferFull = "offline buffer is full";

struct ManagerOptions {
    std::string path = "/socket.io/";   // where the server answers Socket.IO
    bool reconnection = true;
    std::size_t reconnection_attempts = kSioClientUnlimitedAttempts;
    Millis reconnection_delay = kSioClientReconnectionDelay;
    Millis reconnection_delay_max = kSioClientReconnectionDelayMax;
    double randomization_factor = kSioClientRandomizationFactor;   // 0..1
    Millis timeout = kSioClientTimeout;   // one attempt, up to the open packet
    // Binary attachments one packet from the server may announce (socketio::Decoder).
    std::size_t max_attachments = socketio::kSioMaxAttachments;
    // Largest WebSocket message accepted from the server (one Engine.IO packet).
    std::size_t max_message_size = ws::kWsMaxMessageSize;
    // Numbers in [0, 1) for the jitter; empty: a generator seeded from std::random_device.
    // Tests pass a fixed sequence to know each delay.
    std::function<double()> random;
};

struct SocketOptions {
    // Sent in the CONNECT packet (the server's socket.handshake.auth). An object, or null for
    // none. With connection state recovery, {"pid","offset"} are added on a reconnection.
    codec::json::Value auth;
    std::size_t max_buffered_packets = kSioClientMaxBufferedPackets;
};

}   // namespace looplab::socketio_client
