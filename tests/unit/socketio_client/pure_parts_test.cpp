// tests/unit/socketio_client/pure_parts_test.cpp — the client's pure pieces: the backoff with
// jitter, the offline buffer's bound, URLs, the open packet, the reasons' words.
#include "looplab/socketio_client/backoff.hpp"
#include "looplab/socketio_client/disconnect_reason.hpp"
#include "looplab/socketio_client/manager.hpp"
#include "looplab/socketio_client/offline_buffer.hpp"
#include "looplab/socketio_client/server_url.hpp"

#include <catch2/catch.hpp>

using namespace looplab;
using namespace looplab::socketio_client;
using namespace std::chrono_literals;
namespace json = codec::json;

TEST_CASE("backoff doubles from the base, stays within ±factor, and is capped",
          "[socketio_client]") {
    // The reference defaults: 1000 ms, max 5000 ms, factor 0.5.
    const Millis base = kSioClientReconnectionDelay, max = kSioClientReconnectionDelayMax;
    const double factor = kSioClientRandomizationFactor;
    CHECK(backoff_delay(0, base, max, factor, 0.5) == 1000ms);   // r = 0.5: no deviation
    CHECK(backoff_delay(1, base, max, factor, 0.5) == 2000ms);
    CHECK(backoff_delay(2, base, max, factor, 0.5) == 4000ms);
    CHECK(backoff_delay(3, base, max, factor, 0.5) == 5000ms);        // 8000 capped
    CHECK(backoff_delay(0, base, max, factor, 0.0) == 500ms);         // lowest: -50%
    CHECK(backoff_delay(0, base, max, factor, 0.999999) == 1499ms);   // highest: just under +50%
    CHECK(backoff_delay(2, base, max, factor, 0.0) == 2000ms);
    CHECK(backoff_delay(2, base, max, factor, 0.9) == 5000ms);   // 4000 * 1.4, capped
    // Any random number, any attempt: within [d(1-f), min(max, d(1+f))].
    for (std::size_t attempt = 0; attempt < 70; ++attempt) {
        for (double r : {0.0, 0.1, 0.37, 0.5, 0.77, 0.999}) {
            const Millis delay = backoff_delay(attempt, base, max, factor, r);
            const double plain =
                1000.0 * std::pow(2.0, static_cast<double>(std::min<std::size_t>(attempt, 62)));
            CHECK(delay.count() >= std::min(5000.0, std::floor(plain * 0.5)));
            CHECK(delay <= max);
        }
    }
    CHECK(backoff_delay(0, base, max, 0.0, 0.0) == 1000ms);   // no jitter: exact
    CHECK(backoff_delay(0, base, max, 7.0, 0.0) == 0ms);      // factor clamped to 1
}

TEST_CASE("Backoff counts attempts until reset", "[socketio_client]") {
    Backoff backoff{10ms, 1000ms, 0.0};
    CHECK(backoff.next(0.3) == 10ms);
    CHECK(backoff.next(0.3) == 20ms);
    CHECK(backoff.next(0.3) == 40ms);
    CHECK(backoff.attempts() == 3);
    backoff.reset();
    CHECK(backoff.attempts() == 0);
    CHECK(backoff.next(0.3) == 10ms);
}

namespace {

socketio::Packet event(std::string name, std::optional<std::uint64_t> id = std::nullopt) {
    return socketio::Packet{socketio::PacketType::Event, "/", id,
                            json::Value::array({std::move(name)})};
}

}   // namespace

TEST_CASE("the offline buffer keeps order, refuses the newest when full, gives packets back",
          "[socketio_client]") {
    OfflineBuffer buffer{3};
    CHECK(buffer.push(event("a")));
    CHECK(buffer.push(event("b", 7)));
    CHECK(buffer.push(event("c")));
    CHECK_FALSE(buffer.push(event("d")));   // full: refused, nothing older dropped
    CHECK(buffer.size() == 3);
    CHECK(buffer.holds_ack(7));
    CHECK(buffer.remove_ack(7));
    CHECK_FALSE(buffer.remove_ack(7));
    CHECK(buffer.push(event("e")));
    const auto all = buffer.take_all();
    REQUIRE(all.size() == 3);
    CHECK((*all[0].data)[0].as_string() == "a");
    CHECK((*all[1].data)[0].as_string() == "c");
    CHECK((*all[2].data)[0].as_string() == "e");
    CHECK(buffer.empty());
}

