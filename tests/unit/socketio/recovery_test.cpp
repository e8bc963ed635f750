// tests/unit/socketio/recovery_test.cpp — connection state recovery (PROTOCOLS.md §2.8): the
// RecoveryStore on a manual clock (offsets, which packets a session missed, expiry, bounds),
// then the whole round trip through the server: pid in the CONNECT reply, offsets on every
// event, a dropped transport, the client back with {pid, offset}: same id, rooms, data, and
// the packets it missed.
#include "sio_test_support.hpp"

#include "looplab/socketio/recovery.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace sio_test;
using looplab::Clock;
using looplab::ManualClock;
using socketio::BroadcastOptions;
using socketio::PersistedSession;
using socketio::RecoveryOptions;
using socketio::RecoveryStore;
using socketio::Socket;
using namespace std::chrono_literals;

namespace {

RecoveryOptions enabled(std::size_t max_packets = socketio::kSioMaxRecoveryPackets,
                        std::size_t max_sessions = socketio::kSioMaxRecoverySessions) {
    RecoveryOptions options;
    options.enabled = true;
    options.max_packets = max_packets;
    options.max_sessions = max_sessions;
    return options;
}

json::Array event(std::string name) { return json::Array{json::Value{std::move(name)}}; }

BroadcastOptions to(std::vector<socketio::Room> rooms, std::vector<socketio::Room> except = {}) {
    BroadcastOptions opts;
    opts.rooms = std::move(rooms);
    opts.except = std::move(except);
    return opts;
}

std::vector<std::string> names(const std::vector<json::Array>& packets) {
    std::vector<std::string> result;
    for (const json::Array& packet : packets) result.push_back(packet[0].as_string());
    return result;
}

}   // namespace

TEST_CASE("offsets: text and back; foreign text is refused", "[socketio]") {
    for (const std::uint64_t n : {0ull, 1ull, 63ull, 64ull, 4095ull, 123456789ull, (1ull << 59)}) {
        CHECK(socketio::offset_number(socketio::offset_text(n)) == n);
    }
    CHECK_FALSE(socketio::offset_number(""));
    CHECK_FALSE(socketio::offset_number("a+b"));
    CHECK_FALSE(socketio::offset_number("AAAAAAAAAAA"));   // longer than ours ever are
}

TEST_CASE("RecoveryStore: a session gets the packets after its offset that were meant for it",
          "[socketio]") {
    ManualClock clock;
    RecoveryStore store{enabled()};
    json::Array first = event("first");
    const std::string offset = store.remember(first, to({}), clock.now());
    CHECK(first.back().as_string() == offset);   // appended as the last argument
    json::Array all = event("all");
    store.remember(all, to({}), clock.now());
    json::Array lobby = event("lobby");
    store.remember(lobby, to({"lobby"}), clock.now());
    json::Array other = event("other-room");
    store.remember(other, to({"other"}), clock.now());
    json::Array mine = event("to-me");
    store.remember(mine, to({"SID"}), clock.now());
    json::Array skipped = event("except-lobby");
    store.remember(skipped, to({}, {"lobby"}), clock.now());
    json::Array me_excepted = event("except-me");
    store.remember(me_excepted, to({}, {"SID"}), clock.now());

    store.persist(PersistedSession{"SID", "PID", {"lobby"}, json::Value::object({{"k", 1}})},
                  clock.now());
    clock.advance(1s);
    auto restored = store.restore("PID", offset, clock.now());
    REQUIRE(restored);
    CHECK(restored->session.sid == "SID");
    CHECK(restored->session.rooms == std::vector<socketio::Room>{"lobby"});
    CHECK(json::write(restored->session.data) == R"({"k":1})");
    CHECK(names(restored->missed_packets) == std::vector<std::string>{"all", "lobby", "to-me"});
    // Used up: a second restore finds nothing.
    CHECK_FALSE(store.restore("PID", offset, clock.now()));
}

