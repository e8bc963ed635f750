// looplab/socketio/packet_decoder.cpp — text back into a Packet, and the Decoder that puts
// binary attachments back where their placeholders are.
//
// The text is read left to right, once, in the order of the grammar
//     <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// and the JSON is parsed once; every rule of PROTOCOLS.md §2.7 is then a check on the result.
#include "looplab/socketio/packet.hpp"

#include <fmt/format.h>

#include <limits>

namespace looplab::socketio {

namespace json = codec::json;

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_binary_type(PacketType type) {
    return type == PacketType::BinaryEvent || type == PacketType::BinaryAck;
}

// "<count>-" right after a binary type digit. `at` points after the type and moves past '-'.
constexpr std::size_t kCountCeiling = std::numeric_limits<std::size_t>::max() / 10 - 1;

Result<std::size_t> read_attachment_count(std::string_view text, std::size_t& at,
                                          std::size_t max_attachments) {
    const std::size_t start = at;
    std::size_t count = 0;
    while (at < text.size() && is_digit(text[at])) {
        // Stop counting past the limit (no overflow): such a count is refused below anyway.
        if (count <= max_attachments && count < kCountCeiling)
            count = count * 10 + static_cast<std::size_t>(text[at] - '0');
        ++at;
    }
    if (at == start || at == text.size() || text[at] != '-')
        return Error::because("socketio: invalid attachment count");
    ++at;
    if (count > max_attachments)
        return Error::because(fmt::format("socketio: too many attachments ({} > {})",
                                          text.substr(start, at - 1 - start), max_attachments));
    return count;
}

// "<digits>" before the JSON. `at` moves past them.
Result<std::uint64_t> read_ack_id(std::string_view text, std::size_t& at) {
    std::uint64_t id = 0;
    while (at < text.size() && is_digit(text[at])) {
        const auto digit = static_cast<std::uint64_t>(text[at] - '0');
        if (id > (kSioMaxAckId - digit) / 10) return Error::because("socketio: ack id too large");
        id = id * 10 + digit;
        ++at;
    }
    return id;
}

bool is_event_payload(const json::Value& data) {
    if (!data.is_array() || data.size() == 0) return false;
    const json::Value& name = data[0];
    return name.is_string() || name.is_number();
}

// The payload rules of the reference decoder, one per type (PROTOCOLS.md §2.7).
Status check_payload(const Packet& packet) {
    const std::optional<json::Value>& data = packet.data;
    switch (packet.type) {
        case PacketType::Connect:
            if (data && !data->is_object())
                return Error::because("socketio: CONNECT payload must be an object");
            return Ok{};
        case PacketType::Disconnect:
            if (data) return Error::because("socketio: DISCONNECT has no payload");
            return Ok{};
        case PacketType::ConnectError:
            if (!data || !(data->is_string() || data->is_object()))
                return Error::because(
                    "socketio: CONNECT_ERROR payload must be a string or an object");
            return Ok{};
        case PacketType::Event:
        case PacketType::BinaryEvent:
            if (!data || !is_event_payload(*data))
                return Error::because(
                    "socketio: EVENT payload must be a non-empty array whose "
                    "first element is a string or a number");
            if ((*data)[0].is_string() && is_reserved_event((*data)[0].as_string()))
                return Error::because(fmt::format("socketio: reserved event name '{}' in an EVENT",
                                                  (*data)[0].as_string()));
            return Ok{};
        case PacketType::Ack:
        case PacketType::BinaryAck:
            if (!packet.id) return Error::because("socketio: ACK without an id");
            if (!data || !data->is_array())
                return Error::because("socketio: ACK payload must be an array");
            return Ok{};
    }
    return Ok{};
}

// A placeholder is what the reference replaces: an object whose "_placeholder" is true.
bool is_placeholder(const json::Value& value) {
    if (!value.is_object()) return false;
    const json::Value* mark = value.find("_placeholder");
    return mark != nullptr && mark->is_bool() && mark->as_bool();
}

// The attachment a placeholder names; nullopt unless "num" is an integer in [0, count).
std::optional<std::size_t> attachment_index(const json::Value& placeholder, std::size_t count) {
    const json::Value* num = placeholder.find("num");
    if (num == nullptr || !num->is_int() || num->as_int() < 0 ||
        static_cast<std::uint64_t>(num->as_int()) >= count)
        return std::nullopt;
    return static_cast<std::size_t>(num->as_int());
}

// Every placeholder must name one of the `count` attachments; `uses[n]` counts how often
// attachment n is named (so that its last use can take it by move).
Status check_placeholders(const json::Value& value, std::size_t count,
                          std::vector<std::uint8_t>& uses) {
    if (is_placeholder(value)) {
        const auto index = attachment_index(value, count);
        if (!index)
            return Error::because(fmt::format(
                "socketio: placeholder num out of range (the packet has {} attachments)", count));
        if (uses[*index] < 255) ++uses[*index];   // beyond that, every use copies
        return Ok{};
    }
    if (value.is_array()) {
        for (const json::Value& item : value.as_array())
            if (auto checked = check_placeholders(item, count, uses); !checked) return checked;
    } else if (value.is_object()) {
        for (const json::Member& member : value.as_object())
            if (auto checked = check_placeholders(member.second, count, uses); !checked)
                return checked;
    }
    return Ok{};
}

// Replaces each (already checked) placeholder by its attachment as Bytes.
void put_attachments_back(json::Value& value, std::vector<std::string>& attachments,
                          std::vector<std::uint8_t>& uses) {
    if (is_placeholder(value)) {
        const std::size_t n = *attachment_index(value, attachments.size());
        // The last placeholder naming an attachment takes it; earlier ones copy it.
        if (uses[n] == 1) {
            value = json::Value::bytes(std::move(attachments[n]));
        } else {
            if (uses[n] < 255) --uses[n];
            value = json::Value::bytes(attachments[n]);
        }
        return;
    }
    if (value.is_array()) {
        for (json::Value& item : value.as_array()) put_attachments_back(item, attachments, uses);
    } else if (value.is_object()) {
        for (json::Member& member : value.as_object())
            put_attachments_back(member.second, attachments, uses);
    }
}

// The grammar, left to right, into `packet` (filled in place: it is the hot path of every
// incoming event); `attachment_count` gets what a binary packet announces.
Status decode_text_into(std::string_view text, std::size_t max_attachments, Packet& packet,
                        std::size_t& attachment_count) {
    if (text.empty()) return Error::because("socketio: empty packet");
    if (text[0] < '0' || text[0] > '6')
        return Error::because(fmt::format("socketio: unknown packet type {}", shown_byte(text[0])));
    packet.type = static_cast<PacketType>(text[0] - '0');
    std::size_t at = 1;

    if (is_binary_type(packet.type)) {
        auto count = read_attachment_count(text, at, max_attachments);
        if (!count) return count.error();
        attachment_count = *count;
    }
    if (at < text.size() && text[at] == '/') {   // the namespace runs to ',' or to the end
        const std::size_t comma = text.find(',', at);
        const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
        packet.nsp.assign(text.substr(at, end - at));
        at = comma == std::string_view::npos ? text.size() : comma + 1;
    }
    if (at < text.size() && is_digit(text[at])) {
        auto id = read_ack_id(text, at);
        if (!id) return id.error();
        packet.id = *id;
    }
    if (at < text.size()) {
        // emplace(nullptr), a null Value: clang 14 refuses emplace() with no argument here.
        auto parsed = json::parse_into(text.substr(at), packet.data.emplace(nullptr));
        if (!parsed)
            return Error::because(
                fmt::format("socketio: invalid JSON payload: {}", parsed.error()));
    }

    if (auto checked = check_payload(packet); !checked) return checked.error();
    if (is_binary_type(packet.type) && packet.data) {
        std::vector<std::uint8_t> uses(attachment_count, 0);
        if (auto checked = check_placeholders(*packet.data, attachment_count, uses); !checked)
            return checked.error();
    }
    return Ok{};
}

}   // namespace

