// tests/fuzz/socketio_fuzz.cpp — libFuzzer target for the Socket.IO packet decoder.
//
// The input is cut at each 0x00 byte into Engine.IO messages: the first is a text message,
// each later one is binary while the decoder waits for attachments and text otherwise, as a
// peer would send them. Checks, for any bytes:
//   1. the Decoder never crashes, and never holds more attachments than its limit;
//   2. a text message that needs no attachments gets the same verdict and the same packet
//      from the one-shot decode_text();
//   3. every packet it completes, encoded again by encode(), decodes to a packet of the same
//      type, namespace and ack id that encodes to the same messages again (text first, then
//      its attachments): encode is a fixed point after one round. (Not the same Value: JSON
//      has one number type, so a peer's 1.0 is written 1 and comes back as the integer 1,
//      as in JavaScript; json_fuzz checks the same way.)
//
// Run: `make fuzz SECONDS_EACH=600` (all targets), seeds in tests/fuzz/corpus/socketio/.
#include "looplab/socketio/packet.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace sio = looplab::socketio;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "socketio_fuzz: %s\n", what);
    std::abort();
}

std::vector<std::string_view> split_messages(std::string_view bytes) {
    std::vector<std::string_view> messages;
    while (true) {
        const std::size_t cut = bytes.find('\0');
        messages.push_back(bytes.substr(0, cut));
        if (cut == std::string_view::npos) return messages;
        bytes.remove_prefix(cut + 1);
    }
}

void check_round_trip(const sio::Packet& packet) {
    const sio::EncodedPacket encoded = sio::encode(packet);
    sio::Decoder decoder;
    auto result = decoder.feed_text(encoded.text);
    for (const std::string& attachment : encoded.attachments) {
        expect(result.has_value() && !result->has_value(), "attachment announced but not awaited");
        result = decoder.feed_binary(attachment);
    }
    expect(result.has_value(), "our own packet does not decode");
    expect(result->has_value(), "our own packet is still waiting for attachments");
    const sio::Packet& again = **result;
    expect(again.type == packet.type && again.nsp == packet.nsp && again.id == packet.id &&
               again.data.has_value() == packet.data.has_value(),
           "round trip changed the packet's type, namespace or id");
    const sio::EncodedPacket encoded_again = sio::encode(again);
    expect(encoded_again.text == encoded.text && encoded_again.attachments == encoded.attachments,
           "round trip changed the packet");
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes{reinterpret_cast<const char*>(data), size};
    sio::Decoder decoder;
    for (std::string_view message : split_messages(bytes)) {
        const bool as_binary = decoder.is_awaiting_attachments();
        auto result = as_binary ? decoder.feed_binary(message) : decoder.feed_text(message);
        expect(decoder.attachments_missing() <= sio::kSioMaxAttachments,
               "too many attachments awaited");

        if (!as_binary) {
            auto one_shot = sio::decode_text(message);
            expect(one_shot.has_value() == result.has_value(), "Decoder and decode_text disagree");
            const bool binary_type =
                one_shot && (one_shot->packet.type == sio::PacketType::BinaryEvent ||
                             one_shot->packet.type == sio::PacketType::BinaryAck);
            if (one_shot && one_shot->attachment_count == 0 && !binary_type) {
                expect(result->has_value(), "a packet without attachments was not completed");
                expect(**result == one_shot->packet, "Decoder and decode_text differ");
            }
        }
        if (result && result->has_value()) check_round_trip(**result);
    }
    return 0;
}
