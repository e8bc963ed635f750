// looplab/engineio/cors.cpp — the CORS headers of the polling transport.
#include "looplab/engineio/cors.hpp"

#include <algorithm>

namespace looplab::engineio {

namespace {

bool allows_any(const CorsPolicy& policy) {
    return std::find(policy.origins.begin(), policy.origins.end(), "*") != policy.origins.end();
}

bool allows(const CorsPolicy& policy, std::string_view origin) {
    return allows_any(policy) ||
           std::find(policy.origins.begin(), policy.origins.end(), origin) != policy.origins.end();
}

}   // namespace

http::Headers cors_headers(const CorsPolicy& policy, std::optional<std::string_view> origin) {
    http::Headers headers;
    if (!policy.is_enabled() || !origin || !allows(policy, *origin)) return headers;
    if (allows_any(policy) && !policy.credentials) {
        headers.add("Access-Control-Allow-Origin", "*");
        return headers;
    }
    headers.add("Access-Control-Allow-Origin", std::string{*origin});
    headers.add("Vary", "Origin");
    if (policy.credentials) headers.add("Access-Control-Allow-Credentials", "true");
    return headers;
}

void add_headers(http::Response& response, const http::Headers& headers) {
    for (const auto& [name, value] : headers.all()) response.add_header(name, value);
}

bool is_preflight(const CorsPolicy& policy, const http::Request& request) {
    return policy.is_enabled() && request.method == "OPTIONS";
}

http::Response preflight_response(const CorsPolicy& policy, const http::Request& request) {
    http::Response response{204};
    const http::Headers headers = cors_headers(policy, request.headers.find("Origin"));
    if (headers.size() == 0) return response;
    add_headers(response, headers);
    response.set_header("Access-Control-Allow-Methods", std::string{kCorsAllowedMethods});
    if (const auto asked = request.headers.find("Access-Control-Request-Headers")) {
        response.set_header("Access-Control-Allow-Headers", std::string{*asked});
        response.add_header("Vary", "Access-Control-Request-Headers");
    }
    return response;
}

}   // namespace looplab::engineio
