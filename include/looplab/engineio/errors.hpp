// looplab/engineio/errors.hpp
//
// The six ways the reference Engine.IO server refuses a request, each with its code, its
// message and its HTTP answer. A client (and the official test suite) reads the JSON body:
//
//     HTTP/1.1 400 Bad Request
//     Content-Type: application/json
//
//     {"code":1,"message":"Session ID unknown"}
//
// | code | message                        | when                                            |
// |------|--------------------------------|-------------------------------------------------|
// | 0    | Transport unknown              | `transport` missing, unknown, or not enabled    |
// | 1    | Session ID unknown             | `sid` not found (no sticky sessions?)           |
// | 2    | Bad handshake method           | a request without `sid` that is not a GET       |
// | 3    | Bad request                    | transport mismatch, a WebSocket without Upgrade |
// | 4    | Forbidden                      | allow_request said no (HTTP 403)                |
// | 5    | Unsupported protocol version   | `EIO` is not 4 (missing or garbage too)         |
//
// A refused WebSocket upgrade gets no JSON: a raw "HTTP/1.1 400 Bad Request" with the message
// as its body, and the connection is closed (what the reference server writes).
// Facts: ../shared/PROTOCOLS.md §1.9. Contract: pure functions.
#pragma once

#include "looplab/http/response.hpp"

#include <string>
#include <string_view>

namespace looplab::engineio {

enum class ErrorCode {
    UnknownTransport = 0,
    UnknownSid = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
};

// "Transport unknown", "Session ID unknown", ... (the reference server's words).
std::string_view error_message(ErrorCode code);

// 403 for Forbidden, 400 for every other code.
int http_status_for(ErrorCode code);

// {"code":N,"message":"..."}
std::string error_body(ErrorCode code);

// The whole answer to a polling (plain HTTP) request: status, JSON body, application/json.
http::Response error_response(ErrorCode code);

// The bytes written on a refused upgrade before the connection is closed.
std::string upgrade_refusal(ErrorCode code);

}   // namespace looplab::engineio
