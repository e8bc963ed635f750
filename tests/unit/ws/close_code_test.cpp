// tests/unit/ws/close_code_test.cpp — which close codes may travel, and what each error sends.
#include "looplab/ws/close_code.hpp"
#include "looplab/ws/frame_parser.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdint>

using namespace looplab::ws;

TEST_CASE("the close codes RFC 6455 §7.4 allows on the wire are accepted", "[ws][close]") {
    const std::uint16_t code = GENERATE(as<std::uint16_t>{}, 1000, 1001, 1002, 1003, 1007, 1008,
                                        1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999);
    CAPTURE(code);
    CHECK(is_valid_close_code_on_wire(code));
}

TEST_CASE("reserved, local-only and unassigned close codes are refused", "[ws][close]") {
    const std::uint16_t code = GENERATE(as<std::uint16_t>{}, 0, 1, 999, 1004, 1005, 1006, 1015,
                                        1016, 1100, 2000, 2999, 5000, 65535);
    CAPTURE(code);
    CHECK_FALSE(is_valid_close_code_on_wire(code));
}

TEST_CASE("each frame error maps to the close code the peer is told", "[ws][close]") {
    CHECK(close_code_for(FrameError::MessageTooBig) == CloseCode::MessageTooBig);
    CHECK(close_code_for(FrameError::InvalidUtf8) == CloseCode::InvalidPayload);
    CHECK(close_code_for(FrameError::InvalidCloseReason) == CloseCode::InvalidPayload);
    for (FrameError error : {FrameError::ReservedBitsSet, FrameError::UnknownOpcode,
                             FrameError::FragmentedControlFrame, FrameError::ControlPayloadTooLong,
                             FrameError::UnmaskedClientFrame, FrameError::MaskedServerFrame,
                             FrameError::LengthHighBitSet, FrameError::UnexpectedContinuation,
                             FrameError::InterleavedMessage, FrameError::CloseFrameTooShort,
                             FrameError::InvalidCloseCode}) {
        CAPTURE(describe(error));
        CHECK(close_code_for(error) == CloseCode::ProtocolError);
    }
}

TEST_CASE("close codes print with their meaning", "[ws][close]") {
    CHECK(fmt::format("{}", CloseCode::ProtocolError) == "1002 (protocol error)");
    CHECK(fmt::format("{}", CloseCode{4000}) == "4000 (application)");
    CHECK(fmt::format("{}", CloseCode{2000}) == "2000 (unknown)");
    CHECK(fmt::format("{}", FrameError::UnmaskedClientFrame) ==
          "unmasked frame from a client (clients must mask every frame)");
}
