// looplab/ws/handshake.cpp
#include "looplab/ws/handshake.hpp"

#include "looplab/codec/base64.hpp"
#include "looplab/codec/sha1.hpp"
#include "looplab/http/response.hpp"
#include "looplab/http/status.hpp"
#include "looplab/ws/limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace looplab::ws {

namespace {

constexpr std::size_t kClientKeyBytes = 16;   // RFC 6455 §4.1: a 16-byte nonce, base64-encoded

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Every element of every `name:` line, in order: "a, b" then "c" gives a, b, c.
std::vector<std::string_view> list_elements(const http::Headers& headers, std::string_view name) {
    std::vector<std::string_view> elements;
    for (const auto& [field_name, value] : headers.all()) {
        if (!http::equals_ignoring_case(field_name, name)) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            if (auto element = trim(rest.substr(0, comma)); !element.empty())
                elements.push_back(element);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return elements;
}

bool is_valid_client_key(std::string_view key) {
    const auto bytes = codec::base64_decode(key);
    return bytes && bytes->size() == kClientKeyBytes;
}

std::optional<HandshakeRejected> check_origin(const http::Request& request,
                                              const HandshakePolicy& policy) {
    if (policy.allowed_origins.empty()) return std::nullopt;
    const auto origin = request.headers.find("Origin");
    if (!origin) return HandshakeRejected{403, "missing Origin; only listed origins may connect"};
    const bool is_listed = std::any_of(
        policy.allowed_origins.begin(), policy.allowed_origins.end(),
        [&](const std::string& allowed) { return http::equals_ignoring_case(allowed, *origin); });
    if (!is_listed)
        return HandshakeRejected{403, fmt::format("Origin '{}' is not allowed", *origin)};
    return std::nullopt;
}

std::optional<std::string> choose_subprotocol(const http::Request& request,
                                              const HandshakePolicy& policy) {
    const auto offered = list_elements(request.headers, "Sec-WebSocket-Protocol");
    for (const std::string& ours : policy.subprotocols)
        if (std::find(offered.begin(), offered.end(), ours) != offered.end()) return ours;
    return std::nullopt;
}

}   // namespace

std::string compute_accept_key(std::string_view client_key) {
    std::string text{client_key};
    text += kWebSocketGuid;
    const codec::Sha1Digest digest = codec::sha1(text);
    return codec::base64_encode(std::span<const std::uint8_t>{digest});
}

// ---- Server side ---------------------------------------------------------------------------

bool wants_websocket(const http::Request& request) {
    return request.headers.has_token("Upgrade", "websocket");
}

HandshakeOutcome check_upgrade_request(const http::Request& request,
                                       const HandshakePolicy& policy) {
    const auto& headers = request.headers;
    if (request.method != "GET")
        return HandshakeRejected{400, fmt::format("method must be GET, not '{}'", request.method)};
    if (request.version_minor < 1) return HandshakeRejected{400, "HTTP/1.1 or later is required"};
    if (headers.find("Host").value_or("").empty()) return HandshakeRejected{400, "missing Host"};
    if (!headers.has_token("Upgrade", "websocket"))
        return HandshakeRejected{400, "missing 'Upgrade: websocket'"};
    if (!headers.has_token("Connection", "upgrade"))
        return HandshakeRejected{400, "missing 'Connection: Upgrade'"};

    const auto version = headers.find("Sec-WebSocket-Version");
    if (!version) return HandshakeRejected{400, "missing Sec-WebSocket-Version"};
    if (*version != "13")
        return HandshakeRejected{
            426, fmt::format("Sec-WebSocket-Version '{}' is not supported; use 13", *version)};

    const auto key = headers.find("Sec-WebSocket-Key");
    if (!key) return HandshakeRejected{400, "missing Sec-WebSocket-Key"};
    if (!is_valid_client_key(*key))
        return HandshakeRejected{400, "Sec-WebSocket-Key is not base64 of 16 bytes"};

    if (auto refused = check_origin(request, policy)) return *refused;
    return HandshakeAccepted{compute_accept_key(*key), choose_subprotocol(request, policy)};
}

std::string build_accept_response(const HandshakeAccepted& accepted) {
    http::Response response{101};
    response.set_header("Upgrade", "websocket")
        .set_header("Connection", "Upgrade")
        .set_header("Sec-WebSocket-Accept", accepted.accept_key);
    if (accepted.subprotocol) response.set_header("Sec-WebSocket-Protocol", *accepted.subprotocol);
    return response.to_bytes();
}

std::string build_rejection_response(const HandshakeRejected& rejected) {
    http::Response response{rejected.status};
    response.set_body(fmt::format("{} {}: {}\n", rejected.status,
                                  http::reason_phrase(rejected.status), rejected.reason),
                      "text/plain; charset=utf-8");
    if (rejected.status == 426) {
        // RFC 6455 §4.4 names the versions we speak; RFC 9110 §15.5.22 wants Upgrade on a
        // 426, and §7.8 wants "upgrade" in Connection whenever Upgrade is sent.
        response.set_header("Sec-WebSocket-Version", "13")
            .set_header("Upgrade", "websocket")
            .set_header("Connection", "Upgrade, close");
    } else {
        response.set_header("Connection", "close");
    }
    return response.to_bytes();
}

// ---- Client side ---------------------------------------------------------------------------

std::string random_client_key() {
    std::random_device device;
    std::array<std::uint8_t, kClientKeyBytes> nonce{};
    for (std::size_t i = 0; i < nonce.size(); i += 4) {
        const std::uint32_t bits = device();
        for (std::size_t j = 0; j < 4; ++j)
            nonce[i + j] = static_cast<std::uint8_t>(bits >> (8 * j));
    }
    return codec::base64_encode(std::span<const std::uint8_t>{nonce});
}

std::string build_client_request(std::string_view host, std::string_view path, std::string_view key,
                                 std::span<const std::string> protocols, std::string_view origin) {
    std::string request = fmt::format(
        "GET {} HTTP/1.1\r\n"
        "Host: {}\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: {}\r\n"
        "Sec-WebSocket-Version: 13\r\n",
        path.empty() ? "/" : path, host, key);
    if (!origin.empty()) request += fmt::format("Origin: {}\r\n", origin);
    if (!protocols.empty())
        request += fmt::format("Sec-WebSocket-Protocol: {}\r\n", fmt::join(protocols, ", "));
    request += "\r\n";
    return request;
}

std::optional<std::size_t> find_head_end(std::string_view bytes) {
    const auto blank_line = bytes.find("\r\n\r\n");
    if (blank_line == std::string_view::npos) return std::nullopt;
    return blank_line + 4;
}

Result<ResponseHead> parse_response_head(std::string_view head) {
    const auto malformed = [](std::string_view what) {
        return Error::because(fmt::format("websocket handshake: {}", what));
    };
    if (head.size() > kWsMaxHandshakeHeadSize) return malformed("response head is too long");

    ResponseHead response;
    bool is_status_line = true;
    while (!head.empty()) {
        const auto end = head.find("\r\n");
        const std::string_view line = head.substr(0, end);
        head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
        if (line.empty()) break;   // the blank line: end of the head
        if (line.find_first_of("\r\n") != std::string_view::npos)
            return malformed("bare CR or LF in the response head");

        if (is_status_line) {
            // "HTTP/1.1 101 Switching Protocols": version, 3 digits, optional reason phrase
            const bool is_well_formed = line.starts_with("HTTP/1.1 ") && line.size() >= 12 &&
                                        std::all_of(line.begin() + 9, line.begin() + 12,
                                                    [](char c) { return c >= '0' && c <= '9'; }) &&
                                        (line.size() == 12 || line[12] == ' ');
            if (!is_well_formed) return malformed(fmt::format("bad status line '{}'", line));
            response.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
            response.reason = std::string{line.size() > 13 ? line.substr(13) : ""};
            is_status_line = false;
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !http::is_token(line.substr(0, colon)))
            return malformed(fmt::format("bad header line '{}'", line));
        response.headers.add(std::string{line.substr(0, colon)},
                             std::string{trim(line.substr(colon + 1))});
    }
    if (is_status_line) return malformed("empty response");
    return response;
}

Result<HandshakeConfirmed> check_server_response(std::string_view head, std::string_view key,
                                                 std::span<const std::string> protocols) {
    const auto refused = [](std::string_view why) {
        return Error::because(fmt::format("websocket handshake: {}", why));
    };
    auto parsed = parse_response_head(head);
    if (!parsed) return parsed.error();
    const http::Headers& headers = parsed->headers;

    if (parsed->status != 101)
        return refused(
            fmt::format("server answered {} {} instead of 101", parsed->status, parsed->reason));
    if (!headers.has_token("Upgrade", "websocket")) return refused("missing 'Upgrade: websocket'");
    if (!headers.has_token("Connection", "upgrade"))
        return refused("missing 'Connection: Upgrade'");
    if (headers.find("Sec-WebSocket-Accept") != compute_accept_key(key))
        return refused("Sec-WebSocket-Accept does not match our key");
    if (headers.contains("Sec-WebSocket-Extensions"))
        return refused("server chose an extension we did not offer");

    const auto chosen = list_elements(headers, "Sec-WebSocket-Protocol");
    if (chosen.empty()) return HandshakeConfirmed{};
    const bool is_ours =
        std::find(protocols.begin(), protocols.end(), chosen[0]) != protocols.end();
    if (chosen.size() != 1 || !is_ours)
        return refused(fmt::format("server chose subprotocol '{}', which we did not offer",
                                   fmt::join(chosen, ", ")));
    return HandshakeConfirmed{std::string{chosen[0]}};
}

}   // namespace looplab::ws
