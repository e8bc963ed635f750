// tests/unit/socketio/namespaces_test.cpp — joining namespaces (PROTOCOLS.md §2.4): the
// CONNECT reply, auth, static and dynamic namespaces, "Invalid namespace", multiplexing, the
// connect timeout, the "invalid state" rules, and every way of leaving with its reason.
#include "sio_test_support.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace sio_test;
using socketio::DisconnectReason;
using socketio::Socket;

TEST_CASE("CONNECT to / is answered with the socket's id and fires connection", "[socketio]") {
    SioHarness h;
    std::vector<std::string> connected;
    h.io.on_connection([&](Socket& s) {
        connected.emplace_back(s.id());
        CHECK(s.connected());
        CHECK(s.auth().is_object());
        CHECK(s.auth().as_object().empty());
        CHECK(s.nsp().name() == "/");
    });
    FakeSession& peer = h.open();
    h.send(peer, "0");
    REQUIRE(connected.size() == 1);
    CHECK(connected[0].size() == socketio::kSioIdLength);
    CHECK(peer.take_one() == R"(0{"sid":")" + connected[0] + R"("})");
    CHECK(h.io.main_namespace().socket_count() == 1);
    CHECK(h.io.main_namespace().find_socket(connected[0]) != nullptr);
}

TEST_CASE("the CONNECT payload is the socket's auth", "[socketio]") {
    SioHarness h;
    std::optional<json::Value> auth;
    h.io.on_connection([&](Socket& s) { auth = s.auth(); });
    h.connect("/", R"({"token":"abc","n":3})");
    REQUIRE(auth);
    CHECK(json::write(*auth) == R"({"token":"abc","n":3})");
}

TEST_CASE("a static namespace answers with its name; sids differ per namespace", "[socketio]") {
    SioHarness h;
    std::vector<std::string> seen;
    h.io.of("/admin").on_connection([&](Socket& s) { seen.push_back(s.nsp().name()); });
    h.io.on_connection([&](Socket& s) { seen.push_back(s.nsp().name()); });
    FakeSession& peer = h.open();
    const std::string main_sid = h.join(peer, "/");
    const std::string admin_sid = h.join(peer, "/admin");
    CHECK(main_sid != admin_sid);
    CHECK(seen == std::vector<std::string>{"/", "/admin"});
    CHECK(h.io.of("admin").socket_count() == 1);   // "admin" is "/admin"
}

TEST_CASE("an unknown namespace gets CONNECT_ERROR Invalid namespace; the connection stays",
          "[socketio]") {
    SioHarness h;
    FakeSession& peer = h.open();
    h.send(peer, "0/nope,");
    CHECK(peer.take_one() == R"(4/nope,{"message":"Invalid namespace"})");
    CHECK(peer.is_open());
    h.join(peer, "/");   // still usable
}

TEST_CASE("dynamic namespaces: a predicate accepts names, static ones win", "[socketio]") {
    SioHarness h;
    std::vector<std::string> parent_saw;
    std::vector<std::string> static_saw;
    socketio::Namespace& rooms = h.io.of([](std::string_view name, const json::Value& auth) {
        (void)auth;
        return name.starts_with("/room-");
    });
    rooms.on_connection([&](Socket& s) { parent_saw.push_back(s.nsp().name()); });
    h.io.of("/room-static").on_connection([&](Socket& s) { static_saw.push_back(s.nsp().name()); });

    FakeSession& peer = h.open();
    h.join(peer, "/room-1");
    h.join(peer, "/room-static");
    h.send(peer, "0/other,");
    CHECK(peer.take_one() == R"(4/other,{"message":"Invalid namespace"})");
    CHECK(parent_saw == std::vector<std::string>{"/room-1"});
    CHECK(static_saw == std::vector<std::string>{"/room-static"});
    REQUIRE(rooms.children().size() == 1);
    CHECK(rooms.children()[0]->name() == "/room-1");

    // A second client reuses the child made for the first.
    FakeSession& other = h.open();
    h.join(other, "/room-1");
    CHECK(rooms.children().size() == 1);
    CHECK(rooms.children()[0]->socket_count() == 2);

    // An emit on the parent reaches every child's sockets.
    peer.take();
    other.take();
    CHECK(rooms.emit("hello", 1));
    CHECK(peer.take_one() == R"(2/room-1,["hello",1])");
    CHECK(other.take_one() == R"(2/room-1,["hello",1])");
}

