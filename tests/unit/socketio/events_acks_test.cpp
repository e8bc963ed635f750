// tests/unit/socketio/events_acks_test.cpp — events both ways through the EventEmitter, acks
// both ways (PROTOCOLS.md §2.5) with their timeouts, catch-all listeners, volatile emits.
#include "sio_test_support.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace sio_test;
using socketio::Ack;
using socketio::AckError;
using socketio::Args;
using socketio::Socket;

namespace {

// A harness with one connected peer on "/" and a pointer to its server-side socket.
struct OnePeer {
    explicit OnePeer(socketio::ServerOptions options = {}) : h(std::move(options)) {
        h.io.on_connection([this](Socket& s) {
            socket = &s;
            setup(s);
        });
    }
    FakeSession& connect() {
        FakeSession& peer = h.connect();
        REQUIRE(socket != nullptr);
        return peer;
    }
    SioHarness h;
    Socket* socket = nullptr;
    std::function<void(Socket&)> setup = [](Socket&) {};
};

}   // namespace

TEST_CASE("an incoming event reaches its listeners with its arguments, in order", "[socketio]") {
    OnePeer t;
    std::vector<std::string> seen;
    t.setup = [&](Socket& s) {
        s.on("chat", [&](const Args& args) {
            seen.push_back(std::to_string(args.size()) + " " + args[0].as_string() + " " +
                           std::to_string(args[1].as_int()) + " " +
                           (args[5].is_null() ? "null" : "?"));
        });
        s.on("chat", [&] { seen.push_back("second listener"); });
        s.once("chat", [&](const Args&, const Ack& ack) {
            seen.push_back(ack.wanted() ? "ack" : "no ack");
        });
    };
    FakeSession& peer = t.connect();
    t.h.send(peer, R"(2["chat","hi",3])");
    t.h.send(peer, R"(2["chat","again",4])");
    t.h.send(peer, R"(2["other"])");   // no listener: nothing happens
    CHECK(seen == std::vector<std::string>{"2 hi 3 null", "second listener", "no ack",
                                           "2 again 4 null", "second listener"});
    CHECK(peer.sent.empty());
}

TEST_CASE("off() removes a listener; an event named by a number is heard by its text",
          "[socketio]") {
    OnePeer t;
    int heard = 0;
    int numbered = 0;
    t.setup = [&](Socket& s) {
        const auto id = s.on("x", [&] { ++heard; });
        s.on("y", [&s, id] { s.off(id); });
        s.on("42", [&] { ++numbered; });
    };
    FakeSession& peer = t.connect();
    t.h.send(peer, R"(2["x"])");
    t.h.send(peer, R"(2["y"])");
    t.h.send(peer, R"(2["x"])");
    t.h.send(peer, R"(2[42,"n"])");
    CHECK(heard == 1);
    CHECK(numbered == 1);
}

TEST_CASE("an \"error\" event from the peer with nobody listening is not a crash", "[socketio]") {
    OnePeer t;
    FakeSession& peer = t.connect();
    t.h.send(peer, R"(2["error","boom"])");
    CHECK(peer.is_open());
    CHECK(t.socket->connected());
}

TEST_CASE("emit sends an EVENT; other namespaces carry their name; reserved names are refused",
          "[socketio]") {
    OnePeer t;
    FakeSession& peer = t.connect();
    CHECK(t.socket->emit("hello", "world", 1, 2.5, true, nullptr, json::Value::object({{"a", 1}})));
    CHECK(peer.take_one() == R"(2["hello","world",1,2.5,true,null,{"a":1}])");
    CHECK(t.socket->send_message("m"));
    CHECK(peer.take_one() == R"(2["message","m"])");
    for (const char* reserved : {"connect", "connect_error", "disconnect", "disconnecting",
                                 "newListener", "removeListener"}) {
        CHECK_FALSE(t.socket->emit(reserved, 1));
        CHECK_FALSE(t.h.io.emit(reserved, 1));
    }
    CHECK(peer.sent.empty());

    Socket* admin = nullptr;
    t.h.io.of("/admin").on_connection([&](Socket& s) { admin = &s; });
    t.h.join(peer, "/admin");
    REQUIRE(admin != nullptr);
    admin->emit("x");
    CHECK(peer.take_one() == R"(2/admin,["x"])");
}

