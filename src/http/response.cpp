#include "looplab/http/response.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/http/status.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace looplab::http {

namespace {

// Response splitting: "Location: /a\r\nSet-Cookie: evil" would be two headers. RFC 9110
// §5.5 lets a recipient turn these bytes into spaces; as the sender we do it before sending.
std::string without_line_breaks(std::string value) {
    std::replace_if(
        value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; },
        ' ');
    return value;
}

void check_header_name(std::string_view name) {
    LOOPLAB_ASSERT(is_token(name), "header names are tokens: letters, digits, '-' and the like");
    LOOPLAB_ASSERT(!equals_ignoring_case(name, "Content-Length"),
                   "Content-Length is computed from the body; call set_body() instead");
    LOOPLAB_ASSERT(!equals_ignoring_case(name, "Transfer-Encoding"),
                   "responses are framed by Content-Length only; don't set Transfer-Encoding");
}

}   // namespace

Response::Response(int status) : status_(status) {
    LOOPLAB_ASSERT(status >= 100 && status <= 599, "an HTTP status code is between 100 and 599");
}

Response Response::error(int status) {
    LOOPLAB_ASSERT(status >= 400, "Response::error() is for 4xx and 5xx; use Response{status}");
    Response response{status};
    response.set_body(fmt::format("{} {}\n", status, reason_phrase(status)),
                      "text/plain; charset=utf-8");
    return response;
}

Response& Response::set_header(std::string name, std::string value) {
    check_header_name(name);
    headers_.set(std::move(name), without_line_breaks(std::move(value)));
    return *this;
}

Response& Response::add_header(std::string name, std::string value) {
    check_header_name(name);
    headers_.add(std::move(name), without_line_breaks(std::move(value)));
    return *this;
}

Response& Response::set_body(std::string body, std::string content_type) {
    LOOPLAB_ASSERT(may_have_body() || body.empty(),
                   "1xx, 204 and 304 responses carry no body; use 200 to send one");
    body_ = std::move(body);
    return set_header("Content-Type", std::move(content_type));
}

std::string Response::to_bytes() const { return head() + body_; }

std::string Response::to_bytes_for_head() const { return head(); }

bool Response::may_have_body() const { return status_ >= 200 && status_ != 204 && status_ != 304; }

std::string Response::head() const {
    std::string bytes = fmt::format("HTTP/1.1 {} {}\r\n", status_, reason_phrase(status_));
    for (const auto& [name, value] : headers_.all())
        bytes += fmt::format("{}: {}\r\n", name, value);
    if (may_have_body()) bytes += fmt::format("Content-Length: {}\r\n", body_.size());
    bytes += "\r\n";
    return bytes;
}

}   // namespace looplab::http
