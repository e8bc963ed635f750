// lessons/19-rooms-across-servers/msgpack_dump.cpp — see cluster_lesson.hpp.
//
// A broadcast through Redis is msgpack of [uid, packet, opts] (PROTOCOLS.md §4.1). This file
// cuts those bytes at the boundaries of their parts with the project's own decoder
// (codec::msgpack::decode_prefix says where each value ends) and prints each part's bytes
// beside its meaning, one level into the packet and the options:
//
//   93                                    [uid, packet, opts]: an array of 3
//   a6 .. .. .. .. .. ..                  uid "<uid-A>": the server that published it
//   83                                    packet: a map of 3
//     a4 74 79 70 65 02                     "type": 2 (EVENT)
#include "cluster_lesson.hpp"

#include "looplab/codec/json.hpp"
#include "looplab/codec/msgpack.hpp"

#include <fmt/format.h>

namespace cluster {
namespace {

namespace msgpack = looplab::codec::msgpack;
namespace json = looplab::codec::json;

// Bytes of hex on one line, and the column where the meaning starts.
constexpr std::size_t kBytesPerLine = 11;
constexpr std::size_t kMeaningColumn = 40;

// How many bytes an array or map header takes (fixarray/fixmap: 1; 16-bit count: 3; 32-bit: 5).
std::size_t header_size(unsigned char first) {
    if (first >= 0x80 && first <= 0x9f) return 1;
    if (first == 0xdc || first == 0xde) return 3;
    return 5;
}

std::string json_of(const msgpack::Value& value) {
    auto converted = msgpack::to_json(value);
    return converted ? json::write(*converted) : std::string{"(no JSON form)"};
}

// `bytes` in hex at `indent`, wrapped; `meaning` beside the first line.
void add_part(std::vector<std::string>& lines, std::size_t indent, std::string_view bytes,
              std::string_view meaning, bool mask = false) {
    std::vector<std::string> rows;
    std::string row;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0 && i % kBytesPerLine == 0) rows.push_back(std::exchange(row, {}));
        if (!row.empty()) row += ' ';
        // A masked part keeps its first byte (the type and length), hides the random rest.
        row += mask && i > 0 ? std::string{".."}
                             : fmt::format("{:02x}", static_cast<unsigned char>(bytes[i]));
    }
    rows.push_back(row);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string line = fmt::format("{:{}}{}", "", indent, rows[r]);
        if (r == 0 && !meaning.empty()) {
            line += std::string(line.size() < kMeaningColumn ? kMeaningColumn - line.size() : 1, ' ');
            line += meaning;
        }
        lines.push_back(std::move(line));
    }
}

std::string packet_hint(std::string_view key, const msgpack::Value& value) {
    if (key == "type" && value.type() == msgpack::Type::Int) {
        const auto type = value.as_int();
        return type == 2 ? " (EVENT)" : type == 5 ? " (BINARY_EVENT)" : "";
    }
    if (key == "data") return " (the event and its arguments)";
    if (key == "nsp") return " (the namespace)";
    if (key == "id") return " (an ack id: answers expected)";
    return "";
}

std::string options_hint(std::string_view key, const msgpack::Value& value) {
    const bool empty = (value.type() == msgpack::Type::Array && value.as_array().empty()) ||
                       (value.type() == msgpack::Type::Map && value.as_map().empty());
    if (key == "rooms") return empty ? " (every socket)" : " (their members, on every server)";
    if (key == "except") return empty ? " (nobody left out)" : " (left out)";
    if (key == "flags") return empty ? " (no volatile, no local)" : "";
    return "";
}

// A map's pairs, one part each: key and value bytes together, "key: value" beside them.
void add_map(std::vector<std::string>& lines, std::string_view bytes, std::string_view name,
             bool is_packet) {
    const msgpack::DecodeResult whole = msgpack::decode_prefix(bytes);
    const std::size_t pairs = whole.value.as_map().size();
    std::size_t at = header_size(static_cast<unsigned char>(bytes[0]));
    add_part(lines, 2, bytes.substr(0, at),
             fmt::format("{}: a map of {}", name, pairs));
    for (std::size_t i = 0; i < pairs; ++i) {
        const auto key = msgpack::decode_prefix(bytes.substr(at));
        const auto value = msgpack::decode_prefix(bytes.substr(at + key.position));
        const std::string key_text = key.value.type() == msgpack::Type::String ? key.value.as_string() : json_of(key.value);
        const std::string hint = is_packet ? packet_hint(key_text, value.value) : options_hint(key_text, value.value);
        add_part(lines, 4, bytes.substr(at, key.position + value.position),
                 fmt::format("\"{}\": {}{}", key_text, json_of(value.value), hint));
        at += key.position + value.position;
    }
}

}   // namespace

std::vector<std::string> dump_broadcast(std::string_view bytes, const Transcript& transcript) {
    std::vector<std::string> lines;
    const msgpack::DecodeResult whole = msgpack::decode_prefix(bytes);
    if (whole.status != msgpack::DecodeStatus::Done || whole.position != bytes.size() ||
        whole.value.type() != msgpack::Type::Array || whole.value.as_array().size() != 3 ||
        whole.value.as_array()[0].type() != msgpack::Type::String ||
        whole.value.as_array()[1].type() != msgpack::Type::Map ||
        whole.value.as_array()[2].type() != msgpack::Type::Map) {
        lines.push_back(fmt::format("  ({} bytes that are not a broadcast [uid, packet, opts])", bytes.size()));
        return lines;
    }
    std::size_t at = header_size(static_cast<unsigned char>(bytes[0]));
    add_part(lines, 2, bytes.substr(0, at), "[uid, packet, opts]: an array of 3");

    const auto uid = msgpack::decode_prefix(bytes.substr(at));
    const std::string& uid_text = uid.value.as_string();
    add_part(lines, 2, bytes.substr(at, uid.position),
             transcript.hide_ids(fmt::format("uid \"{}\": the server that published it", uid_text)),
             transcript.demo() && transcript.is_named(uid_text));
    at += uid.position;

    const auto packet = msgpack::decode_prefix(bytes.substr(at));
    add_map(lines, bytes.substr(at, packet.position), "packet", true);
    at += packet.position;
    add_map(lines, bytes.substr(at), "opts", false);
    return lines;
}

}   // namespace cluster
