// looplab/engineio/open_packet.hpp
//
// What a new session is told first: the open packet (type 0) with the handshake JSON, exactly
// these five keys (the official suite checks "all keys"), and the optional sid cookie.
//
//     0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,
//       "pingTimeout":20000,"maxPayload":1000000}
//
// `upgrades` is ["websocket"] for a polling session that may upgrade, [] otherwise (a
// WebSocket session, or upgrades turned off).
// Facts: ../shared/PROTOCOLS.md §1.3. Contract: pure functions.
#pragma once

#include "looplab/engineio/server.hpp"

#include <random>
#include <string>
#include <string_view>

namespace looplab::engineio {

// Length of a session id: 15 random bytes as URL-safe base64, like the reference base64id.
inline constexpr std::size_t kEioSidLength = 20;

// The handshake JSON (without the type digit).
std::string open_packet_json(std::string_view sid, bool offers_websocket,
                             const ServerOptions& options);

// `<name>=<sid>; Path=/; HttpOnly; SameSite=Lax` (the reference cookie's defaults).
std::string sid_cookie(std::string_view name, std::string_view sid);

// A fresh session id from `random` (a std::random_device: the sid is the session's only
// secret, so it must not be guessable).
std::string make_sid(std::random_device& random);

}   // namespace looplab::engineio
