// looplab/engineio/packet.cpp — one packet: the type digit, text frames, binary frames.
#include "looplab/engineio/packet.hpp"

#include "looplab/codec/base64.hpp"

#include <fmt/format.h>

namespace looplab::engineio {

std::string_view to_string(PacketType type) {
    switch (type) {
        case PacketType::Open: return "open";
        case PacketType::Close: return "close";
        case PacketType::Ping: return "ping";
        case PacketType::Pong: return "pong";
        case PacketType::Message: return "message";
        case PacketType::Upgrade: return "upgrade";
        case PacketType::Noop: return "noop";
    }
    return "unknown";
}

std::optional<PacketType> packet_type_from_digit(char digit) {
    if (digit < '0' || digit > '6') return std::nullopt;
    return static_cast<PacketType>(digit);
}

Result<PacketView> view_text_packet(std::string_view frame_text, std::string& binary_scratch) {
    if (frame_text.empty()) return Error::because("engineio: empty packet");
    if (frame_text[0] == 'b') {   // base64 binary from a client that cannot send binary frames
        auto bytes = codec::base64_decode(frame_text.substr(1));
        if (!bytes)
            return Error::because(
                fmt::format("engineio: invalid base64 in binary packet: {}", bytes.error()));
        binary_scratch.assign(bytes->begin(), bytes->end());
        return PacketView{PacketType::Message, binary_scratch, true};
    }
    const auto type = packet_type_from_digit(frame_text[0]);
    if (!type)
        return Error::because(
            fmt::format("engineio: unknown packet type {}", shown_byte(frame_text[0])));
    return PacketView{*type, frame_text.substr(1), false};
}

Result<Packet> decode_text_packet(std::string_view frame_text) {
    std::string bytes;
    auto view = view_text_packet(frame_text, bytes);
    if (!view) return view.error();
    if (view->is_binary) return Packet{PacketType::Message, std::move(bytes), true};
    return view->to_packet();
}

Packet binary_packet(std::string_view bytes) {
    return Packet{PacketType::Message, std::string{bytes}, true};
}

void encode_text_packet_to(std::string& out, PacketType type, std::string_view data) {
    out.reserve(out.size() + 1 + data.size());
    out += static_cast<char>(type);
    out.append(data);
}

std::string encode_text_packet(PacketType type, std::string_view data) {
    std::string out;
    encode_text_packet_to(out, type, data);
    return out;
}

}   // namespace looplab::engineio
