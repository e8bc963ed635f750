// looplab/ws/close_code.hpp
//
// CloseCode — the status code a close frame carries: why the connection is ending.
// Teaches: the closing handshake of the framer (lesson 17): each side sends a close frame,
// usually echoing the code it received, and only then is the TCP connection closed.
// Run: lessons/17-websocket-framer   Read: notes/17-websocket-framer.md
//
// Contract: the enum names the registered codes; applications may use their own codes in
// 3000-4999 by writing `CloseCode{4000}`. Some codes exist only to be *reported* locally and
// must never be sent (1005, 1006, 1015): is_valid_close_code_on_wire() says which are allowed.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

namespace looplab::ws {

enum class CloseCode : std::uint16_t {
    Normal = 1000,               // the purpose of the connection is fulfilled
    GoingAway = 1001,            // server shutting down, or a browser leaving the page
    ProtocolError = 1002,        // the peer broke RFC 6455
    UnsupportedData = 1003,      // e.g. binary data to an endpoint that only takes text
    NoStatusReceived = 1005,     // reported when a close frame had no code; never sent
    AbnormalClosure = 1006,      // reported when TCP dropped without a close frame; never sent
    InvalidPayload = 1007,       // text that is not UTF-8, or a bad close reason
    PolicyViolation = 1008,      // generic "you broke our rules"
    MessageTooBig = 1009,        // more than we are willing to buffer (kWsMaxMessageSize)
    MandatoryExtension = 1010,   // client wanted an extension the server did not agree to
    InternalError = 1011,        // the server hit a bug or an unexpected condition
    ServiceRestart = 1012,       // registered after the RFC; commonly accepted
    TryAgainLater = 1013,        // registered after the RFC; commonly accepted
    BadGateway = 1014,           // registered after the RFC; commonly accepted
    TlsHandshakeFailed = 1015,   // reported when TLS failed; never sent
};

// True for the codes a close frame may carry (RFC 6455 §7.4): 1000-1003, 1007-1014 and the
// application/library range 3000-4999. Everything else (0-999, 1004-1006, 1015, 1016-2999,
// 5000+) fails the connection with 1002 when it arrives.
constexpr bool is_valid_close_code_on_wire(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

// "normal", "protocol error", ... ; "application" for 3000-4999, "unknown" for the rest.
std::string_view describe(CloseCode code);

}   // namespace looplab::ws

// Prints "1002 (protocol error)".
template <>
struct fmt::formatter<looplab::ws::CloseCode> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(looplab::ws::CloseCode code, FormatContext& ctx) const {
        return fmt::format_to(ctx.out(), "{} ({})", static_cast<std::uint16_t>(code),
                              looplab::ws::describe(code));
    }
};
