// looplab/resp/parser.hpp
//
// Parser — turns the bytes a Redis server sends into Replies, RESP2 and RESP3 alike.
// Teaches: "parsers own no sockets" again (as ws::FrameParser): bytes in, values out; and a
// length-prefixed protocol, where a bulk string is read by its length, never scanned.
// Run: lessons/16-database   Read: notes/16-database.md, PROTOCOLS-redis-store.md §1-§2
//
// Feed it bytes as they arrive, in pieces of any size: a reply cut anywhere waits inside for
// the next feed(), and the same bytes cut differently give the same replies. Each byte is
// looked at once (a bulk payload is copied once, into the reply that is handed out), so a
// 100 MB GET arriving in 64 KiB reads costs no more than one arriving whole.
//
//   line stage:  "+OK\r\n" ":12\r\n" "$5\r\n" "*3\r\n" ...   the type byte and its line
//   bulk stage:  exactly N payload bytes, then "\r\n"          for $ ! = (binary safe)
//   aggregates:  a stack of the arrays / maps / sets / pushes still open, each waiting for
//                its remaining elements; a value that completes goes to the one on top,
//                or out to the caller when the stack is empty
//
// Refused (an error, see ParseError): a type byte we do not know, a line not ending in CRLF,
// a malformed number, RESP3 streamed strings and aggregates (`$?`, `*?`: Redis 7 never sends
// them; refusing keeps the parser small), and anything past a limit below.
//
// Contract:
// - feed() returns nullopt while the input is valid so far, and a ParseError the moment it
//   is not; the connection must then be closed (the stream can no longer be trusted). The
//   parser stays failed: later feeds return the same error and read nothing.
// - Replies handed out before an error are complete and valid.
// - Memory: at most one reply in progress, bounded by the limits.
#pragma once

#include "looplab/resp/reply.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::resp {

// Largest bulk string (`$`, `!`, `=`) accepted; a longer declared length is an error before a
// byte of it is stored. Redis' own default proto-max-bulk-len is 512 MB.
inline constexpr std::size_t kRespMaxBulkBytes = 512 * 1024 * 1024;
// Deepest nesting of aggregates (an array inside a map inside ...). Real replies nest 2-4
// levels; a deeper one is an error rather than a stack the peer controls.
inline constexpr std::size_t kRespMaxDepth = 64;
// Most elements one aggregate may declare (`*N`, `~N`, `>N`, or 2N for `%N`); more is an
// error at the header, before any element is stored.
inline constexpr std::size_t kRespMaxAggregateLength = 4 * 1024 * 1024;
// Most values in one reply, counting every element at every level: a reply of millions of
// tiny elements costs a Reply (~136 bytes) per 3 wire bytes, so it is bounded as a whole:
// 4 Mi values, ~570 MB at worst (a KEYS or SMEMBERS of 4 million names still fits).
inline constexpr std::size_t kRespMaxReplyElements = 4 * 1024 * 1024;
// Longest header line (type byte to CRLF): simple strings, errors, numbers. Redis' inline
// limit is the same 64 KiB.
inline constexpr std::size_t kRespMaxLineBytes = 64 * 1024;

struct ParserLimits {
    std::size_t max_bulk_bytes = kRespMaxBulkBytes;
    std::size_t max_depth = kRespMaxDepth;
    std::size_t max_aggregate_length = kRespMaxAggregateLength;
    std::size_t max_reply_elements = kRespMaxReplyElements;
    std::size_t max_line_bytes = kRespMaxLineBytes;
};

// Every way the byte stream can be broken, named once; describe() says it in a sentence.
enum class ParseError : std::uint8_t {
    UnknownType,               // the first byte of a value is not a RESP2/RESP3 type byte
    BadLineEnding,             // a line that does not end in CRLF, or a CR inside one
    BadInteger,                // `:` or a length that is not a signed 64-bit decimal
    BadLength,                 // a negative length other than -1, or -1 where null is not allowed
    BadDouble,                 // `,` that is not a number, inf, -inf or nan
    BadBoolean,                // `#` other than t or f
    BadBigNumber,              // `(` that is not an optional sign and digits
    BadNull,                   // `_` with something before the CRLF
    BadVerbatim,               // `=` shorter than "xxx:" or without the ':' after the format
    MissingBulkEnd,            // a bulk payload not followed by CRLF
    StreamedTypeUnsupported,   // RESP3 `$?` / `*?` (streamed): refused, see above
    LineTooLong,               // more than max_line_bytes before the CRLF
    BulkTooLong,               // a bulk length above max_bulk_bytes
    AggregateTooLong,          // an aggregate count above max_aggregate_length
    TooDeep,                   // nesting deeper than max_depth
    TooManyElements,           // one reply with more than max_reply_elements values
};

// "a bulk string longer than the limit (max_bulk_bytes)"
std::string_view describe(ParseError error);

class Parser {
public:
    explicit Parser(ParserLimits limits = {}) : limits_(limits) {}

    // Reads all of `bytes`, appending every complete top-level reply to `replies` (it does
    // not clear it).
    std::optional<ParseError> feed(std::span<const std::uint8_t> bytes,
                                   std::vector<Reply>& replies);
    std::optional<ParseError> feed(std::string_view bytes, std::vector<Reply>& replies);

    std::optional<ParseError> error() const { return error_; }
    bool has_failed() const { return error_.has_value(); }
    // True while part of a reply has arrived and the rest has not (the server going away now
    // loses a reply mid-way).
    bool is_inside_reply() const {
        return stage_ != Stage::Line || !line_.empty() || !open_.empty();
    }
    // Forget everything (a new connection starts a new stream). Limits stay.
    void reset();

private:
    enum class Stage : std::uint8_t { Line, BulkBody, BulkEnd, Failed };

    // An aggregate still waiting for elements.
    struct Open {
        Reply value;
        std::size_t remaining = 0;       // elements still to come
        bool is_attribute = false;       // a `|` map: attaches to the next value
        std::vector<Reply> attributes;   // a finished attribute waiting for its value here
    };

    std::size_t read_line(const char* data, std::size_t size, std::vector<Reply>& replies);
    void on_line(std::string_view line, std::vector<Reply>& replies);
    void on_simple_line(char type, std::string_view body, std::vector<Reply>& replies);
    void start_bulk(char type, std::string_view body, std::vector<Reply>& replies);
    void start_aggregate(char type, std::string_view body, std::vector<Reply>& replies);
    std::size_t read_bulk(const char* data, std::size_t size);
    std::size_t read_bulk_end(const char* data, std::size_t size, std::vector<Reply>& replies);
    void finish_bulk(std::vector<Reply>& replies);
    void complete(Reply value, std::vector<Reply>& replies);
    bool count_element();
    void fail(ParseError error);

    ParserLimits limits_;
    Stage stage_ = Stage::Line;
    std::optional<ParseError> error_;
    std::string line_;   // a header line cut by the end of a feed
    Reply bulk_;         // the bulk string being read
    std::size_t bulk_remaining_ = 0;
    std::uint8_t bulk_end_seen_ = 0;      // bytes of the CRLF after the payload seen so far
    std::vector<Open> open_;              // the aggregates still open, outermost first
    std::vector<Reply> top_attributes_;   // a finished top-level attribute waiting for its reply
    std::size_t elements_in_reply_ = 0;
};

}   // namespace looplab::resp

template <>
struct fmt::formatter<looplab::resp::ParseError> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(looplab::resp::ParseError error, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(looplab::resp::describe(error), ctx);
    }
};
