// tests/unit/socketio/sio_test_support.hpp — the Socket.IO server without HTTP: a fake
// Engine.IO session that records what the server sends, and a harness that plays the engine
// (on_open / on_message / on_close through Server::engine_listener()).
//
//     SioHarness h;
//     h.io.on_connection([](Socket& s) { ... });
//     FakeSession& peer = h.connect();            // open + "0", the CONNECT reply checked
//     h.send(peer, R"(2["chat","hi"])");          // one Socket.IO packet, as the peer sends it
//     CHECK(peer.take_texts() == ...);            // what the server sent (Socket.IO text)
//
// Time: the server's timers are the loop's; tests give it short timeouts and wait with
// h.run_until(condition). Closing follows the engine's contract: a session the server closes
// reports on_close later, never inside close() — here at the next h.flush() (every helper
// that delivers something flushes after it).
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/engineio/session.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/socketio/server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio_test {

namespace json = looplab::codec::json;
namespace engineio = looplab::engineio;
namespace socketio = looplab::socketio;
using looplab::Millis;

// One message the server sent: Socket.IO text, or a binary attachment.
struct Sent {
    std::string data;
    bool is_binary = false;
    bool operator==(const Sent&) const = default;
};

class SioHarness;

class FakeSession final : public engineio::Session {
public:
    FakeSession(SioHarness& harness, std::string id)
        : harness_(harness),
          id_(std::move(id)),
          handshake_("/socket.io/?EIO=4&transport=websocket", {}, {}, 0) {}

    std::string_view id() const override { return id_; }
    const engineio::Handshake& handshake() const override { return handshake_; }
    engineio::TransportKind transport() const override {
        return engineio::TransportKind::WebSocket;
    }
    void send_text(std::string_view text) override {
        if (is_open_) sent.push_back(Sent{std::string{text}, false});
    }
    void send_binary(std::string_view bytes) override {
        if (is_open_) sent.push_back(Sent{std::string{bytes}, true});
    }
    bool is_writable() const override { return is_writable_; }
    void close() override;
    bool is_open() const override { return is_open_; }

    // What the server sent since the last take (texts only / everything), then forgets it.
    std::vector<std::string> take_texts() {
        std::vector<std::string> texts;
        for (const Sent& each : sent) texts.push_back(each.data);
        sent.clear();
        return texts;
    }
    std::vector<Sent> take() { return std::exchange(sent, {}); }
    // The one text sent since the last take (fails the test if there is not exactly one).
    std::string take_one() {
        const auto texts = take_texts();
        REQUIRE(texts.size() == 1);
        return texts[0];
    }

    std::vector<Sent> sent;
    bool is_writable_ = true;
    bool close_called = false;     // the server called close()
    bool close_reported = false;   // on_close was delivered

private:
    friend class SioHarness;
    SioHarness& harness_;
    std::string id_;
    engineio::Handshake handshake_;
    bool is_open_ = true;
};

class SioHarness {
public:
    explicit SioHarness(socketio::ServerOptions options = {})
        : io(loop, with_log(std::move(options))) {}

    ~SioHarness() { flush(); }

    // A new Engine.IO session (the engine's on_open), not yet in any namespace.
    FakeSession& open() {
        sessions_.push_back(
            std::make_unique<FakeSession>(*this, "eio" + std::to_string(sessions_.size())));
        FakeSession& session = *sessions_.back();
        io.engine_listener().on_open(session);
        flush();
        return session;
    }

    // open() + CONNECT to `nsp` (with `auth`, a JSON object text, or none); checks the CONNECT
    // reply and keeps the socket id in `sid_out` if given. The reply is taken from `sent`.
    FakeSession& connect(std::string_view nsp = "/", std::string_view auth = "",
                         std::string* sid_out = nullptr) {
        FakeSession& session = open();
        join(session, nsp, auth, sid_out);
        return session;
    }

    // CONNECT on an existing session; returns the sid of the reply.
    std::string join(FakeSession& session, std::string_view nsp = "/", std::string_view auth = "",
                     std::string* sid_out = nullptr) {
        send(session, connect_text(nsp, auth));
        REQUIRE(!session.sent.empty());
        const std::string reply = session.sent.front().data;
        session.sent.erase(session.sent.begin());
        const std::string prefix = nsp == "/" ? "0" : "0" + std::string{nsp} + ",";
        REQUIRE(reply.starts_with(prefix + "{"));
        auto parsed = json::parse(std::string_view{reply}.substr(prefix.size()));
        REQUIRE(parsed);
        const json::Value* sid = parsed->find("sid");
        REQUIRE(sid != nullptr);
        REQUIRE(sid->is_string());
        if (sid_out != nullptr) *sid_out = sid->as_string();
        return sid->as_string();
    }

    static std::string connect_text(std::string_view nsp, std::string_view auth) {
        std::string text = "0";
        if (nsp != "/") text += std::string{nsp} + ",";
        text += auth;
        return text;
    }

    // One message from the peer (Socket.IO text, or a binary attachment).
    void send(FakeSession& session, std::string_view text) {
        if (session.is_open_) io.engine_listener().on_message(session, text, false);
        flush();
    }
    void send_binary(FakeSession& session, std::string_view bytes) {
        if (session.is_open_) io.engine_listener().on_message(session, bytes, true);
        flush();
    }

    // The peer's connection ended (the engine reports it with `reason`).
    void drop(FakeSession& session,
              engineio::CloseReason reason = engineio::CloseReason::TransportClose) {
        if (!session.is_open_) return;
        session.is_open_ = false;
        session.close_reported = true;
        io.engine_listener().on_close(session, reason, "test");
        flush();
    }

    // Delivers on_close for the sessions the server closed (ForcedClose, as the engine does).
    void flush() {
        while (!to_close_.empty()) {
            FakeSession* session = to_close_.back();
            to_close_.pop_back();
            if (session->close_reported) continue;
            session->close_reported = true;
            io.engine_listener().on_close(*session, engineio::CloseReason::ForcedClose,
                                          "closed by the server");
        }
    }

    // Turns the loop (timers) until `done` or `limit`; delivers closes after each turn.
    bool run_until(const std::function<bool()>& done, Millis limit = Millis{2000}) {
        const bool result = loop.run_until(
            [&] {
                flush();
                return done();
            },
            limit);
        flush();
        return result;
    }

    // Lines the server logged.
    bool logged(std::string_view part) const {
        for (const std::string& line : logs)
            if (line.find(part) != std::string::npos) return true;
        return false;
    }

    looplab::loop::EventLoop loop;
    std::vector<std::string> logs;

private:
    friend class FakeSession;
    socketio::ServerOptions with_log(socketio::ServerOptions options) {
        options.log = [this](std::string_view line) { logs.emplace_back(line); };
        return options;
    }
    std::vector<std::unique_ptr<FakeSession>> sessions_;
    std::vector<FakeSession*> to_close_;

public:
    socketio::Server io;   // last: destroyed first, while the sessions still exist
};

inline void FakeSession::close() {
    if (!is_open_) return;
    is_open_ = false;
    close_called = true;
    harness_.to_close_.push_back(this);
}

// Parses `text` or fails the test.
inline json::Value js(std::string_view text) {
    auto value = json::parse(text);
    REQUIRE(value);
    return std::move(*value);
}

}   // namespace sio_test
