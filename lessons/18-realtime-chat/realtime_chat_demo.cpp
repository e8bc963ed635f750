// lessons/18-realtime-chat/realtime_chat_demo.cpp
//
// A real-time chat, packet by packet: our C++ Socket.IO server and two C++ Socket.IO clients
// (alice and bob) on one loop, on 127.0.0.1. Every Engine.IO / Socket.IO packet a client sends
// or receives is printed with its meaning (the client's wire hook sees the server's packets
// too: they are what it receives). Then the seed's snippet, a plain WebSocket, tries the same
// server and is turned away. Read with notes/18-realtime-chat.md.
//
// Each step does one thing and waits (loop.run_until) for everything it causes; then the
// lines of each actor are printed, alice's first (chat_lesson.hpp says why).
#include "chat_lesson.hpp"

#include "looplab/lesson/lesson.hpp"
#include "looplab/socketio_client/manager.hpp"
#include "looplab/ws/web_socket_client.hpp"
#include "looplab/ws/web_socket_connection.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

using namespace looplab;
using namespace std::chrono_literals;
namespace json = codec::json;

namespace {

// Small delays so that the reconnection takes a tenth of a second, not one (the reference
// client waits 1 s, doubling up to 5 s; see the note).
constexpr Millis kReconnectionDelay{100};
constexpr Millis kReconnectionDelayMax{1000};
constexpr Millis kAckTimeout{2000};
constexpr Millis kStepLimit{5000};

// One chat user: a Manager (the connection) and its socket in "/", told in the transcript.
struct ChatClient {
    std::string name;
    chat::Transcript& transcript;
    socketio_client::Manager manager;
    socketio_client::Socket& socket;
    int connects = 0;
    int disconnects = 0;
    int chats = 0;   // "chat" events received
    std::string last_chat;   // the text of the last one
    int acks = 0;    // answers to our emit_with_ack

    ChatClient(std::string who, chat::Transcript& story, loop::EventLoop& loop,
               const net::Address& server, socketio_client::ManagerOptions options)
        : name(std::move(who)),
          transcript(story),
          manager(loop, socketio_client::server_url(server), std::move(options)),
          socket(manager.socket("/", {.auth = json::Value::object({{"name", name}})})) {
        transcript.add_actor(name);
        manager.set_wire_tap([this](socketio_client::WireDirection direction, std::string_view packet,
                               bool is_binary) {
            transcript.add_packet(name, socketio_client::arrow(direction), packet, is_binary);
        });
        socket.on_connect([this] {
            ++connects;
            say(fmt::format("\"connect\": socket.id is {}", socket.id()));
        });
        socket.on_disconnect([this](socketio_client::DisconnectReason reason) {
            ++disconnects;
            say(fmt::format("\"disconnect\" (\"{}\"){}", to_string(reason),
                            socketio_client::reconnects_after(reason) ? ": the manager will reconnect"
                                                                      : ""));
        });
        socket.on("chat", [this](const socketio::Args& args) {
            ++chats;
            last_chat = args[1].as_string();
            say(fmt::format("\"chat\" from {}: \"{}\"", args[0].as_string(), args[1].as_string()));
        });
        manager.on("reconnect_attempt", [this](const json::Value& attempt) {
            say(fmt::format("manager: \"reconnect_attempt\" {} (after the backoff delay)", attempt.as_int()));
        });
        manager.on("reconnect", [this](const json::Value& attempt) {
            say(fmt::format("manager: \"reconnect\" after {} attempt{}", attempt.as_int(),
                            attempt.as_int() == 1 ? "" : "s"));
        });
    }

    void say(std::string line) { transcript.add(name, fmt::format("{}: {}", name, line)); }