TEST_CASE("emit after disconnect sends nothing and says so", "[socketio]") {
    OnePeer t;
    FakeSession& peer = t.connect();
    t.h.send(peer, "1");
    CHECK_FALSE(t.socket->emit("late"));
    CHECK(peer.sent.empty());
}

TEST_CASE("the peer asks for an ack: the listener answers once, later calls are ignored",
          "[socketio]") {
    OnePeer t;
    t.setup = [&](Socket& s) {
        s.on("ask", [](const Args& args, const Ack& ack) {
            CHECK(ack.wanted());
            ack("answer", args[0]);
            CHECK_FALSE(ack.wanted());
            ack("twice");
        });
        s.on("tell", [](const Args&, const Ack& ack) {
            CHECK_FALSE(ack.wanted());
            ack("nobody asked");
        });
    };
    FakeSession& peer = t.connect();
    t.h.send(peer, R"(27["ask","q"])");
    CHECK(peer.take_one() == R"(37["answer","q"])");
    t.h.send(peer, R"(2["tell"])");
    CHECK(peer.sent.empty());
}

TEST_CASE("an Ack kept and called later answers once across copies; after disconnect it is silent",
          "[socketio]") {
    OnePeer t;
    std::vector<Ack> kept;
    t.setup = [&](Socket& s) {
        s.on("later", [&](const Args&, const Ack& ack) { kept.push_back(ack); });
    };
    FakeSession& peer = t.connect();
    t.h.send(peer, R"(20["later"])");
    t.h.send(peer, R"(21["later"])");
    REQUIRE(kept.size() == 2);
    CHECK(peer.sent.empty());
    const Ack copy = kept[0];
    kept[0]("done", 1);
    copy("again");
    CHECK(peer.take_one() == R"(30["done",1])");
    CHECK_FALSE(copy.wanted());
    // The socket leaves: the second Ack can no longer answer (and calling it is safe).
    t.h.send(peer, "1");
    CHECK_FALSE(kept[1].wanted());
    kept[1]("too late");
    CHECK(peer.sent.empty());
}

TEST_CASE("emit_with_ack: the peer's ACK calls back once with its arguments", "[socketio]") {
    OnePeer t;
    FakeSession& peer = t.connect();
    std::vector<std::string> results;
    const auto callback = [&](std::optional<AckError> error, const Args& reply) {
        results.push_back(error ? std::string{error->reason} : json::write(reply.to_array()));
    };
    REQUIRE(t.socket->emit_with_ack("q", "a", 1, Millis{1000}, callback));
    REQUIRE(t.socket->emit_with_ack("q", "b", Millis{1000}, callback));
    const auto texts = peer.take_texts();
    REQUIRE(texts.size() == 2);
    CHECK(texts[0] == R"(20["q","a",1])");
    CHECK(texts[1] == R"(21["q","b"])");
    CHECK(t.socket->pending_ack_count() == 2);
    t.h.send(peer, R"(31["B",{"x":true}])");
    t.h.send(peer, R"(30[])");
    t.h.send(peer, R"(30["again"])");      // an id already answered: ignored
    t.h.send(peer, R"(399["unknown"])");   // never asked: ignored
    CHECK(results == std::vector<std::string>{R"(["B",{"x":true}])", "[]"});
    CHECK(t.socket->pending_ack_count() == 0);
    CHECK(peer.is_open());
}

TEST_CASE("emit_with_ack: no answer in time ends with \"operation has timed out\"", "[socketio]") {
    OnePeer t;
    FakeSession& peer = t.connect();
    std::vector<std::string> results;
    t.socket->emit_with_ack("q", Millis{20}, [&](std::optional<AckError> error, const Args& reply) {
        results.push_back(error ? std::string{error->reason} : "answer");
        CHECK(reply.empty());
    });
    CHECK(peer.take_one() == R"(20["q"])");
    REQUIRE(t.h.run_until([&] { return !results.empty(); }));
    CHECK(results == std::vector<std::string>{std::string{socketio::kAckTimedOut}});
    CHECK(t.socket->pending_ack_count() == 0);
    t.h.send(peer, R"(30["late"])");   // too late: ignored, no second call
    CHECK(results.size() == 1);
}

