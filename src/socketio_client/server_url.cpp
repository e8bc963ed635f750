// looplab/socketio_client/server_url.cpp — "http://127.0.0.1:3000/chat" → address + namespace.
#include "looplab/socketio_client/server_url.hpp"

#include <fmt/format.h>

namespace looplab::socketio_client {

namespace {

// Strips "scheme://" and says whether the scheme is one we can speak.
Result<std::string_view> strip_scheme(std::string_view url) {
    const auto separator = url.find("://");
    if (separator == std::string_view::npos) return url;
    const std::string_view scheme = url.substr(0, separator);
    if (scheme == "https" || scheme == "wss")
        return Error::because(
            fmt::format("socketio_client: {}:// needs TLS, which looplab does not have", scheme));
    if (scheme != "http" && scheme != "ws")
        return Error::because(
            fmt::format("socketio_client: unknown scheme '{}' (http:// or ws://)", scheme));
    return url.substr(separator + 3);
}

}   // namespace

Result<ServerUrl> parse_server_url(std::string_view url) {
    auto rest = strip_scheme(url);
    if (!rest) return rest.error();
    std::string_view authority = *rest;
    std::string nsp = "/";
    if (const auto slash = authority.find('/'); slash != std::string_view::npos) {
        std::string_view path = authority.substr(slash);
        authority = authority.substr(0, slash);
        // A query or fragment is not part of the namespace.
        path = path.substr(0, path.find_first_of("?#"));
        if (path.size() > 1) nsp = std::string{path};
        while (nsp.size() > 1 && nsp.back() == '/') nsp.pop_back();
        // On the wire a ',' ends the namespace ("2/admin,[...]"): it cannot be part of one.
        if (nsp.find(',') != std::string::npos)
            return Error::because(
                fmt::format("socketio_client: a namespace cannot contain ',' ('{}')", nsp));
    }
    if (authority.empty())
        return Error::because(fmt::format("socketio_client: no host in '{}'", url));
    std::string with_port{authority};
    // A port is needed by net::Address; "[::1]" alone has a ':' but no port.
    const auto colon = with_port.rfind(':');
    if (colon == std::string::npos || with_port.back() == ']') with_port += ":80";
    std::string numeric = with_port;
    if (numeric.starts_with("localhost:")) numeric = "127.0.0.1" + numeric.substr(9);
    auto address = net::Address::parse(numeric);
    if (!address)
        return Error::because(
            fmt::format("socketio_client: not a numeric address '{}' (no DNS here)", with_port));
    return ServerUrl{*address, with_port, std::move(nsp)};
}

ServerUrl server_url(const net::Address& address, std::string nsp) {
    return ServerUrl{address, address.to_string(), std::move(nsp)};
}

}   // namespace looplab::socketio_client
