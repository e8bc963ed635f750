// tests/unit/ws/frame_encoder_test.cpp — frames written byte for byte as RFC 6455 §5.7 shows.
#include "looplab/ws/frame_encoder.hpp"

#include "ws_test_support.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace looplab::ws;
using looplab::ws::test::hex;

namespace {
const MaskingKey kRfcKey{0x37, 0xfa, 0x21, 0x3d};
}

TEST_CASE("a server's text frame \"Hello\" encodes to the RFC 6455 example bytes",
          "[ws][encoder]") {
    //                                               FIN|text len=5 H  e  l  l  o
    CHECK(encode_frame(Opcode::Text, "Hello") == hex("81 05 48 65 6c 6c 6f"));
}

TEST_CASE("a client's masked \"Hello\" encodes to the RFC 6455 example bytes", "[ws][encoder]") {
    //                                 FIN|text MASK|5 key          masked "Hello"
    CHECK(encode_frame(Opcode::Text, "Hello", kRfcKey) == hex("81 85 37fa213d 7f9f4d5158"));
}

TEST_CASE("a fragmented \"Hello\" encodes as the RFC 6455 example's two frames", "[ws][encoder]") {
    std::string wire;
    append_frame(wire, Opcode::Text, "Hel", std::nullopt, /*fin=*/false);   // text, FIN=0
    append_frame(wire, Opcode::Continuation, "lo");                         // continuation, FIN=1
    CHECK(wire == hex("01 03 48656c"
                      "80 02 6c6f"));
}

TEST_CASE("ping and pong encode to the RFC 6455 example bytes", "[ws][encoder]") {
    CHECK(encode_ping("Hello") == hex("89 05 48656c6c6f"));                     // unmasked ping
    CHECK(encode_pong("Hello", kRfcKey) == hex("8a 85 37fa213d 7f9f4d5158"));   // masked pong
}

TEST_CASE("binary lengths of 256 bytes and 64 KiB use the RFC 6455 example headers",
          "[ws][encoder]") {
    const std::string small = encode_frame(Opcode::Binary, std::string(256, 'x'));
    CHECK(small.substr(0, 4) == hex("82 7E 0100"));   // 126: a 16-bit length follows
    CHECK(small.size() == 4 + 256);

    const std::string large = encode_frame(Opcode::Binary, std::string(65536, 'x'));
    CHECK(large.substr(0, 10) == hex("82 7F 0000000000010000"));   // 127: a 64-bit length
    CHECK(large.size() == 10 + 65536);
}

TEST_CASE("the length uses the shortest form at each boundary", "[ws][encoder]") {
    CHECK(encode_frame(Opcode::Binary, std::string(125, 'a')).substr(0, 2) == hex("82 7d"));
    CHECK(encode_frame(Opcode::Binary, std::string(126, 'a')).substr(0, 4) == hex("82 7e 007e"));
    CHECK(encode_frame(Opcode::Binary, std::string(65535, 'a')).substr(0, 4) == hex("82 7e ffff"));
    CHECK(frame_header_size(0, false) == 2);
    CHECK(frame_header_size(125, true) == 6);
    CHECK(frame_header_size(126, false) == 4);
    CHECK(frame_header_size(65535, true) == 8);
    CHECK(frame_header_size(65536, false) == 10);
    CHECK(frame_header_size(65536, true) == 14);
}

TEST_CASE("a close frame carries the code big-endian, then the reason", "[ws][encoder]") {
    //                                                   FIN|close len=5 1000  "bye"
    CHECK(encode_close(CloseCode::Normal, "bye") == hex("88 05 03e8 627965"));
    CHECK(encode_close(CloseCode{4000}) == hex("88 02 0fa0"));
    CHECK(encode_close(std::nullopt) == hex("88 00"));   // no code: empty payload
    CHECK(encode_close(CloseCode::GoingAway, "", kRfcKey) ==
          hex("88 82 37fa213d") +
              std::string{static_cast<char>(0x03 ^ 0x37), static_cast<char>(0xe9 ^ 0xfa)});
    CHECK(encode_close(CloseCode::Normal, std::string(kWsMaxCloseReason, 'r')).size() == 2 + 125);
}

TEST_CASE("append_frame writes after what the buffer already holds", "[ws][encoder]") {
    std::string out = "earlier";
    append_frame(out, Opcode::Text, "Hello");
    append_close(out, CloseCode::Normal);
    CHECK(out == "earlier" + hex("81 05 48656c6c6f") + hex("88 02 03e8"));
}

TEST_CASE("a whole Frame is written exactly as described, even when it breaks the rules",
          "[ws][encoder]") {
    Frame frame;
    frame.fin = false;
    frame.rsv1 = true;
    frame.rsv3 = true;
    frame.opcode = Opcode::Ping;   // a fragmented ping: illegal, but tests need to send one
    frame.masked = true;
    frame.masking_key = kRfcKey;
    frame.payload = "Hello";
    CHECK(encode_frame(frame) == hex("59 85 37fa213d 7f9f4d5158"));

    frame = Frame{};
    frame.opcode = Opcode{0xB};   // reserved opcode
    CHECK(encode_frame(frame) == hex("8b 00"));
}

TEST_CASE("a server FrameEncoder never masks; a client one masks with each new key",
          "[ws][encoder]") {
    std::string out;
    FrameEncoder server{Role::Server};
    server.append(out, Opcode::Text, "Hello");
    CHECK(out == hex("81 05 48656c6c6f"));

    int keys_drawn = 0;
    FrameEncoder client{Role::Client, [&] {
                            ++keys_drawn;
                            return kRfcKey;
                        }};
    out.clear();
    client.append(out, Opcode::Text, "Hello");
    client.append_close(out, CloseCode::Normal);
    CHECK(out == hex("81 85 37fa213d 7f9f4d5158") + hex("88 82 37fa213d") +
                     std::string{static_cast<char>(0x03 ^ 0x37), static_cast<char>(0xe8 ^ 0xfa)});
    CHECK(keys_drawn == 2);
    CHECK(client.role() == Role::Client);
}

TEST_CASE("a client FrameEncoder without a key source draws changing random keys",
          "[ws][encoder]") {
    FrameEncoder client{Role::Client};
    std::set<std::string> keys;
    for (int i = 0; i < 20; ++i) {
        std::string out;
        client.append(out, Opcode::Binary, "");
        REQUIRE(out.size() == 6);
        CHECK(static_cast<unsigned char>(out[1]) == 0x80);   // MASK set, length 0
        keys.insert(out.substr(2, 4));
    }
    CHECK(keys.size() > 1);
}
