// looplab/engineio/payload.cpp — the polling payload: packets joined by 0x1E, binary as
// 'b' + base64.
#include "looplab/engineio/packet.hpp"

#include "looplab/codec/base64.hpp"
#include "looplab/core/assert.hpp"

#include <fmt/format.h>

namespace looplab::engineio {

namespace {

void append_packet(std::string& out, PacketType type, std::string_view data, bool is_binary) {
    if (!out.empty()) out += kEioPayloadSeparator;
    if (!is_binary) {
        encode_text_packet_to(out, type, data);
        return;
    }
    LOOPLAB_ASSERT(type == PacketType::Message, "only a message packet can carry binary data");
    out += 'b';
    out += codec::base64_encode(data);
}

}   // namespace

void append_to_payload(std::string& out, const Packet& packet) {
    append_packet(out, packet.type, packet.data, packet.is_binary);
}

void append_to_payload(std::string& out, const PacketView& packet) {
    append_packet(out, packet.type, packet.data, packet.is_binary);
}

PayloadReader::PayloadReader(std::string_view body, std::size_t max_packets)
    : rest_(body), max_packets_(max_packets) {
    if (body.empty()) error_ = Error::because("engineio: empty payload");
}

Result<std::optional<PacketView>> PayloadReader::next() {
    if (error_) return *error_;
    if (is_done_) return std::optional<PacketView>{};
    if (packets_read_ == max_packets_) {
        error_ = Error::because(
            fmt::format("engineio: more than {} packets in one payload", max_packets_));
        return *error_;
    }

    // Cut off one packet; the body ends after a packet, never after a separator.
    const std::size_t separator = rest_.find(kEioPayloadSeparator);
    const std::string_view text = rest_.substr(0, separator);
    if (separator == std::string_view::npos) {
        is_done_ = true;
    } else {
        rest_.remove_prefix(separator + 1);
    }
    const std::size_t number = packets_read_ + 1;   // errors count packets from 1

    if (text.empty()) {
        error_ = Error::because(fmt::format("engineio: packet {} is empty", number));
        return *error_;
    }
    if (text[0] == 'b') {
        auto bytes = codec::base64_decode(text.substr(1));
        if (!bytes) {
            error_ = Error::because(fmt::format("engineio: invalid base64 in binary packet {}: {}",
                                                number, bytes.error()));
            return *error_;
        }
        binary_.assign(bytes->begin(), bytes->end());
        ++packets_read_;
        return std::optional<PacketView>{PacketView{PacketType::Message, binary_, true}};
    }
    const auto type = packet_type_from_digit(text[0]);
    if (!type) {
        error_ = Error::because(fmt::format("engineio: unknown packet type {} in packet {}",
                                            shown_byte(text[0]), number));
        return *error_;
    }
    ++packets_read_;
    return std::optional<PacketView>{PacketView{*type, text.substr(1), false}};
}

Result<std::vector<Packet>> decode_payload(std::string_view body, std::size_t max_packets) {
    PayloadReader reader{body, max_packets};
    std::vector<Packet> packets;
    while (true) {
        auto next = reader.next();
        if (!next) return next.error();
        if (!*next) return packets;
        packets.push_back((*next)->to_packet());
    }
}

}   // namespace looplab::engineio
