// tests/unit/ws/frame_test.cpp — the frame vocabulary: masking, opcodes, the one-line format.
#include "looplab/ws/frame.hpp"

#include "ws_test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

using namespace looplab::ws;
using looplab::ws::test::hex;

namespace {
const MaskingKey kRfcKey{0x37, 0xfa, 0x21, 0x3d};   // the key of the RFC 6455 §5.7 examples
}

TEST_CASE("masking \"Hello\" with the RFC key gives the RFC 6455 example bytes", "[ws][frame]") {
    std::string payload = "Hello";
    apply_mask(payload, kRfcKey);
    CHECK(payload == hex("7f 9f 4d 51 58"));
    apply_mask(payload, kRfcKey);   // masking is its own inverse
    CHECK(payload == "Hello");
}

TEST_CASE("masking in pieces at any offset equals masking in one go", "[ws][frame]") {
    const std::size_t size = GENERATE(range<std::size_t>(0, 40));
    std::string whole;
    for (std::size_t i = 0; i < size; ++i) whole.push_back(static_cast<char>(i * 7 + 1));
    std::string expected = whole;
    apply_mask(expected, kRfcKey);

    for (std::size_t cut = 0; cut <= size; ++cut) {
        CAPTURE(size, cut);
        std::string pieces = whole;
        apply_mask(std::span<char>{pieces.data(), cut}, kRfcKey, 0);
        apply_mask(std::span<char>{pieces.data() + cut, size - cut}, kRfcKey, cut);
        CHECK(pieces == expected);
    }
}

TEST_CASE("masking byte i uses key byte i mod 4, also past the 8-byte fast path", "[ws][frame]") {
    std::string zeros(21, '\0');
    apply_mask(zeros, MaskingKey{1, 2, 3, 4}, 1);   // start one byte into the payload
    for (std::size_t i = 0; i < zeros.size(); ++i) {
        CAPTURE(i);
        CHECK(static_cast<int>(zeros[i]) == static_cast<int>((i + 1) % 4) + 1);
    }
}

TEST_CASE("control opcodes are close, ping and pong; 3-7 and 11-15 are unknown", "[ws][frame]") {
    CHECK_FALSE(is_control(Opcode::Continuation));
    CHECK_FALSE(is_control(Opcode::Text));
    CHECK_FALSE(is_control(Opcode::Binary));
    CHECK(is_control(Opcode::Close));
    CHECK(is_control(Opcode::Ping));
    CHECK(is_control(Opcode::Pong));
    for (int value = 0; value < 16; ++value) {
        CAPTURE(value);
        const bool is_defined = value <= 2 || (value >= 8 && value <= 10);
        CHECK(is_known_opcode(static_cast<std::uint8_t>(value)) == is_defined);
    }
}

TEST_CASE("a frame prints as one inspector line", "[ws][frame]") {
    Frame frame;
    frame.opcode = Opcode::Text;
    frame.masked = true;
    frame.payload = "Hello";
    CHECK(fmt::format("{}", frame) == "FIN=1 opcode=text mask=1 len=5");

    frame.fin = false;
    frame.masked = false;
    frame.opcode = Opcode::Continuation;
    frame.rsv1 = true;
    CHECK(fmt::format("{}", frame) == "FIN=0 opcode=continuation mask=0 len=5 rsv=100");

    FrameHeader header;
    header.opcode = Opcode{0x3};
    header.payload_length = 70000;
    CHECK(fmt::format("{}", header) == "FIN=1 opcode=reserved(0x3) mask=0 len=70000");
    CHECK(fmt::format("{}", Opcode::Pong) == "pong");
}