    // emit_with_ack, the answer told when it comes.
    template <typename... A>
    void ask(std::string_view event, A&&... args) {
        socket.emit_with_ack(event, std::forward<A>(args)..., kAckTimeout,
                             [this, event = std::string{event}](Result<socketio::Args> reply) {
                                 ++acks;
                                 if (!reply) return say(fmt::format("ack of \"{}\": {}", event,
                                                                    reply.error().message()));
                                 say(fmt::format("ack of \"{}\": the server answered {}", event,
                                                 reply->size() > 0 ? (*reply)[0].as_int() : -1));
                             });
    }
};

// Turns the loop until `done` (at most kStepLimit, so a mistake cannot hang the lesson), then
// prints what each actor saw, `first`'s lines first (empty: in the order of the actors).
void wait_for(loop::EventLoop& loop, chat::Transcript& transcript, std::string_view what,
              const std::function<bool()>& done, std::string_view first = {}) {
    const bool happened = loop.run_until(done, kStepLimit);
    transcript.flush(first);
    if (!happened) lesson::fail(fmt::format("{} did not happen within 5 s", what));
}

}   // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-18");
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};
    chat::Transcript transcript{options.demo};
    chat::ChatServer server{loop, transcript};
    if (auto listening = server.listen(net::Address::loopback(0)); !listening)
        lesson::fail(listening.error());

    socketio_client::ManagerOptions client_options;
    client_options.reconnection_delay = kReconnectionDelay;
    client_options.reconnection_delay_max = kReconnectionDelayMax;
    ChatClient alice{"alice", transcript, loop, server.address(), client_options};
    ChatClient bob{"bob", transcript, loop, server.address(), client_options};
    transcript.add_actor("ws");
    server.log_actor = "ws";   // the only peer that breaks the protocol: step 6's

    // 1. Connecting: Engine.IO opens a session (the open packet), then the socket joins the
    //    namespace "/" (CONNECT, and the server's answer with the socket's id).
    options.step("Connecting: the Engine.IO open packet, then the Socket.IO CONNECT");
    lesson::say("the C++ server listens on {}; Socket.IO answers under /socket.io/",
                options.label_as(server.address(), "127.0.0.1:PORT"));
    lesson::say("each client opens ws://{}/socket.io/?EIO=4&transport=websocket",
                options.label_as(server.address(), "127.0.0.1:PORT"));
    lesson::say("(-> sent by the client, <- sent by the server; ids shown as <session-N>, <sid-N>)");
    alice.socket.connect();
    wait_for(loop, transcript, "alice's connection", [&] { return alice.connects == 1; });
    bob.socket.connect();
    wait_for(loop, transcript, "bob's connection", [&] { return bob.connects == 1; });

    // 2. Joining a room. The client cannot join by itself: it asks with an event, and asks for
    //    an ack to know when it is done.
    options.step("Joining a room: an event that asks for an ack");
    alice.ask("join", "lobby");
    wait_for(loop, transcript, "alice's join", [&] { return alice.acks == 1; });
    bob.ask("join", "lobby");
    wait_for(loop, transcript, "bob's join", [&] { return bob.acks == 1; });

    // 3. One message to the room: the server broadcasts it (both get it) and acks the sender.
    options.step("A message to the room: a broadcast, and an ack for the sender");
    alice.ask("chat", "lobby", "hi everyone");
    wait_for(loop, transcript, "the broadcast",
             [&] { return alice.acks == 2 && alice.last_chat == "hi everyone" && bob.chats == 1; });

    // 4. The transport drops. The socket is disconnected, what alice emits waits in the
    //    offline buffer, the manager reconnects after the backoff delay, and the buffer goes
    //    out. Her new socket has a new id and no rooms: the server forgot the old one.
    options.step("The transport drops: the offline buffer and the reconnection");
    lesson::say("alice's network fails: manager.drop_transport() resets her TCP connection");
    alice.manager.drop_transport();
    wait_for(loop, transcript, "the drop",
             [&] { return alice.disconnects == 1 && server.disconnects() == 1; });
    alice.ask("chat", "lobby", "did you get this?");
    alice.say(fmt::format("emit(\"chat\", ...) while disconnected: kept in the offline buffer ({} packet)",
                          alice.socket.buffered_count()));
    transcript.flush();
    wait_for(loop, transcript, "the reconnection",
             [&] { return alice.connects == 2 && alice.acks == 3 && bob.last_chat == "did you get this?"; });
    lesson::say("alice's new socket is in no room (without connection state recovery, the");
    lesson::say("server forgot the old socket and its rooms): she joins again, as chat apps do");
    lesson::say("in their \"connect\" listener");
    alice.ask("join", "lobby");
    wait_for(loop, transcript, "alice's second join", [&] { return alice.acks == 4; });
    bob.ask("chat", "lobby", "welcome back");
    wait_for(loop, transcript, "bob's message",
             [&] {
                 return bob.acks == 2 && alice.last_chat == "welcome back" &&
                        bob.last_chat == "welcome back";
             },
             "bob");

    // 5. Leaving: each socket sends DISCONNECT; with no socket left, the manager closes its
    //    connection.
    options.step("Leaving: DISCONNECT, and the connection closes");
    alice.socket.disconnect();
    bob.socket.disconnect();
    wait_for(loop, transcript, "the goodbyes", [&] {
        return server.disconnects() == 3 && server.socket_count() == 0 &&
               alice.manager.state() == socketio_client::Manager::State::Closed &&
               bob.manager.state() == socketio_client::Manager::State::Closed;
    });
    lesson::say("no socket is left on either manager: each closes its WebSocket (no reconnection)");

    // 6. The seed's snippet: `new WebSocket("ws://localhost:3000")`, then `ws.send("hello")`.
    //    A WebSocket reaches the server, but "hello" is not an Engine.IO packet.
    options.step("The seed's snippet: a plain WebSocket is not a Socket.IO client");
    lesson::say("ws: new WebSocket(\"ws://{}/socket.io/?EIO=4&transport=websocket\")",
                options.label_as(server.address(), "127.0.0.1:PORT"));
    ws::WebSocketClient raw_client{loop};
    std::unique_ptr<ws::WebSocketConnection> raw;
    bool raw_failed = false;
    bool raw_got_open = false;
    bool raw_closed = false;
    raw_client.connect(
        server.address(), fmt::format("127.0.0.1:{}", server.address().port()),
        "/socket.io/?EIO=4&transport=websocket",
        [&](Result<std::unique_ptr<ws::WebSocketConnection>> made) {
            if (!made) {
                raw_failed = true;
                return transcript.add("ws", fmt::format("ws: failed: {}", made.error().message()));
            }
            raw = std::move(made.value());
            transcript.add("ws", "ws: \"open\": the WebSocket handshake worked (101 Switching Protocols)");
            raw->socket().on(events::message, [&](const ws::Message& message) {
                raw_got_open = true;
                transcript.add_packet("ws", "<-", message.payload, false);
            });
            raw->socket().on(events::close, [&](const ws::CloseInfo& info) {
                raw_closed = true;
                transcript.add("ws", fmt::format("ws: \"close\": code {}{}", info.code,
                                                 info.was_clean ? ", clean" : ""));
            });
            raw->start();
        });
    wait_for(loop, transcript, "the open packet", [&] { return raw_got_open || raw_failed; });
    if (raw_failed) lesson::fail("the plain WebSocket could not connect");
    lesson::say("ws: the server spoke first, in Engine.IO; the snippet does not understand it");
    raw->socket().send_text("hello");
    transcript.add_packet("ws", "->", "hello", false);
    wait_for(loop, transcript, "the server's answer", [&] { return raw_closed; });
    lesson::say("the server closed the session: \"hello\" has no packet type. A Socket.IO server");
    lesson::say("talks Engine.IO and Socket.IO inside WebSocket frames; it needs a Socket.IO client");
    return 0;
}
