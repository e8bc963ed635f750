// looplab/resp/parser.cpp
//
// The parser is a small state machine over one value at a time:
//
//   Line ──(a bulk header: $ ! =)──► BulkBody ──(N bytes)──► BulkEnd ──(CRLF)──► Line
//     │
//     └──(any other header)── a simple value completes at once, or an aggregate opens
//
//   any rule broken ──► Failed (for good)
//
// complete() is where values meet their aggregates: a finished value goes into the aggregate
// on top of the stack, and when that one has all its elements it is finished in turn.
#include "looplab/resp/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace looplab::resp {

namespace {

// Room reserved ahead for a bulk string or an aggregate: the declared size, up to this much.
// A peer that declares 500 MB and sends 5 bytes makes us grow step by step, not allocate at once.
constexpr std::size_t kReserveAhead = 64 * 1024;
constexpr std::size_t kReserveElementsAhead = 1024;

std::optional<std::int64_t> parse_int64(std::string_view text) {
    std::int64_t value = 0;
    if (text.empty() || text.front() == '+') return std::nullopt;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<double> parse_double(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text == "inf") return std::numeric_limits<double>::infinity();
    if (text == "-inf") return -std::numeric_limits<double>::infinity();
    // Redis before 7.2 may write NaN as "-nan" (PROTOCOLS-redis-store.md §2).
    if (text == "nan" || text == "-nan") return std::numeric_limits<double>::quiet_NaN();
    const std::string_view digits = (!text.empty() && text.front() == '-') ? text.substr(1) : text;
    if (digits.empty() ||
        !((digits.front() >= '0' && digits.front() <= '9') || digits.front() == '.'))
        return std::nullopt;   // from_chars would also take "infinity" and friends
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

bool is_big_number(std::string_view text) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}   // namespace

std::string_view describe(ParseError error) {
    switch (error) {
        case ParseError::UnknownType: return "a value starts with an unknown type byte";
        case ParseError::BadLineEnding:
            return "a line that does not end in CRLF (or has a CR inside)";
        case ParseError::BadInteger: return "an integer or length that is not a 64-bit decimal";
        case ParseError::BadLength:
            return "a negative length other than -1, or a null where none is allowed";
        case ParseError::BadDouble: return "a double that is not a number, inf, -inf or nan";
        case ParseError::BadBoolean: return "a boolean other than #t or #f";
        case ParseError::BadBigNumber: return "a big number that is not a sign and digits";
        case ParseError::BadNull: return "a null (_) with bytes before its CRLF";
        case ParseError::BadVerbatim:
            return "a verbatim string without its 3-letter format and ':'";
        case ParseError::MissingBulkEnd: return "a bulk string not followed by CRLF";
        case ParseError::StreamedTypeUnsupported:
            return "a RESP3 streamed string or aggregate ($? *?), which this client refuses";
        case ParseError::LineTooLong: return "a header line longer than the limit (max_line_bytes)";
        case ParseError::BulkTooLong: return "a bulk string longer than the limit (max_bulk_bytes)";
        case ParseError::AggregateTooLong:
            return "an aggregate with more elements than the limit (max_aggregate_length)";
        case ParseError::TooDeep: return "aggregates nested deeper than the limit (max_depth)";
        case ParseError::TooManyElements:
            return "a reply with more values than the limit (max_reply_elements)";
    }
    return "unknown parse error";
}

std::optional<ParseError> Parser::feed(std::string_view bytes, std::vector<Reply>& replies) {
    return feed(std::span{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                replies);
}

std::optional<ParseError> Parser::feed(std::span<const std::uint8_t> bytes,
                                       std::vector<Reply>& replies) {
    const char* data = reinterpret_cast<const char*>(bytes.data());
    std::size_t at = 0;
    while (at < bytes.size() && stage_ != Stage::Failed) {
        const std::size_t left = bytes.size() - at;
        switch (stage_) {
            case Stage::Line: at += read_line(data + at, left, replies); break;
            case Stage::BulkBody: at += read_bulk(data + at, left); break;
            case Stage::BulkEnd: at += read_bulk_end(data + at, left, replies); break;
            case Stage::Failed: break;
        }
    }
    return error_;
}

void Parser::reset() {
    stage_ = Stage::Line;
    error_.reset();
    line_.clear();
    bulk_ = Reply{};
    bulk_remaining_ = 0;
    bulk_end_seen_ = 0;
    open_.clear();
    top_attributes_.clear();
    elements_in_reply_ = 0;
}

void Parser::fail(ParseError error) {
    error_ = error;
    stage_ = Stage::Failed;
}

// ---- Line ----------------------------------------------------------------------------------

std::size_t Parser::read_line(const char* data, std::size_t size, std::vector<Reply>& replies) {
    const auto* newline = static_cast<const char*>(std::memchr(data, '\n', size));
    const std::size_t take = newline ? static_cast<std::size_t>(newline - data) + 1 : size;
    // A whole line may be the limit + CRLF; a cut one the limit + the CR that may end it.
    if (line_.size() + take > limits_.max_line_bytes + (newline ? 2 : 1)) {
        fail(ParseError::LineTooLong);
        return take;
    }
    if (!newline) {   // cut by the end of this feed: keep the piece for the next one
        line_.append(data, size);
        return size;
    }
    // The usual case reads the line in place; only a line cut by a feed was copied.
    std::string_view line{data, take};
    if (!line_.empty()) {
        line_.append(data, take);
        line = line_;
    }
    if (line.size() < 2 || line[line.size() - 2] != '\r' ||
        line.substr(0, line.size() - 2).find('\r') != std::string_view::npos) {
        fail(ParseError::BadLineEnding);
        return take;
    }
    on_line(line.substr(0, line.size() - 2), replies);
    line_.clear();
    return take;
}

void Parser::on_line(std::string_view line, std::vector<Reply>& replies) {
    if (line.empty()) return fail(ParseError::UnknownType);
    const char type = line.front();
    const std::string_view body = line.substr(1);
    switch (type) {
        case '+':
        case '-':
        case ':':
        case '_':
        case '#':
        case ',':
        case '(': return on_simple_line(type, body, replies);
        case '$':
        case '!':
        case '=': return start_bulk(type, body, replies);
        case '*':
        case '~':
        case '>':
        case '%':
        case '|': return start_aggregate(type, body, replies);
        default: return fail(ParseError::UnknownType);
    }
}

void Parser::on_simple_line(char type, std::string_view body, std::vector<Reply>& replies) {
    Reply value;
    switch (type) {
        case '+': value = Reply::simple(std::string{body}); break;
        case '-': value = Reply::error(std::string{body}); break;
        case ':': {
            const auto integer = parse_int64(body);
            if (!integer) return fail(ParseError::BadInteger);
            value = Reply::integer_value(*integer);
            break;
        }
        case '_':
            if (!body.empty()) return fail(ParseError::BadNull);
            break;
        case '#':
            if (body != "t" && body != "f") return fail(ParseError::BadBoolean);
            value = Reply::boolean(body == "t");
            break;
        case ',': {
            const auto number = parse_double(body);
            if (!number) return fail(ParseError::BadDouble);
            value = Reply::double_value(*number);
            break;
        }
        default:   // '('
            if (!is_big_number(body)) return fail(ParseError::BadBigNumber);
            value = Reply::big_number(std::string{body});
            break;
    }
    if (count_element()) complete(std::move(value), replies);
}

// ---- Bulk strings --------------------------------------------------------------------------

void Parser::start_bulk(char type, std::string_view body, std::vector<Reply>& replies) {
    if (body == "?") return fail(ParseError::StreamedTypeUnsupported);
    const auto length = parse_int64(body);
    if (!length) return fail(ParseError::BadInteger);
    if (*length == -1 && type == '$') {   // RESP2's null bulk string: a GET miss
        if (count_element()) complete(Reply::null(), replies);
        return;
    }
    if (*length < 0) return fail(ParseError::BadLength);
    if (static_cast<std::uint64_t>(*length) > limits_.max_bulk_bytes)
        return fail(ParseError::BulkTooLong);
    if (type == '=' && *length < 4) return fail(ParseError::BadVerbatim);
    if (!count_element()) return;

    bulk_ = Reply{};
    bulk_.type = type == '$'   ? ReplyType::Bulk
                 : type == '!' ? ReplyType::Error
                               : ReplyType::Verbatim;
    bulk_remaining_ = static_cast<std::size_t>(*length);
    bulk_.text.reserve(std::min(bulk_remaining_, kReserveAhead));
    bulk_end_seen_ = 0;
    stage_ = bulk_remaining_ > 0 ? Stage::BulkBody : Stage::BulkEnd;
}

std::size_t Parser::read_bulk(const char* data, std::size_t size) {
    const std::size_t take = std::min(bulk_remaining_, size);
    bulk_.text.append(data, take);   // the one copy of the payload
    bulk_remaining_ -= take;
    if (bulk_remaining_ == 0) stage_ = Stage::BulkEnd;
    return take;
}

std::size_t Parser::read_bulk_end(const char* data, std::size_t size, std::vector<Reply>& replies) {
    static constexpr char kCrLf[] = "\r\n";
    std::size_t at = 0;
    while (bulk_end_seen_ < 2 && at < size) {
        if (data[at] != kCrLf[bulk_end_seen_]) {
            fail(ParseError::MissingBulkEnd);
            return at;
        }
        ++bulk_end_seen_;
        ++at;
    }
    if (bulk_end_seen_ == 2) finish_bulk(replies);
    return at;
}

void Parser::finish_bulk(std::vector<Reply>& replies) {
    stage_ = Stage::Line;
    if (bulk_.type == ReplyType::Verbatim) {   // "txt:Some string": format, ':', text
        if (bulk_.text[3] != ':') return fail(ParseError::BadVerbatim);
        bulk_.format = bulk_.text.substr(0, 3);
        bulk_.text.erase(0, 4);
    }
    complete(std::move(bulk_), replies);
    bulk_ = Reply{};
}

// ---- Aggregates ----------------------------------------------------------------------------

void Parser::start_aggregate(char type, std::string_view body, std::vector<Reply>& replies) {
    if (body == "?") return fail(ParseError::StreamedTypeUnsupported);
    const auto count = parse_int64(body);
    if (!count) return fail(ParseError::BadInteger);
    if (*count == -1 && type == '*') {   // RESP2's null array: a BLPOP timeout
        if (count_element()) complete(Reply::null(), replies);
        return;
    }
    if (*count < 0) return fail(ParseError::BadLength);
    const bool is_pairs = type == '%' || type == '|';
    const std::uint64_t elements = static_cast<std::uint64_t>(*count) * (is_pairs ? 2 : 1);
    if (elements > limits_.max_aggregate_length) return fail(ParseError::AggregateTooLong);
    if (open_.size() + 1 > limits_.max_depth) return fail(ParseError::TooDeep);
    const bool is_attribute = type == '|';
    if (!is_attribute && !count_element()) return;   // an attribute is not a value

    Open open;
    open.is_attribute = is_attribute;
    open.remaining = static_cast<std::size_t>(elements);
    open.value.type = type == '*'   ? ReplyType::Array
                      : type == '~' ? ReplyType::Set
                      : type == '>' ? ReplyType::Push
                                    : ReplyType::Map;
    if (elements == 0) {
        if (!is_attribute) complete(std::move(open.value), replies);
        return;
    }
    open.value.elements.reserve(std::min<std::size_t>(open.remaining, kReserveElementsAhead));
    open_.push_back(std::move(open));
}

bool Parser::count_element() {
    if (++elements_in_reply_ <= limits_.max_reply_elements) return true;
    fail(ParseError::TooManyElements);
    return false;
}

void Parser::complete(Reply value, std::vector<Reply>& replies) {
    for (;;) {
        // An attribute that arrived just before this value, at this level, annotates it.
        std::vector<Reply>& waiting = open_.empty() ? top_attributes_ : open_.back().attributes;
        if (!waiting.empty()) value.attributes = std::exchange(waiting, {});

        if (open_.empty()) {
            replies.push_back(std::move(value));
            elements_in_reply_ = 0;
            return;
        }
        Open& parent = open_.back();
        parent.value.elements.push_back(std::move(value));
        if (--parent.remaining > 0) return;

        Open done = std::move(parent);
        open_.pop_back();
        if (done.is_attribute) {   // not a value: it waits for the value it annotates
            (open_.empty() ? top_attributes_ : open_.back().attributes) =
                std::move(done.value.elements);
            return;
        }
        value = std::move(done.value);
    }
}

}   // namespace looplab::resp
