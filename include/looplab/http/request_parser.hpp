// looplab/http/request_parser.hpp
//
// RequestParser — turns the bytes a client sends into Requests (HTTP/1.1, RFC 9112).
// Teaches: parsing a byte stream. TCP delivers bytes, not messages: one read may hold half a
// request, or three pipelined ones, or a request followed by WebSocket frames.
//
// Contract: pure, no sockets. Feed bytes as they arrive, cut anywhere. feed() takes at most
// ONE request per call and says how many bytes it took, so the caller always knows where
// that request ended:
//
//     std::string_view input = bytes_just_read;
//     while (!input.empty()) {
//         auto step = parser.feed(input);
//         input.remove_prefix(step.consumed);
//         if (step.error) { reply(Response::error(status_for(*step.error))); close(); break; }
//         if (!step.request) break;          // all bytes taken; the rest has not arrived yet
//         handle(*step.request);             // after an Upgrade, `input` holds WebSocket bytes
//     }
//
// What is accepted, and why:
//   - Request line: METHOD SP target SP HTTP/1.0 or HTTP/1.1, single spaces. A well-formed
//     other version ("HTTP/2.0", "HTTP/1.2") gets 505; anything malformed gets 400.
//   - Line ends: CRLF, and also a bare LF (RFC 9112 §2.2 allows a recipient to accept one),
//     so `printf 'GET / HTTP/1.1\nHost: x\n\n' | nc` works in class. A CR anywhere else is
//     refused (400): a lone CR is how request-smuggling attacks hide a line break.
//   - Empty lines before a request line are skipped (RFC 9112 §2.2: some clients send an
//     extra CRLF after a body); they count against kHttpMaxHeaderBytes like any head byte.
//   - Header lines: name ":" value. No space before the colon, no line folding (a line that
//     starts with a space or tab): both 400, as RFC 9112 §5 requires of a server. Spaces and
//     tabs around the value are removed.
//   - An HTTP/1.1 request needs exactly one Host header (RFC 9112 §3.2), else 400.
//   - Body: Content-Length only. Repeated Content-Length lines must agree.
//   - Transfer-Encoding (chunked bodies) is not implemented: any request carrying it gets 501,
//     and the connection closes. Browsers never send chunked requests; curl does only when
//     asked to stream an upload.
//
// After an error the parser stays failed: every later feed() returns the same error, because
// a server cannot find where the next request starts in a stream it failed to understand.
#pragma once

#include "looplab/http/request.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::http {

// Every way a request can break the rules. status_for() gives what the client is told.
enum class RequestError {
    MalformedRequestLine,             // not "METHOD SP target SP version"             400
    InvalidMethod,                    // the method is not a token                       400
    InvalidTarget,                    // empty, or bytes other than visible ASCII        400
    InvalidVersion,                   // not "HTTP/<digit>.<digit>"                      400
    UnsupportedVersion,               // well-formed, but not HTTP/1.0 or HTTP/1.1       505
    RequestLineTooLong,               // kHttpMaxHeaderBytes passed inside the request line  414
    BareCarriageReturn,               // a CR that is not right before the LF            400
    HeaderWithoutColon,               // a header line with no ':'                       400
    SpaceBeforeColon,                 // "Host : x" (RFC 9112 §5.1 says reject)          400
    InvalidHeaderName,                // empty, or not a token                           400
    InvalidHeaderValue,               // a control character (NUL, DEL, ...) in a value  400
    FoldedHeaderLine,                 // a line starting with space/tab (obs-fold)       400
    HeadersTooLarge,                  // kHttpMaxHeaderBytes passed inside the headers       431
    TooManyHeaders,                   // more than kHttpMaxHeaderCount header lines          431
    MissingHost,                      // HTTP/1.1 without a Host header                  400
    DuplicateHost,                    // more than one Host header                       400
    InvalidContentLength,             // Content-Length is not a decimal number          400
    ConflictingContentLength,         // two Content-Length lines that disagree          400
    BodyTooLarge,                     // Content-Length above kHttpMaxBodyBytes              413
    TransferEncodingNotImplemented,   // Transfer-Encoding present (no chunked bodies)   501
};

// The HTTP status code the client is told before the connection closes.
int status_for(RequestError error);

// One short sentence for logs and traces: "Content-Length is above kHttpMaxBodyBytes".
std::string_view describe(RequestError error);

// Where the parser is. The server picks its timer from it: kHttpIdleTimeout while waiting for a
// request, kHttpHeaderTimeout while reading a head (see limits.hpp).
enum class ParserState {
    WaitingForRequest,   // no byte of the next request yet
    ReadingHead,         // inside the request line or the headers
    ReadingBody,         // headers done, Content-Length bytes still to come
    Failed,              // an error was returned; close the connection
};

class RequestParser {
public:
    // What one feed() did.
    struct Step {
        std::size_t consumed = 0;            // bytes of the input taken (or kept for later)
        std::optional<Request> request;      // set when this call completed a request
        std::optional<RequestError> error;   // set when the input broke the rules
    };

    // Takes bytes up to the end of the first request they complete, and stops there; bytes
    // after it are left in the input (consumed < input size). Without a complete request, it
    // takes every byte and keeps the partial request inside. On error `consumed` means
    // nothing: the connection must close.
    Step feed(std::string_view bytes);
    Step feed(std::span<const std::uint8_t> bytes);

    // Takes every byte, appending each completed request to `requests`. nullopt while the
    // input is valid so far. Only for callers that never switch protocols: bytes after an
    // Upgrade request would be parsed as HTTP. Use feed() when that matters.
    std::optional<RequestError> feed_all(std::string_view bytes, std::vector<Request>& requests);

    ParserState state() const;
    std::optional<RequestError> error() const { return error_; }

private:
    enum class Stage { RequestLine, Headers, Body };

    // Everything about the request being read; reset in one assignment when it completes.
    struct Progress {
        Request request;
        Stage stage = Stage::RequestLine;
        std::string line;             // the line read so far, without its LF
        std::size_t head_bytes = 0;   // counted against kHttpMaxHeaderBytes
        std::size_t header_count = 0;
        std::size_t host_count = 0;
        bool has_transfer_encoding = false;
        std::optional<std::uint64_t> content_length;
        std::uint64_t body_left = 0;
        bool is_complete = false;
    };

    std::size_t take_line_bytes(std::string_view input);
    std::size_t take_body_bytes(std::string_view input);
    void on_line(std::string_view line);
    void on_request_line(std::string_view line);
    void on_header_line(std::string_view line);
    void on_content_length(std::string_view value);
    void on_end_of_head();
    void fail(RequestError error);

    Progress progress_;
    std::optional<RequestError> error_;
};

}   // namespace looplab::http

template <>
struct fmt::formatter<looplab::http::RequestError> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(looplab::http::RequestError error, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(looplab::http::describe(error), ctx);
    }
};
