// looplab/engineio/cors.hpp
//
// CORS for the polling transport: which headers let a browser page from another origin read
// our answers. Off by default (since Socket.IO v3), as in the reference server. Browsers only,
// and only HTTP: a WebSocket is not subject to CORS (check Origin in allow_request instead).
//
//     allowed origin, credentials off      Access-Control-Allow-Origin: https://app.example
//                                          Vary: Origin
//     allow-list {"*"}, credentials off    Access-Control-Allow-Origin: *
//     credentials on                       + Access-Control-Allow-Credentials: true
//                                          ("*" is then answered with the page's own origin:
//                                          browsers refuse "*" together with credentials)
//     origin not allowed                   nothing: the browser hides the answer from the page
//     OPTIONS (a preflight)                204 + the above + Allow-Methods, Allow-Headers
//
// CORS is the browser's rule, not access control: a request from a refused origin is still
// served (as by the reference server); only the page cannot read the answer.
// Facts: ../shared/PROTOCOLS.md §1.10. Contract: pure functions.
#pragma once

#include "looplab/http/request.hpp"
#include "looplab/http/response.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::engineio {

struct CorsPolicy {
    std::vector<std::string> origins;   // empty: CORS off; {"*"}: any origin
    bool credentials = false;
    bool is_enabled() const { return !origins.empty(); }
};

// The methods a preflight allows (the `cors` package's default list).
inline constexpr std::string_view kCorsAllowedMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";

// The headers to add to any answer to a request with this Origin (none when CORS is off, the
// request has no Origin, or the origin is not allowed).
http::Headers cors_headers(const CorsPolicy& policy, std::optional<std::string_view> origin);

// Adds `headers` to `response`.
void add_headers(http::Response& response, const http::Headers& headers);

// True for a request the CORS layer answers itself: OPTIONS while CORS is on.
bool is_preflight(const CorsPolicy& policy, const http::Request& request);

// The 204 answer to a preflight.
http::Response preflight_response(const CorsPolicy& policy, const http::Request& request);

}   // namespace looplab::engineio
