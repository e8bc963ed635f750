// tests/unit/ws/ws_test_support.hpp — small builders shared by the [ws] tests.
//
// Wire bytes are written as hex so each test can explain them in place:
//     hex("81 05 48 65 6c 6c 6f")   // FIN|text, len 5, "Hello"
#pragma once

#include "looplab/ws/frame_parser.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::ws::test {

// "81 05 48" → the bytes 0x81 0x05 0x48. Spaces are ignored.
inline std::string hex(std::string_view text) {
    const auto digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    std::string bytes;
    int high = -1;
    for (char c : text) {
        if (c == ' ') continue;
        if (high < 0) {
            high = digit(c);
        } else {
            bytes.push_back(static_cast<char>(high * 16 + digit(c)));
            high = -1;
        }
    }
    return bytes;
}

// What a parser made of some input: the events, and the error if it failed.
struct Parsed {
    std::vector<Event> events;
    std::optional<FrameError> error;
};

// Feeds `wire` cut into the pieces that `cuts` (increasing offsets) mark.
inline Parsed parse_in_pieces(Role role, std::string_view wire,
                              const std::vector<std::size_t>& cuts,
                              std::size_t max_message_size = kWsMaxMessageSize) {
    FrameParser parser{role, max_message_size};
    Parsed parsed;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        parsed.error = parser.feed(wire.substr(from, cut - from), parsed.events);
        from = cut;
    }
    parsed.error = parser.feed(wire.substr(from), parsed.events);
    return parsed;
}

inline Parsed parse_all(Role role, std::string_view wire,
                        std::size_t max_message_size = kWsMaxMessageSize) {
    return parse_in_pieces(role, wire, {}, max_message_size);
}

inline Parsed parse_byte_by_byte(Role role, std::string_view wire) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < wire.size(); ++i) cuts.push_back(i);
    return parse_in_pieces(role, wire, cuts);
}

inline Event text(std::string payload) { return Message{MessageKind::Text, std::move(payload)}; }
inline Event binary(std::string payload) {
    return Message{MessageKind::Binary, std::move(payload)};
}

}   // namespace looplab::ws::test

// So a failed CHECK shows the events instead of "{?}".
namespace Catch {
template <>
struct StringMaker<looplab::ws::Event> {
    static std::string convert(const looplab::ws::Event& event) {
        namespace ws = looplab::ws;
        if (const auto* m = std::get_if<ws::Message>(&event))
            return fmt::format("{}({:?})", m->kind == ws::MessageKind::Text ? "Text" : "Binary",
                               m->payload);
        if (const auto* p = std::get_if<ws::Ping>(&event))
            return fmt::format("Ping({:?})", p->payload);
        if (const auto* p = std::get_if<ws::Pong>(&event))
            return fmt::format("Pong({:?})", p->payload);
        const auto& c = std::get<ws::Close>(event);
        return c.code ? fmt::format("Close({}, {:?})", *c.code, c.reason) : "Close()";
    }
};
template <>
struct StringMaker<looplab::ws::FrameError> {
    static std::string convert(looplab::ws::FrameError error) { return fmt::format("{}", error); }
};
}   // namespace Catch
