// The handshake a session keeps: packed into one string, read back as it came.
#include "looplab/engineio/session.hpp"

#include <catch2/catch.hpp>

using namespace looplab;

TEST_CASE("a handshake gives back its target, headers and query as they came", "[engineio]") {
    http::Headers sent;
    sent.add("Host", "localhost:3000");
    sent.add("Cookie", "a=1; b=2");
    sent.add("X-Empty", "");
    sent.add("cookie", "second");
    const engineio::Handshake handshake{"/socket.io/?EIO=4&transport=polling&name=J%C3%BCrgen+K",
                                        sent, net::Address::loopback(4000), 1234};

    CHECK(handshake.url() == "/socket.io/?EIO=4&transport=polling&name=J%C3%BCrgen+K");
    CHECK(handshake.headers() == sent);                // every field, in order, repeated names too
    CHECK(handshake.header("COOKIE") == "a=1; b=2");   // the first one, any case
    CHECK(handshake.header("x-empty") == "");
    CHECK(handshake.header("Accept") == std::nullopt);
    CHECK(handshake.query_value("name") == "Jürgen K");   // decoded
    CHECK(handshake.query_value("EIO") == "4");
    CHECK(handshake.query_value("missing").empty());
    CHECK(handshake.query().size() == 3);
    CHECK(handshake.peer_address().port() == 4000);
    CHECK(handshake.issued_ms() == 1234);
}

TEST_CASE("an empty handshake has nothing in it", "[engineio]") {
    const engineio::Handshake none;
    CHECK(none.url().empty());
    CHECK(none.headers().size() == 0);
    CHECK(none.header("Host") == std::nullopt);
    CHECK(none.query().empty());
}
