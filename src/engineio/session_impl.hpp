// src/engineio/session_impl.hpp (private) — one Engine.IO session: its transport (polling,
// websocket, or polling with a WebSocket probe on the way), its queue, its heartbeat.
//
//     polling ──(WS with sid, 2probe → 3probe, pending GET gets 6)──► upgrading ──(5)──► websocket
//
// States: Open ──end()──► Closing ──(last poll answered / transport gone, on_close reported)──►
// released by the server. The server reports on_close and frees the session in tasks it posts,
// never inside the call that ended it.
//
// Split over three files by job: session_impl.cpp (sending, receiving packets, heartbeat,
// ending), polling_transport.cpp (GET and POST), websocket_transport.cpp (frames, upgrade).
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/engineio/open_packet.hpp"
#include "looplab/engineio/packet.hpp"
#include "looplab/engineio/session.hpp"
#include "looplab/http/request.hpp"
#include "looplab/http/responder.hpp"
#include "looplab/loop/task.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/ws/web_socket.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace looplab::engineio {

class ServerCore;

class SessionImpl final : public Session {
public:
    SessionImpl(ServerCore& server, std::string_view id, Handshake handshake,
                TransportKind transport);
    ~SessionImpl() override;
    SessionImpl(const SessionImpl&) = delete;
    SessionImpl& operator=(const SessionImpl&) = delete;

    // ---- Session ---------------------------------------------------------------------------
    std::string_view id() const override { return {id_.data(), id_.size()}; }
    const Handshake& handshake() const override { return handshake_; }
    TransportKind transport() const override { return transport_; }
    void send_text(std::string_view text) override;
    void send_binary(std::string_view bytes) override;
    bool is_writable() const override;
    void close() override;
    bool is_open() const override { return state_ == State::Open; }

    // The handshake went out: the heartbeat starts.
    void start_heartbeat();
    // Ends the session (PingTimeout) when its pong deadline has passed, even if the timer for
    // it has not run yet; true if it did. Asked before a request or frame is handled.
    bool end_if_heartbeat_missed();
    // Our sid still answers requests: open, or closed by us and waiting for the last poll.
    bool is_routable() const { return state_ == State::Open || is_draining_; }
    // on_close was reported; true when the session may now be freed.
    bool mark_reported();

    // ---- polling (polling_transport.cpp) -----------------------------------------------------
    // A GET: answered now if something waits, else held until there is (or a ping is due).
    void on_poll(http::Responder responder, http::Headers cors);
    // A POST: every packet in its body, then the answer ("ok", 400 or 413).
    http::Response on_data(const http::Request& request, const http::Headers& cors);

    // ---- websocket (websocket_transport.cpp) -------------------------------------------------
    // A session opened directly over a WebSocket: the open packet is its first frame.
    void use_websocket(ws::WebSocket& socket, std::string_view open_packet);
    // Polling, open, upgrades allowed, and no probe under way.
    bool may_upgrade() const;
    void begin_upgrade(ws::WebSocket& probe);
    void on_socket_message(ws::WebSocket& socket, const ws::Message& message);
    void on_socket_closed(ws::WebSocket& socket, const ws::CloseInfo& info);

private:
    enum class State : std::uint8_t { Open, Closing };

    void send_packet(PacketType type, std::string_view data, bool is_binary);
    void enqueue(PacketType type, std::string_view data, bool is_binary);
    // False when the listener destroyed the server (and this session): return at once.
    [[nodiscard]] bool on_packet(const PacketView& packet);
    void on_pong();
    void stop_heartbeat();
    // Ends the session once: reports on_close later, closes the transport the way `reason`
    // asks (see session_impl.cpp).
    void end(CloseReason reason, std::string description);
    void finish_transport();

    // polling
    void schedule_flush();
    void flush_poll();
    std::string take_payload();
    void answer_poll(std::string body);   // to the held GET
    bool has_held_get() const {
        return polling_ && polling_->held && polling_->held->responder.is_pending();
    }
    void hold_get(http::Responder responder, http::Headers cors) {
        polling_->held =
            std::make_unique<HeldPoll>(HeldPoll{std::move(responder), std::move(cors)});
    }

    // websocket
    // Sends one packet as one frame, gathered with the others of this loop turn.
    void write_to_socket(ws::WebSocket& socket, PacketType type, std::string_view data,
                         bool is_binary);
    // The same, without the gathering.
    void send_frame(ws::WebSocket& socket, PacketType type, std::string_view data, bool is_binary);
    bool is_probe(const ws::WebSocket& socket) const;
    void on_probe_message(const ws::Message& message);
    void complete_upgrade();
    void drop_probe();

    // The held GET and the CORS headers of its answer. On the heap, and only while a GET is
    // held.
    struct HeldPoll {
        http::Responder responder;
        http::Headers cors;
    };
    // What only polling needs. Made with a polling session, freed when it upgrades: a session
    // that is a WebSocket (most of them, for most of their life) carries one pointer instead.
    struct Polling {
        std::vector<Packet> queue;   // waiting for a GET (polling, or an upgrade)
        std::size_t queued_bytes = 0;
        std::unique_ptr<HeldPoll> held;
        ws::WebSocket* probe = nullptr;    // the WebSocket an upgrade is trying
        loop::TimerId upgrade_timer = 0;   // the probe must finish by then
        loop::TimerId drain_timer = 0;     // closed by us: the last poll must come by then
    };

    // Every session has one of these: the small fields sit in the bytes after id_ that
    // alignment would leave empty (the layout is about 200 bytes, 64 fewer than a plain one).
    ServerCore& server_;
    std::array<char, kEioSidLength> id_{};   // inline: a heap string would cost 48 bytes more
    TransportKind transport_;
    State state_ = State::Open;
    bool is_probed_ = false;   // 2probe answered: polling is being released
    bool is_flush_posted_ = false;
    bool is_draining_ = false;   // closed by us, the last poll will get "1"
    bool is_transport_done_ = false;
    bool is_reported_ = false;
    Handshake handshake_;

    std::unique_ptr<Polling> polling_;   // there exactly while transport_ == Polling
    ws::WebSocket* socket_ = nullptr;    // the WebSocket in use (transport_ == WebSocket)

    // The next pong must come before it (no deadline until the heartbeat starts).
    Clock::time_point heartbeat_deadline_ = Clock::time_point::max();
    loop::TimerId ping_timer_ = 0;   // next ping; 0: none
    loop::TimerId pong_timer_ = 0;   // pong deadline; 0: not waiting for a pong
    net::LifetimeFlag lifetime_;
};

}   // namespace looplab::engineio
