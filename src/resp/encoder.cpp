// looplab/resp/encoder.cpp — commands and replies to RESP bytes.
#include "looplab/resp/encoder.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace looplab::resp {

namespace {

void append_number(std::string& out, std::int64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end);
}

void append_header(std::string& out, char type, std::int64_t count) {
    out += type;
    append_number(out, count);
    out += "\r\n";
}

void append_bulk(std::string& out, char type, std::string_view bytes) {
    append_header(out, type, static_cast<std::int64_t>(bytes.size()));
    out += bytes;
    out += "\r\n";
}

template <typename Strings>
void encode_args(const Strings& args, std::string& out) {
    std::size_t size = 16;
    for (const auto& arg : args) size += arg.size() + 16;
    out.reserve(out.size() + size);   // one allocation per command, not one per argument
    append_header(out, '*', static_cast<std::int64_t>(args.size()));
    for (const auto& arg : args) append_bulk(out, '$', arg);
}

bool has_line_break(std::string_view text) {
    return text.find_first_of("\r\n") != std::string_view::npos;
}

std::string double_text(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    return fmt::format("{}", value);   // the shortest text that reads back the same double
}

}   // namespace

void encode_command(std::span<const std::string_view> args, std::string& out) {
    encode_args(args, out);
}
void encode_command(std::span<const std::string> args, std::string& out) { encode_args(args, out); }
void encode_command(std::initializer_list<std::string_view> args, std::string& out) {
    encode_args(args, out);
}

void encode_reply(const Reply& reply, std::string& out) {
    if (!reply.attributes.empty()) {
        append_header(out, '|', static_cast<std::int64_t>(reply.attributes.size() / 2));
        for (const Reply& attribute : reply.attributes) encode_reply(attribute, out);
    }
    switch (reply.type) {
        case ReplyType::SimpleString:
            if (has_line_break(reply.text)) return append_bulk(out, '$', reply.text);
            out += '+';
            out += reply.text;
            out += "\r\n";
            return;
        case ReplyType::Error:
            if (has_line_break(reply.text)) return append_bulk(out, '!', reply.text);
            out += '-';
            out += reply.text;
            out += "\r\n";
            return;
        case ReplyType::Integer: return append_header(out, ':', reply.integer);
        case ReplyType::Bulk: return append_bulk(out, '$', reply.text);
        case ReplyType::Null: out += "_\r\n"; return;
        case ReplyType::Bool: out += reply.integer ? "#t\r\n" : "#f\r\n"; return;
        case ReplyType::Double: out += ',' + double_text(reply.number) + "\r\n"; return;
        case ReplyType::BigNumber: out += '(' + reply.text + "\r\n"; return;
        case ReplyType::Verbatim:
            return append_bulk(out, '=', fmt::format("{:3.3}:{}", reply.format, reply.text));
        case ReplyType::Map:
            append_header(out, '%', static_cast<std::int64_t>(reply.elements.size() / 2));
            for (const Reply& element : reply.elements) encode_reply(element, out);
            return;
        case ReplyType::Array:
        case ReplyType::Set:
        case ReplyType::Push: {
            const char type = reply.type == ReplyType::Array ? '*'
                              : reply.type == ReplyType::Set ? '~'
                                                             : '>';
            append_header(out, type, static_cast<std::int64_t>(reply.elements.size()));
            for (const Reply& element : reply.elements) encode_reply(element, out);
            return;
        }
    }
}

std::string encode_reply(const Reply& reply) {
    std::string out;
    encode_reply(reply, out);
    return out;
}

}   // namespace looplab::resp
