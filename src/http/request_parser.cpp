#include "looplab/http/request_parser.hpp"

#include "looplab/http/limits.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace looplab::http {

namespace {

bool is_visible_ascii(char c) { return c > 0x20 && c < 0x7f; }

// RFC 9110 §5.5: visible ASCII, space, tab, and bytes >= 0x80 (obs-text, e.g. UTF-8 that
// some clients send). Every other control character, NUL included, is refused.
bool is_field_value_char(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || byte == ' ' || is_visible_ascii(c) || byte >= 0x80;
}

std::string_view trim_spaces_and_tabs(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}   // namespace

int status_for(RequestError error) {
    switch (error) {
        case RequestError::UnsupportedVersion: return 505;   // Version Not Supported
        case RequestError::RequestLineTooLong: return 414;   // URI Too Long
        case RequestError::HeadersTooLarge:
        case RequestError::TooManyHeaders: return 431;                   // Header Fields Too Large
        case RequestError::BodyTooLarge: return 413;                     // Content Too Large
        case RequestError::TransferEncodingNotImplemented: return 501;   // Not Implemented
        default: return 400;                                             // Bad Request
    }
}

std::string_view describe(RequestError error) {
    switch (error) {
        case RequestError::MalformedRequestLine: return "request line is not METHOD target version";
        case RequestError::InvalidMethod: return "method is not a token";
        case RequestError::InvalidTarget: return "request target is empty or not visible ASCII";
        case RequestError::InvalidVersion: return "version is not HTTP/<digit>.<digit>";
        case RequestError::UnsupportedVersion: return "version is not HTTP/1.0 or HTTP/1.1";
        case RequestError::RequestLineTooLong: return "request line is above kHttpMaxHeaderBytes";
        case RequestError::BareCarriageReturn: return "CR not followed by LF";
        case RequestError::HeaderWithoutColon: return "header line has no ':'";
        case RequestError::SpaceBeforeColon: return "space between header name and ':'";
        case RequestError::InvalidHeaderName: return "header name is not a token";
        case RequestError::InvalidHeaderValue: return "control character in a header value";
        case RequestError::FoldedHeaderLine: return "header line starts with a space (obs-fold)";
        case RequestError::HeadersTooLarge: return "headers are above kHttpMaxHeaderBytes";
        case RequestError::TooManyHeaders: return "more than kHttpMaxHeaderCount headers";
        case RequestError::MissingHost: return "HTTP/1.1 request without Host";
        case RequestError::DuplicateHost: return "more than one Host header";
        case RequestError::InvalidContentLength: return "Content-Length is not a number";
        case RequestError::ConflictingContentLength: return "Content-Length lines disagree";
        case RequestError::BodyTooLarge: return "Content-Length is above kHttpMaxBodyBytes";
        case RequestError::TransferEncodingNotImplemented: return "Transfer-Encoding not supported";
    }
    return "unknown request error";
}

RequestParser::Step RequestParser::feed(std::string_view bytes) {
    Step step;
    while (!error_ && step.consumed < bytes.size()) {
        const auto rest = bytes.substr(step.consumed);
        step.consumed +=
            progress_.stage == Stage::Body ? take_body_bytes(rest) : take_line_bytes(rest);
        if (progress_.is_complete) {
            step.request = std::move(progress_.request);
            progress_ = Progress{};   // ready for the next request on this connection
            break;                    // one request per call: the caller decides what follows
        }
    }
    step.error = error_;
    return step;
}

RequestParser::Step RequestParser::feed(std::span<const std::uint8_t> bytes) {
    return feed(std::string_view{reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

std::optional<RequestError> RequestParser::feed_all(std::string_view bytes,
                                                    std::vector<Request>& requests) {
    while (true) {
        auto step = feed(bytes);
        if (step.error) return step.error;
        if (step.request) requests.push_back(std::move(*step.request));
        bytes.remove_prefix(step.consumed);
        if (bytes.empty()) return std::nullopt;
    }
}

ParserState RequestParser::state() const {
    if (error_) return ParserState::Failed;
    if (progress_.stage == Stage::Body) return ParserState::ReadingBody;
    return progress_.head_bytes == 0 ? ParserState::WaitingForRequest : ParserState::ReadingHead;
}

// Takes bytes up to and including the next LF, or all of them when no LF has arrived yet.
// Only the bytes still allowed by kHttpMaxHeaderBytes are searched, so a client that never sends
// a LF cannot make us buffer more than that.
std::size_t RequestParser::take_line_bytes(std::string_view input) {
    const std::size_t room = kHttpMaxHeaderBytes - progress_.head_bytes;
    const auto lf = input.substr(0, room).find('\n');
    if (lf == std::string_view::npos) {
        if (input.size() > room) {
            fail(progress_.stage == Stage::RequestLine ? RequestError::RequestLineTooLong
                                                       : RequestError::HeadersTooLarge);
            return room;
        }
        progress_.line.append(input);
        progress_.head_bytes += input.size();
        return input.size();
    }
    progress_.line.append(input.substr(0, lf));
    progress_.head_bytes += lf + 1;
    on_line(progress_.line);
    progress_.line.clear();
    return lf + 1;
}

std::size_t RequestParser::take_body_bytes(std::string_view input) {
    const auto taken =
        static_cast<std::size_t>(std::min<std::uint64_t>(progress_.body_left, input.size()));
    progress_.request.body.append(input.substr(0, taken));
    progress_.body_left -= taken;
    progress_.is_complete = progress_.body_left == 0;
    return taken;
}

void RequestParser::on_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);   // CRLF or bare LF
    if (line.find('\r') != std::string_view::npos) return fail(RequestError::BareCarriageReturn);

    if (progress_.stage == Stage::RequestLine) {
        if (!line.empty()) on_request_line(line);   // empty lines before it are skipped
    } else if (line.empty()) {
        on_end_of_head();
    } else {
        on_header_line(line);
    }
}

// METHOD SP request-target SP HTTP-version, e.g. "GET /chat?room=1 HTTP/1.1".
void RequestParser::on_request_line(std::string_view line) {
    const auto first_space = line.find(' ');
    const auto second_space =
        line.find(' ', first_space == std::string_view::npos ? line.size() : first_space + 1);
    if (second_space == std::string_view::npos) return fail(RequestError::MalformedRequestLine);

    const auto method = line.substr(0, first_space);
    const auto target = line.substr(first_space + 1, second_space - first_space - 1);
    const auto version = line.substr(second_space + 1);

    if (!is_token(method)) return fail(RequestError::InvalidMethod);
    if (target.empty() || !std::all_of(target.begin(), target.end(), is_visible_ascii))
        return fail(RequestError::InvalidTarget);
    if (version.size() != 8 || !version.starts_with("HTTP/") || !is_digit(version[5]) ||
        version[6] != '.' || !is_digit(version[7]))
        return fail(RequestError::InvalidVersion);
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
        return fail(RequestError::UnsupportedVersion);

    progress_.request.method = method;
    progress_.request.target = target;
    progress_.request.version_minor = version[7] - '0';
    progress_.stage = Stage::Headers;
}

// field-name ":" OWS field-value OWS, e.g. "Connection: keep-alive, Upgrade".
void RequestParser::on_header_line(std::string_view line) {
    if (line.front() == ' ' || line.front() == '\t') return fail(RequestError::FoldedHeaderLine);
    if (++progress_.header_count > kHttpMaxHeaderCount) return fail(RequestError::TooManyHeaders);

    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return fail(RequestError::HeaderWithoutColon);
    const auto name = line.substr(0, colon);
    const auto value = trim_spaces_and_tabs(line.substr(colon + 1));

    // "Host : evil" must not be read as a second Host header by some other server on the path.
    if (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
        return fail(RequestError::SpaceBeforeColon);
    if (!is_token(name)) return fail(RequestError::InvalidHeaderName);
    if (!std::all_of(value.begin(), value.end(), is_field_value_char))
        return fail(RequestError::InvalidHeaderValue);

    if (equals_ignoring_case(name, "Content-Length")) {
        on_content_length(value);
        if (error_) return;
    }
    if (equals_ignoring_case(name, "Transfer-Encoding")) progress_.has_transfer_encoding = true;
    if (equals_ignoring_case(name, "Host")) ++progress_.host_count;

    progress_.request.headers.add(std::string{name}, std::string{value});
}

// Digits only: no sign, no spaces, no "42, 42" list. A repeat must say the same number,
// because two lengths are the classic way to make two servers disagree on where a body ends.
void RequestParser::on_content_length(std::string_view value) {
    if (value.empty() || !std::all_of(value.begin(), value.end(), is_digit))
        return fail(RequestError::InvalidContentLength);

    std::uint64_t length = 0;
    const auto parsed = std::from_chars(value.data(), value.data() + value.size(), length);
    if (parsed.ec == std::errc::result_out_of_range)
        length = std::numeric_limits<std::uint64_t>::max();   // too big either way: 413 later

    if (progress_.content_length && *progress_.content_length != length)
        return fail(RequestError::ConflictingContentLength);
    progress_.content_length = length;
}

// The empty line: the head is complete, so the rules that need every header are checked now.
void RequestParser::on_end_of_head() {
    if (progress_.has_transfer_encoding) return fail(RequestError::TransferEncodingNotImplemented);
    if (progress_.host_count > 1) return fail(RequestError::DuplicateHost);
    if (progress_.host_count == 0 && progress_.request.version_minor == 1)
        return fail(RequestError::MissingHost);

    const std::uint64_t length = progress_.content_length.value_or(0);
    if (length > kHttpMaxBodyBytes) return fail(RequestError::BodyTooLarge);

    // No body.reserve(length): memory grows only as bytes really arrive, so a client that
    // announces 1 MiB and sends nothing costs us nothing.
    progress_.body_left = length;
    progress_.stage = Stage::Body;
    progress_.is_complete = length == 0;
}

void RequestParser::fail(RequestError error) {
    error_ = error;
    progress_ = Progress{};   // the partial request is useless now; free its memory
}

}   // namespace looplab::http