Result<DecodedText> decode_text(std::string_view text, std::size_t max_attachments) {
    DecodedText decoded;
    if (auto done =
            decode_text_into(text, max_attachments, decoded.packet, decoded.attachment_count);
        !done)
        return done.error();
    return decoded;
}

Decoder::Decoder(std::size_t max_attachments) : max_attachments_(max_attachments) {}

void Decoder::reset() { pending_.reset(); }

Result<std::optional<Packet>> Decoder::fail(Error error) {
    reset();
    return error;
}

Result<std::optional<Packet>> Decoder::feed_text(std::string_view text) {
    if (pending_)
        return fail(Error::because(
            fmt::format("socketio: text packet while {} attachments are still expected",
                        attachments_missing())));
    Result<std::optional<Packet>> completed{std::optional<Packet>{std::in_place}};
    Packet& packet = **completed;
    std::size_t attachment_count = 0;
    if (auto done = decode_text_into(text, max_attachments_, packet, attachment_count); !done)
        return fail(done.error());
    if (!is_binary_type(packet.type)) return completed;

    // Users see Event and Ack only: the Bytes inside say it was binary.
    packet.type = packet.type == PacketType::BinaryEvent ? PacketType::Event : PacketType::Ack;
    if (attachment_count == 0) return completed;
    pending_ = std::make_unique<Pending>(Pending{std::move(packet), attachment_count, {}});
    pending_->received.reserve(pending_->expected_attachments);
    return std::optional<Packet>{};
}

Result<std::optional<Packet>> Decoder::feed_binary(std::string_view bytes) {
    if (!pending_)
        return fail(Error::because("socketio: binary message while no attachment is expected"));
    pending_->received.emplace_back(bytes);
    if (pending_->received.size() < pending_->expected_attachments) return std::optional<Packet>{};
    return std::optional<Packet>{finish_binary_packet()};
}

Packet Decoder::finish_binary_packet() {
    Packet packet = std::move(pending_->packet);
    std::vector<std::uint8_t> uses(pending_->expected_attachments, 0);
    // decode_text() checked every placeholder already; this pass only counts the uses again.
    (void)check_placeholders(*packet.data, pending_->expected_attachments, uses);
    put_attachments_back(*packet.data, pending_->received, uses);
    reset();
    return packet;
}

}   // namespace looplab::socketio
