// looplab/resp/reply.cpp — builders, lookups and redis-cli-like printing of a Reply.
#include "looplab/resp/reply.hpp"

#include <cmath>

namespace looplab::resp {

std::string_view type_name(ReplyType type) {
    switch (type) {
        case ReplyType::SimpleString: return "simple string";
        case ReplyType::Error: return "error";
        case ReplyType::Integer: return "integer";
        case ReplyType::Bulk: return "bulk string";
        case ReplyType::Array: return "array";
        case ReplyType::Null: return "null";
        case ReplyType::Bool: return "boolean";
        case ReplyType::Double: return "double";
        case ReplyType::BigNumber: return "big number";
        case ReplyType::Verbatim: return "verbatim string";
        case ReplyType::Map: return "map";
        case ReplyType::Set: return "set";
        case ReplyType::Push: return "push";
    }
    return "unknown";
}

Reply Reply::verbatim(std::string format, std::string text) {
    Reply reply = with_text(ReplyType::Verbatim, std::move(text));
    reply.format = std::move(format);
    return reply;
}

Reply Reply::integer_value(std::int64_t value) {
    Reply reply;
    reply.type = ReplyType::Integer;
    reply.integer = value;
    return reply;
}

Reply Reply::boolean(bool value) {
    Reply reply;
    reply.type = ReplyType::Bool;
    reply.integer = value ? 1 : 0;
    return reply;
}

Reply Reply::double_value(double value) {
    Reply reply;
    reply.type = ReplyType::Double;
    reply.number = value;
    return reply;
}

const Reply* Reply::find(std::string_view key) const {
    if (type != ReplyType::Map && type != ReplyType::Array) return nullptr;
    for (std::size_t i = 0; i + 1 < elements.size(); i += 2)
        if (elements[i].is_string() && elements[i].text == key) return &elements[i + 1];
    return nullptr;
}

bool Reply::operator==(const Reply& other) const {
    // nan != nan for doubles, but a reply that says "nan" twice says the same thing.
    const bool same_number =
        number == other.number || (std::isnan(number) && std::isnan(other.number));
    return type == other.type && text == other.text && integer == other.integer && same_number &&
           format == other.format && elements == other.elements && attributes == other.attributes;
}

namespace {

void quote(std::string& out, std::string_view text) {
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (byte < 0x20 || byte >= 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    out += '"';
}

void describe_to(std::string& out, const Reply& reply) {
    switch (reply.type) {
        case ReplyType::SimpleString: out += reply.text; return;
        case ReplyType::Error: out += "(error) " + reply.text; return;
        case ReplyType::Integer: out += fmt::format("(integer) {}", reply.integer); return;
        case ReplyType::Bulk: quote(out, reply.text); return;
        case ReplyType::Verbatim: quote(out, reply.text); return;
        case ReplyType::Null: out += "(nil)"; return;
        case ReplyType::Bool: out += reply.integer ? "(true)" : "(false)"; return;
        case ReplyType::Double: out += fmt::format("(double) {}", reply.number); return;
        case ReplyType::BigNumber: out += "(big number) " + reply.text; return;
        case ReplyType::Map: {
            out += '{';
            for (std::size_t i = 0; i < reply.elements.size(); ++i) {
                if (i > 0) out += (i % 2 == 1) ? ": " : ", ";
                describe_to(out, reply.elements[i]);
            }
            out += '}';
            return;
        }
        case ReplyType::Array:
        case ReplyType::Set:
        case ReplyType::Push: {
            if (reply.type == ReplyType::Set) out += "(set) ";
            if (reply.type == ReplyType::Push) out += "(push) ";
            out += '[';
            for (std::size_t i = 0; i < reply.elements.size(); ++i) {
                if (i > 0) out += ", ";
                describe_to(out, reply.elements[i]);
            }
            out += ']';
            return;
        }
    }
}

}   // namespace

std::string describe(const Reply& reply) {
    std::string out;
    describe_to(out, reply);
    return out;
}

}   // namespace looplab::resp