TEST_CASE("server URLs: the path is the namespace, numeric hosts only, no TLS",
          "[socketio_client]") {
    auto url = parse_server_url("http://127.0.0.1:3000/chat");
    REQUIRE(url);
    CHECK(url->address.to_string() == "127.0.0.1:3000");
    CHECK(url->nsp == "/chat");
    CHECK(url->host == "127.0.0.1:3000");

    url = parse_server_url("ws://localhost:8080");
    REQUIRE(url);
    CHECK(url->address.to_string() == "127.0.0.1:8080");
    CHECK(url->host == "localhost:8080");
    CHECK(url->nsp == "/");

    url = parse_server_url("127.0.0.1:9/admin/?x=1");
    REQUIRE(url);
    CHECK(url->nsp == "/admin");

    url = parse_server_url("http://127.0.0.1");
    REQUIRE(url);
    CHECK(url->address.port() == 80);

    CHECK_FALSE(parse_server_url("https://127.0.0.1:3000"));
    CHECK_THAT(parse_server_url("wss://127.0.0.1:3000").error().message(), Catch::Contains("TLS"));
    CHECK_THAT(parse_server_url("http://example.com:80").error().message(),
               Catch::Contains("no DNS"));
    CHECK_FALSE(parse_server_url("ftp://127.0.0.1:21"));
    CHECK_FALSE(parse_server_url("http:///chat"));
    CHECK_THAT(parse_server_url("http://127.0.0.1:1/a,b").error().message(),
               Catch::Contains("','"));
}

TEST_CASE("the open packet is read, and a bad one is named", "[socketio_client]") {
    auto handshake = parse_open_packet(
        R"({"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
    REQUIRE(handshake);
    CHECK(handshake->sid == "abc");
    CHECK(handshake->ping_interval == 300ms);
    CHECK(handshake->ping_timeout == 200ms);
    CHECK(handshake->max_payload == 1000000);

    CHECK_THAT(parse_open_packet(R"({"pingInterval":1,"pingTimeout":1})").error().message(),
               Catch::Contains("sid"));
    CHECK_THAT(parse_open_packet(R"({"sid":"a","pingTimeout":1})").error().message(),
               Catch::Contains("pingInterval"));
    CHECK_THAT(
        parse_open_packet(R"({"sid":"a","pingInterval":"x","pingTimeout":1})").error().message(),
        Catch::Contains("pingInterval"));
    CHECK_FALSE(parse_open_packet("not json"));
    CHECK_FALSE(parse_open_packet("[1,2]"));
}

TEST_CASE("disconnect reasons use the reference client's words; only some reconnect",
          "[socketio_client]") {
    for (const auto reason : {DisconnectReason::IoServerDisconnect,
                              DisconnectReason::IoClientDisconnect, DisconnectReason::ForcedClose,
                              DisconnectReason::PingTimeout, DisconnectReason::TransportClose,
                              DisconnectReason::TransportError, DisconnectReason::ParseError})
        CHECK(disconnect_reason_from(to_string(reason)) == reason);
    CHECK(to_string(DisconnectReason::IoServerDisconnect) == "io server disconnect");
    CHECK(to_string(DisconnectReason::PingTimeout) == "ping timeout");
    CHECK_FALSE(reconnects_after(DisconnectReason::IoServerDisconnect));
    CHECK_FALSE(reconnects_after(DisconnectReason::IoClientDisconnect));
    CHECK(reconnects_after(DisconnectReason::TransportClose));
    CHECK(reconnects_after(DisconnectReason::PingTimeout));
    CHECK_FALSE(disconnect_reason_from("nope"));
}
