// tests/unit/socketio/adapter_test.cpp — the Adapter seam a cluster adapter (Redis, later)
// plugs into: ServerOptions::adapter makes one per namespace; every broadcast reaches it with
// its options {rooms, except, flags}, exactly what a Redis adapter would publish (PROTOCOLS.md
// §4.1); server-side events from other servers come in through the namespace.
#include "sio_test_support.hpp"

#include "looplab/socketio/in_memory_adapter.hpp"

#include <string>
#include <vector>

using namespace sio_test;
using socketio::Args;
using socketio::BroadcastOptions;
using socketio::Socket;

namespace {

// What a cluster adapter does first: see each broadcast with its options, then deliver
// locally like the in-memory adapter (and, for Redis, publish it for the other servers).
class RecordingAdapter final : public socketio::InMemoryAdapter {
public:
    RecordingAdapter(socketio::Namespace& nsp, std::vector<std::string>& seen,
                     socketio::RecoveryOptions recovery = {})
        : InMemoryAdapter(nsp, recovery), seen_(seen) {}

    void broadcast(socketio::Packet& packet, const BroadcastOptions& opts) override {
        std::string line = nsp().name() + " " + json::write(*packet.data) + " rooms=";
        for (const auto& room : opts.rooms) line += room + ";";
        line += " except=";
        for (const auto& room : opts.except) line += room + ";";
        if (opts.flags.is_volatile) line += " volatile";
        if (opts.flags.is_local) line += " local";
        seen_.push_back(line);
        InMemoryAdapter::broadcast(packet, opts);
    }
    bool server_side_emit(const json::Array& event) override {
        seen_.push_back("server-side " + json::write(json::Value{event}));
        return true;   // "other servers heard it"
    }

private:
    std::vector<std::string>& seen_;
};

}   // namespace

TEST_CASE("a custom adapter sees every broadcast with its rooms, except and flags", "[socketio]") {
    std::vector<std::string> seen;
    socketio::ServerOptions options;
    options.adapter = [&seen](socketio::Namespace& nsp) {
        return std::make_unique<RecordingAdapter>(nsp, seen);
    };
    SioHarness h{options};
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) {
        if (socket == nullptr) socket = &s;
    });   // peer's
    FakeSession& peer = h.connect();
    FakeSession& other = h.connect();
    socket->join("a");
    peer.take();
    other.take();

    h.io.to("a").except("b").emit("x", 1);
    h.io.volatile_().local().emit("y");
    socket->broadcast().emit("z");
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == R"(/ ["x",1] rooms=a; except=b;)");
    CHECK(seen[1] == R"(/ ["y"] rooms= except= volatile local)");
    CHECK(seen[2] == "/ [\"z\"] rooms= except=" + std::string{socket->id()} + ";");
    // And the local delivery still happened.
    CHECK(peer.take_texts() == std::vector<std::string>{R"(2["x",1])", R"(2["y"])"});
    CHECK(other.take_texts() == std::vector<std::string>{R"(2["y"])", R"(2["z"])"});

    CHECK(h.io.main_namespace().server_side_emit("hello", 1));
    CHECK(seen.back() == R"(server-side ["hello",1])");
}

TEST_CASE("each namespace gets its own adapter from the factory", "[socketio]") {
    std::vector<std::string> made;
    socketio::ServerOptions options;
    options.adapter = [&made](socketio::Namespace& nsp) {
        made.push_back(nsp.name());
        return std::make_unique<socketio::InMemoryAdapter>(nsp);
    };
    SioHarness h{options};
    h.io.of("/chat");
    h.io.of("/chat");
    CHECK(made == std::vector<std::string>{"/", "/chat"});
}

TEST_CASE("server-side events from other servers reach the namespace's listeners", "[socketio]") {
    SioHarness h;
    std::vector<std::string> heard;
    socketio::Namespace& nsp = h.io.main_namespace();
    const auto id = nsp.on_server_side(
        "sync", [&](const Args& args) { heard.push_back(json::write(args[0])); });
    nsp.receive_server_side(json::Array{json::Value{"sync"}, json::Value{42}});
    nsp.receive_server_side(
        json::Array{json::Value{"error"}, json::Value{"nobody listens"}});   // not thrown
    nsp.receive_server_side(json::Array{});                                  // ignored
    CHECK(nsp.off_server_side(id));
    nsp.receive_server_side(json::Array{json::Value{"sync"}, json::Value{43}});
    CHECK(heard == std::vector<std::string>{"42"});
    CHECK_FALSE(nsp.server_side_emit("sync", 1));   // in-memory: no other server
    bool answered = false;
    nsp.server_side_emit_with_ack(
        "sync", 1, [&](std::optional<socketio::AckError> error, const json::Array& answers) {
            answered = !error && answers.empty();   // nobody to ask: no error, no answer
        });
    CHECK(answered);
}

TEST_CASE("with recovery on, a socket's own emit goes through the adapter as a local broadcast",
          "[socketio]") {
    std::vector<std::string> seen;
    socketio::ServerOptions options;
    options.recovery.enabled = true;
    options.adapter = [&seen, recovery = options.recovery](socketio::Namespace& nsp) {
        return std::make_unique<RecordingAdapter>(nsp, seen, recovery);
    };
    SioHarness h{options};
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) { socket = &s; });
    FakeSession& peer = h.connect();
    socket->emit("x");
    REQUIRE(seen.size() == 1);
    // Kept for replay with an offset, and marked local: nothing for other servers to do.
    CHECK(seen[0].starts_with(R"(/ ["x"] rooms=)" + std::string{socket->id()} + "; except= local"));
    const std::string sent = peer.take_one();
    CHECK(sent.starts_with(R"(2["x",")"));   // with its offset
    CHECK(dynamic_cast<socketio::InMemoryAdapter&>(h.io.main_namespace().adapter())
              .recovery()
              ->packet_count() == 1);
}
