// looplab/engineio/errors.cpp — the reference server's refusals, code by code.
#include "looplab/engineio/errors.hpp"

#include <fmt/format.h>

namespace looplab::engineio {

std::string_view error_message(ErrorCode code) {
    switch (code) {
        case ErrorCode::UnknownTransport: return "Transport unknown";
        case ErrorCode::UnknownSid: return "Session ID unknown";
        case ErrorCode::BadHandshakeMethod: return "Bad handshake method";
        case ErrorCode::BadRequest: return "Bad request";
        case ErrorCode::Forbidden: return "Forbidden";
        case ErrorCode::UnsupportedProtocolVersion: return "Unsupported protocol version";
    }
    return "Bad request";
}

int http_status_for(ErrorCode code) { return code == ErrorCode::Forbidden ? 403 : 400; }

std::string error_body(ErrorCode code) {
    // The messages are fixed ASCII without quotes or backslashes: no JSON escaping needed.
    return fmt::format(R"({{"code":{},"message":"{}"}})", static_cast<int>(code),
                       error_message(code));
}

http::Response error_response(ErrorCode code) {
    http::Response response{http_status_for(code)};
    response.set_body(error_body(code), "application/json");
    return response;
}

std::string upgrade_refusal(ErrorCode code) {
    const std::string_view message = error_message(code);
    return fmt::format(
        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\n"
        "Content-Length: {}\r\n\r\n{}",
        message.size(), message);
}

}   // namespace looplab::engineio