TEST_CASE("RecoveryStore: unknown pid, expired session, offset no longer buffered", "[socketio]") {
    ManualClock clock;
    RecoveryStore store{enabled(/*max_packets=*/2)};
    json::Array a = event("a");
    const std::string offset_a = store.remember(a, to({}), clock.now());
    json::Array b = event("b");
    const std::string offset_b = store.remember(b, to({}), clock.now());
    store.persist(PersistedSession{"S1", "P1", {}, {}}, clock.now());
    store.persist(PersistedSession{"S2", "P2", {}, {}}, clock.now());
    CHECK_FALSE(store.restore("nobody", offset_a, clock.now()));
    CHECK_FALSE(store.restore("P1", "not-an-offset!", clock.now()));

    json::Array c = event("c");
    store.remember(c, to({}), clock.now());   // the buffer holds 2: "a" is gone
    CHECK(store.packet_count() == 2);
    CHECK_FALSE(store.restore("P2", offset_a, clock.now()));   // cannot know what it missed

    store.persist(PersistedSession{"S3", "P3", {}, {}}, clock.now());
    clock.advance(socketio::kSioDefaultMaxDisconnectionDuration + 1ms);
    CHECK_FALSE(store.restore("P3", offset_b, clock.now()));   // too late
}

TEST_CASE("RecoveryStore: expire() drops old packets and sessions; sessions are bounded",
          "[socketio]") {
    ManualClock clock;
    RecoveryStore store{enabled(socketio::kSioMaxRecoveryPackets, /*max_sessions=*/2)};
    json::Array a = event("a");
    store.remember(a, to({}), clock.now());
    store.persist(PersistedSession{"S1", "P1", {}, {}}, clock.now());
    store.persist(PersistedSession{"S2", "P2", {}, {}}, clock.now());
    store.persist(PersistedSession{"S3", "P3", {}, {}}, clock.now());   // S1 goes
    CHECK(store.session_count() == 2);
    clock.advance(socketio::kSioDefaultMaxDisconnectionDuration / 2);
    json::Array b = event("b");
    store.remember(b, to({}), clock.now());
    store.expire(clock.now());
    CHECK(store.packet_count() == 2);
    clock.advance(socketio::kSioDefaultMaxDisconnectionDuration / 2 + 1ms);
    store.expire(clock.now());
    CHECK(store.packet_count() == 1);   // "b" is younger
    CHECK(store.session_count() == 0);
}

namespace {

// The pid and offset a client would send back: the CONNECT reply's pid, the last offset seen.
struct Resume {
    std::string sid;
    std::string pid;
    std::string offset;
};

socketio::ServerOptions recovering() {
    socketio::ServerOptions options;
    options.recovery.enabled = true;
    return options;
}

}   // namespace