TEST_CASE("emit_with_ack: the socket leaving ends the wait with an error, at once", "[socketio]") {
    OnePeer t;
    FakeSession& peer = t.connect();
    std::vector<std::string> results;
    t.socket->emit_with_ack("q", Millis{60'000}, [&](std::optional<AckError> error, const Args&) {
        results.push_back(error ? std::string{error->reason} : "answer");
    });
    t.h.drop(peer);
    CHECK(results == std::vector<std::string>{std::string{socketio::kAckDisconnected}});
}

TEST_CASE("acks are numbered per namespace and echoed back on the right one", "[socketio]") {
    OnePeer t;
    Socket* admin = nullptr;
    t.h.io.of("/admin").on_connection([&](Socket& s) {
        admin = &s;
        s.on("ask", [](const Args&, const Ack& ack) { ack("from admin"); });
    });
    FakeSession& peer = t.connect();
    t.h.join(peer, "/admin");
    REQUIRE(admin != nullptr);
    t.h.send(peer, R"(2/admin,5["ask"])");
    CHECK(peer.take_one() == R"(3/admin,5["from admin"])");
    std::string got;
    admin->emit_with_ack("q", Millis{1000}, [&](std::optional<AckError>, const Args& reply) {
        got = reply[0].as_string();
    });
    CHECK(peer.take_one() == R"(2/admin,0["q"])");
    t.h.send(peer, R"(30["wrong namespace"])");   // "/" never asked: ignored
    CHECK(got.empty());
    t.h.send(peer, R"(3/admin,0["right"])");
    CHECK(got == "right");
}

TEST_CASE("catch-all listeners: on_any hears every incoming event, on_any_outgoing every emit",
          "[socketio]") {
    OnePeer t;
    std::vector<std::string> in;
    std::vector<std::string> out;
    t.setup = [&](Socket& s) {
        const auto any = s.on_any([&](std::string_view event, const Args& args, const Ack& ack) {
            in.push_back(std::string{event} + json::write(args.to_array()) +
                         (ack.wanted() ? "+ack" : ""));
        });
        s.on_any_outgoing([&](std::string_view event, const Args& args) {
            out.push_back(std::string{event} + json::write(args.to_array()));
        });
        s.on("stop", [&s, any] { s.off_any(any); });
    };
    FakeSession& peer = t.connect();
    t.h.send(peer, R"(2["a",1])");
    t.h.send(peer, R"(23["b"])");
    t.h.send(peer, R"(2["stop"])");
    t.h.send(peer, R"(2["c"])");
    CHECK(in == std::vector<std::string>{"a[1]", "b[]+ack", "stop[]"});
    t.socket->emit("x", 1);
    t.h.io.emit("y", "all");
    t.socket->emit_with_ack("z", Millis{1000}, [](std::optional<AckError>, const Args&) {});
    CHECK(out == std::vector<std::string>{"x[1]", R"(y["all"])", "z[]"});
}

TEST_CASE("volatile emits are dropped while the transport cannot take them", "[socketio]") {
    OnePeer t;
    FakeSession& peer = t.connect();
    peer.is_writable_ = false;
    CHECK(t.socket->volatile_emit("tick", 1));
    t.h.io.volatile_().emit("tick", 2);
    CHECK(peer.sent.empty());
    t.socket->emit("kept", 3);   // a plain emit waits in the session's queue instead
    CHECK(peer.take_one() == R"(2["kept",3])");
    peer.is_writable_ = true;
    t.socket->volatile_emit("tick", 4);
    t.h.io.volatile_().emit("tick", 5);
    CHECK(peer.take_texts() == std::vector<std::string>{R"(2["tick",4])", R"(2["tick",5])"});
}

TEST_CASE("socket.data and handshake are the application's and the engine's", "[socketio]") {
    OnePeer t;
    t.setup = [](Socket& s) { s.data() = json::Value::object({{"user", "ada"}}); };
    t.connect();
    CHECK(json::write(t.socket->data()) == R"({"user":"ada"})");
    CHECK(t.socket->handshake().url() == "/socket.io/?EIO=4&transport=websocket");
}
