// looplab/engineio/open_packet.cpp — the handshake JSON, the sid cookie, new session ids.
#include "looplab/engineio/open_packet.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace looplab::engineio {

std::string open_packet_json(std::string_view sid, bool offers_websocket,
                             const ServerOptions& options) {
    // The sid is URL-safe base64 (make_sid), so it needs no JSON escaping.
    return fmt::format(
        R"({{"sid":"{}","upgrades":{},"pingInterval":{},"pingTimeout":{},"maxPayload":{}}})", sid,
        offers_websocket ? R"(["websocket"])" : "[]", options.ping_interval.count(),
        options.ping_timeout.count(), options.max_payload);
}

std::string sid_cookie(std::string_view name, std::string_view sid) {
    return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax", name, sid);
}

std::string make_sid(std::random_device& random) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string sid;
    sid.reserve(kEioSidLength);
    // 5 groups of 3 random bytes (24 bits) → 4 characters of 6 bits each.
    for (std::size_t group = 0; group < kEioSidLength / 4; ++group) {
        const std::uint32_t bits = random() & 0xFFFFFFu;
        for (int shift = 18; shift >= 0; shift -= 6) sid.push_back(kAlphabet[(bits >> shift) & 63]);
    }
    return sid;
}

}   // namespace looplab::engineio