TEST_CASE(
    "recovery: a client back after a dropped transport is the same socket and gets what it missed",
    "[socketio]") {
    SioHarness h{recovering()};
    std::vector<Socket*> sockets;
    std::vector<bool> recovered;
    h.io.on_connection([&](Socket& s) {
        sockets.push_back(&s);
        recovered.push_back(s.recovered());
        if (!s.recovered()) {
            s.join("lobby");
            s.data() = json::Value::object({{"name", "ada"}});
        }
    });
    FakeSession& first = h.open();
    h.send(first, "0");
    const auto reply = js(std::string_view{first.take_one()}.substr(1));
    Resume resume{reply.find("sid")->as_string(), reply.find("pid")->as_string(), {}};
    CHECK(resume.pid.size() == socketio::kSioIdLength);
    FakeSession& other = h.connect();

    // Every event carries an offset as its last argument.
    sockets[0]->emit("hello", 1);
    const auto hello = js(std::string_view{first.take_one()}.substr(1));
    REQUIRE(hello.as_array().size() == 3);
    resume.offset = hello.as_array()[2].as_string();

    h.drop(first, engineio::CloseReason::PingTimeout);
    h.io.to("lobby").emit("missed", "a");
    h.io.emit("missed", "b");
    h.io.except("lobby").emit("not-for-you");
    sockets[1]->emit("private-to-other");

    FakeSession& back = h.open();
    h.send(back, R"(0{"pid":")" + resume.pid + R"(","offset":")" + resume.offset + R"("})");
    const auto texts = back.take_texts();
    REQUIRE(texts.size() == 3);
    const auto again = js(std::string_view{texts[0]}.substr(1));
    CHECK(again.find("sid")->as_string() == resume.sid);
    CHECK(again.find("pid")->as_string() == resume.pid);
    CHECK(texts[1].starts_with(R"(2["missed","a",")"));
    CHECK(texts[2].starts_with(R"(2["missed","b",")"));
    REQUIRE(sockets.size() == 3);
    CHECK(recovered == std::vector<bool>{false, false, true});
    Socket& restored = *sockets[2];
    CHECK(restored.id() == resume.sid);
    CHECK(json::write(restored.data()) == R"({"name":"ada"})");
    const auto rooms = restored.rooms();
    CHECK(std::find(rooms.begin(), rooms.end(), "lobby") != rooms.end());
    CHECK(h.io.main_namespace().adapter().room_size("lobby") == 2);   // with `other`
    (void)other;
}

TEST_CASE("recovery: a deliberate leave is not recoverable; an unknown pid gets a fresh socket",
          "[socketio]") {
    SioHarness h{recovering()};
    std::vector<Socket*> sockets;
    h.io.on_connection([&](Socket& s) { sockets.push_back(&s); });
    FakeSession& first = h.open();
    h.send(first, "0");
    const auto reply = js(std::string_view{first.take_one()}.substr(1));
    const std::string pid = reply.find("pid")->as_string();
    sockets[0]->emit("x");
    const auto x = js(std::string_view{first.take_one()}.substr(1));
    const std::string offset = x.as_array()[1].as_string();
    h.send(first, "1");   // client namespace disconnect: its session is not kept

    FakeSession& back = h.open();
    h.send(back, R"(0{"pid":")" + pid + R"(","offset":")" + offset + R"("})");
    REQUIRE(sockets.size() == 2);
    CHECK_FALSE(sockets[1]->recovered());
    CHECK(sockets[1]->id() != sockets[0]->id());
    const auto fresh = js(std::string_view{back.take_one()}.substr(1));
    CHECK(fresh.find("pid")->as_string() != pid);
}

TEST_CASE("recovery: emits with an ack and volatile emits carry no offset and are not kept",
          "[socketio]") {
    SioHarness h{recovering()};
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) { socket = &s; });
    FakeSession& peer = h.connect();
    socket->emit_with_ack("q", Millis{1000},
                          [](std::optional<socketio::AckError>, const socketio::Args&) {});
    CHECK(peer.take_one() == R"(20["q"])");
    socket->volatile_emit("v");
    CHECK(peer.take_one() == R"(2["v"])");
}

TEST_CASE("recovery off: no pid, no offsets", "[socketio]") {
    SioHarness h;
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) { socket = &s; });
    FakeSession& peer = h.open();
    h.send(peer, R"(0{"pid":"x","offset":"A"})");
    const auto reply = js(std::string_view{peer.take_one()}.substr(1));
    CHECK(reply.find("pid") == nullptr);
    socket->emit("e");
    CHECK(peer.take_one() == R"(2["e"])");
}

TEST_CASE("recovery: without skip_middlewares the middlewares run for a recovered socket too",
          "[socketio]") {
    socketio::ServerOptions options = recovering();
    options.recovery.skip_middlewares = false;
    SioHarness h{options};
    int middleware_runs = 0;
    Socket* socket = nullptr;
    h.io.use([&](Socket&, socketio::Next next) {
        ++middleware_runs;
        next();
    });
    h.io.on_connection([&](Socket& s) { socket = &s; });
    FakeSession& first = h.open();
    h.send(first, "0");
    const auto reply = js(std::string_view{first.take_one()}.substr(1));
    socket->emit("x");
    const auto x = js(std::string_view{first.take_one()}.substr(1));
    h.drop(first);
    FakeSession& back = h.open();
    h.send(back, R"(0{"pid":")" + reply.find("pid")->as_string() + R"(","offset":")" +
                     x.as_array()[1].as_string() + R"("})");
    CHECK(socket->recovered());
    CHECK(middleware_runs == 2);
}
