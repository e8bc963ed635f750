// looplab/http/request.hpp
//
// Request — one HTTP/1.1 request as the parser hands it over: method, target, version,
// headers (names compared without regard to case, as RFC 9110 says) and the body.
// Teaches: how a browser asks for a page, and the request that opens a WebSocket.
// Made by: RequestParser (request_parser.hpp). Headers is also what a Response carries.
#pragma once

#include "looplab/net/address.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::http {

// Header names are case-insensitive ("Upgrade" == "upgrade"); values are kept as sent, with
// the surrounding spaces removed. A name may appear more than once (find() returns the first).
class Headers {
public:
    void add(std::string name, std::string value) {
        fields_.emplace_back(std::move(name), std::move(value));
    }
    std::optional<std::string_view> find(std::string_view name) const;
    bool contains(std::string_view name) const { return find(name).has_value(); }

    // True when the comma-separated list in header `name` holds `token` (case-insensitive):
    // `Connection: keep-alive, Upgrade` has the token "upgrade".
    bool has_token(std::string_view name, std::string_view token) const;

    // Replaces every field called `name` with one `name: value` at the end.
    void set(std::string name, std::string value);

    // Removes every field called `name`; returns how many there were.
    std::size_t remove(std::string_view name);

    const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }
    std::size_t size() const { return fields_.size(); }

    // Same fields in the same order, names compared exactly (used by tests and the fuzzer).
    bool operator==(const Headers&) const = default;

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
    std::string method;      // "GET", "HEAD", ... exactly as sent (methods are case-sensitive)
    std::string target;      // "/chat?room=1"
    int version_minor = 1;   // HTTP/1.0 → 0, HTTP/1.1 → 1
    Headers headers;
    std::string body;
    // Who sent it: set by the HTTP server from the connection; unspecified from the parser.
    net::Address peer;

    // The target without its query string: "/chat?room=1" → "/chat".
    std::string_view path() const { return std::string_view{target}.substr(0, target.find('?')); }

    // HTTP/1.1 keeps the connection open unless told "close"; HTTP/1.0 only if "keep-alive".
    bool keeps_alive() const {
        return version_minor >= 1 ? !headers.has_token("Connection", "close")
                                  : headers.has_token("Connection", "keep-alive");
    }

    bool operator==(const Request&) const = default;
};

// Case-insensitive ASCII comparison, used for header names and tokens.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// True when `text` is a non-empty RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~.
// Methods and header names are tokens; "Content-Type" is one, "Content Type" is not.
bool is_token(std::string_view text);

}   // namespace looplab::http
