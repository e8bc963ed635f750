// tests/fuzz/engineio_fuzz.cpp — libFuzzer target for the Engine.IO packet and payload codec.
//
// Checks, for any bytes:
//   1. decode_payload() (a POST body) and the zero-copy PayloadReader agree: same packets in the
//      same order, or both refuse; neither crashes nor reads past the body;
//   2. an accepted payload, built again with append_to_payload(), decodes to the same packets
//      (the encoder and the decoder are each other's inverse);
//   3. one text frame: decode_text_packet() and view_text_packet() agree, and an accepted
//      frame encodes back to a frame that decodes to the same packet.
//
// Run: `make fuzz SECONDS_EACH=600` (all targets), seeds in tests/fuzz/corpus/engineio/.
#include "looplab/engineio/packet.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace eio = looplab::engineio;

// Small enough that the fuzzer meets the limit, large enough for real payloads.
constexpr std::size_t kFuzzMaxPackets = 64;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "engineio_fuzz: %s\n", what);
    std::abort();
}

void check_payload(std::string_view body) {
    auto decoded = eio::decode_payload(body, kFuzzMaxPackets);

    eio::PayloadReader reader{body, kFuzzMaxPackets};
    std::vector<eio::Packet> streamed;
    bool reader_failed = false;
    while (true) {
        auto next = reader.next();
        if (!next) {
            reader_failed = true;
            break;
        }
        if (!*next) break;
        streamed.push_back((*next)->to_packet());
    }
    expect(decoded.has_value() == !reader_failed, "decode_payload and PayloadReader disagree");
    if (!decoded) return;
    expect(*decoded == streamed, "PayloadReader returned other packets");

    std::string rebuilt;
    for (const eio::Packet& packet : *decoded) eio::append_to_payload(rebuilt, packet);
    auto again = eio::decode_payload(rebuilt, kFuzzMaxPackets);
    expect(again.has_value(), "our own payload does not decode");
    expect(*again == *decoded, "payload round trip changed the packets");
}

void check_frame(std::string_view frame) {
    auto owned = eio::decode_text_packet(frame);
    std::string scratch;
    auto viewed = eio::view_text_packet(frame, scratch);
    expect(owned.has_value() == viewed.has_value(), "decode and view disagree on a frame");
    if (!owned) return;
    expect(viewed->to_packet() == *owned, "decode and view return different packets");
    if (owned->is_binary) return;   // a binary packet travels as a binary frame
    auto again = eio::decode_text_packet(eio::encode_text_packet(owned->type, owned->data));
    expect(again.has_value() && *again == *owned, "frame round trip changed the packet");
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes{reinterpret_cast<const char*>(data), size};
    check_payload(bytes);
    check_frame(bytes);
    return 0;
}
