// looplab/ws/limits.hpp
//
// The named limits of the WebSocket module, each with what happens when a peer reaches it.
// Some are ours to choose (message size, handshake size); the rest are fixed by RFC 6455 and
// are named here so the code says `kWsMaxControlPayload` instead of a bare 125.
#pragma once

#include <cstddef>

namespace looplab::ws {

// Largest message (all fragments together) we accept. A frame whose declared length would take
// the message past it closes the connection with 1009 (message too big) before any of its
// payload is stored, so a peer cannot make us buffer more than this per connection.
inline constexpr std::size_t kWsMaxMessageSize = 16 * 1024 * 1024;   // 16 MiB

// Largest payload of a close, ping or pong frame (RFC 6455 §5.5). A longer one is a protocol
// error (1002); our own encoder refuses to write one.
inline constexpr std::size_t kWsMaxControlPayload = 125;

// Longest close reason: a control payload minus the 2-byte status code. The encoder refuses
// a longer reason rather than cut a UTF-8 character in half.
inline constexpr std::size_t kWsMaxCloseReason = kWsMaxControlPayload - 2;

// Longest frame header: 2 fixed bytes + 8 bytes of 64-bit length + 4 bytes of masking key.
inline constexpr std::size_t kWsMaxFrameHeaderSize = 14;

// Longest handshake response head a client reads. A server that sends more before the blank
// line fails the handshake, so a misbehaving server cannot fill our memory.
inline constexpr std::size_t kWsMaxHandshakeHeadSize = 8 * 1024;   // 8 KiB

}   // namespace looplab::ws