TEST_CASE("the predicate sees the CONNECT auth", "[socketio]") {
    SioHarness h;
    h.io.of([](std::string_view name, const json::Value& auth) {
        const json::Value* key = auth.find("key");
        return name == "/vip" && key != nullptr && key->is_string() && key->as_string() == "k";
    });
    FakeSession& peer = h.open();
    h.send(peer, "0/vip,{}");
    CHECK(peer.take_one() == R"(4/vip,{"message":"Invalid namespace"})");
    h.join(peer, "/vip", R"({"key":"k"})");
}

TEST_CASE("multiplexing: one connection, several namespaces, packets routed by name",
          "[socketio]") {
    SioHarness h;
    std::vector<std::string> events;
    h.io.on_connection([&](Socket& s) {
        s.on("x", [&events](const socketio::Args& args) {
            events.push_back("/:" + json::write(args[0]));
        });
    });
    h.io.of("/chat").on_connection([&](Socket& s) {
        s.on("x", [&events](const socketio::Args& args) {
            events.push_back("/chat:" + json::write(args[0]));
        });
    });
    FakeSession& peer = h.open();
    h.join(peer, "/");
    h.join(peer, "/chat");
    h.send(peer, R"(2/chat,["x",1])");
    h.send(peer, R"(2["x",2])");
    CHECK(events == std::vector<std::string>{"/chat:1", "/:2"});
}

TEST_CASE("no CONNECT within connect_timeout closes the connection, with a log line",
          "[socketio]") {
    socketio::ServerOptions options;
    options.connect_timeout = Millis{30};
    SioHarness h{options};
    FakeSession& idle = h.open();
    FakeSession& joined = h.connect();
    REQUIRE(h.run_until([&] { return idle.close_called; }));
    CHECK(h.logged("no namespace joined within 30 ms"));
    CHECK(h.io.client_count() == 1);
    // The one that joined in time stays, even long after the timeout.
    h.run_until([] { return false; }, Millis{60});
    CHECK(joined.is_open());
}

TEST_CASE("a refused CONNECT does not stop the connect timeout", "[socketio]") {
    socketio::ServerOptions options;
    options.connect_timeout = Millis{30};
    SioHarness h{options};
    FakeSession& peer = h.open();
    h.send(peer, "0/nope,");
    REQUIRE(h.run_until([&] { return peer.close_called; }));
}

TEST_CASE("invalid state closes the connection: first packet not a CONNECT", "[socketio]") {
    SioHarness h;
    FakeSession& peer = h.open();
    FakeSession& bystander = h.connect();
    h.send(peer, R"(2["hello"])");
    CHECK(peer.close_called);
    CHECK(h.logged("EVENT packet for namespace / in the wrong state"));
    CHECK(bystander.is_open());
    CHECK(h.io.client_count() == 1);
}

TEST_CASE("invalid state closes the connection: a second CONNECT, a CONNECT_ERROR", "[socketio]") {
    SioHarness h;
    std::vector<DisconnectReason> reasons;
    h.io.on_connection(
        [&](Socket& s) { s.on_disconnect([&](DisconnectReason r) { reasons.push_back(r); }); });
    SECTION("second CONNECT") {
        FakeSession& peer = h.connect();
        h.send(peer, "0");
        CHECK(peer.close_called);
    }
    SECTION("CONNECT_ERROR from the peer") {
        FakeSession& peer = h.connect();
        h.send(peer, R"(4{"message":"x"})");
        CHECK(peer.close_called);
    }
    SECTION("an event for a namespace not joined") {
        FakeSession& peer = h.connect();
        h.io.of("/other");
        h.send(peer, R"(2/other,["x"])");
        CHECK(peer.close_called);
    }
    CHECK(reasons == std::vector<DisconnectReason>{DisconnectReason::ForcedServerClose});
}

TEST_CASE("leaving: every way, with the protocol's reason", "[socketio]") {
    SioHarness h;
    std::vector<std::string> log;
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) {
        socket = &s;
        s.join("lobby");
        s.on("disconnecting", [&log, &s](const socketio::Args& args) {
            // Still in its rooms while "disconnecting" runs.
            log.push_back("disconnecting " + args[0].as_string() +
                          " rooms=" + std::to_string(s.rooms().size()));
        });
        s.on_disconnect([&log, &s](DisconnectReason reason) {
            log.push_back("disconnect " + std::string{socketio::to_string(reason)} +
                          " connected=" + (s.connected() ? "yes" : "no"));
        });
    });
    std::string expected;

    SECTION("the peer sends DISCONNECT") {
        FakeSession& peer = h.connect();
        h.send(peer, "1");
        expected = "client namespace disconnect";
        CHECK(peer.is_open());   // only the namespace is left
    }
    SECTION("socket.disconnect()") {
        FakeSession& peer = h.connect();
        socket->disconnect();
        CHECK(peer.take_one() == "1");
        expected = "server namespace disconnect";
        CHECK(peer.is_open());
    }
    SECTION("socket.disconnect(true) also closes the connection") {
        FakeSession& peer = h.connect();
        socket->disconnect(true);
        CHECK(peer.take_one() == "1");
        expected = "server namespace disconnect";
        h.flush();
        CHECK(peer.close_called);
    }
    SECTION("the transport closed") {
        FakeSession& peer = h.connect();
        h.drop(peer, engineio::CloseReason::TransportClose);
        expected = "transport close";
    }
    SECTION("ping timeout") {
        FakeSession& peer = h.connect();
        h.drop(peer, engineio::CloseReason::PingTimeout);
        expected = "ping timeout";
    }
    SECTION("transport error") {
        FakeSession& peer = h.connect();
        h.drop(peer, engineio::CloseReason::TransportError);
        expected = "transport error";
    }
    SECTION("the server closes") {
        FakeSession& peer = h.connect();
        h.io.close();
        expected = "server shutting down";
        h.flush();
        CHECK(peer.close_called);
    }
    REQUIRE(log.size() == 2);
    CHECK(log[0] == "disconnecting " + expected + " rooms=2");
    CHECK(log[1] == "disconnect " + expected + " connected=no");
    CHECK(h.io.main_namespace().socket_count() == 0);
    CHECK(h.io.main_namespace().adapter().rooms().empty());
}

TEST_CASE("a namespace disconnect leaves the other namespaces of the connection", "[socketio]") {
    SioHarness h;
    h.io.of("/chat");
    FakeSession& peer = h.open();
    h.join(peer, "/");
    h.join(peer, "/chat");
    h.send(peer, "1/chat,");
    CHECK(h.io.of("/chat").socket_count() == 0);
    CHECK(h.io.main_namespace().socket_count() == 1);
    // And it may join again.
    h.join(peer, "/chat");
    CHECK(h.io.of("/chat").socket_count() == 1);
}

TEST_CASE("a listener may disconnect its own socket and keep running", "[socketio]") {
    SioHarness h;
    bool after = false;
    h.io.on_connection([&](Socket& s) {
        s.on("bye", [&after, &s] {
            s.disconnect();
            after = !s.connected() && s.id().size() == socketio::kSioIdLength;
        });
    });
    FakeSession& peer = h.connect();
    h.send(peer, R"(2["bye"])");
    CHECK(after);
    CHECK(peer.take_one() == "1");
    h.run_until([] { return false; }, Millis{5});   // the close phase frees the socket
}
