// lessons/12-client-many-servers/fan_out.hpp
//
// What the files of lesson 12 share: servers that take their time to answer
// (slow_server_tcp.cpp; in real life, other machines) and ONE client that talks to all of
// them at once from one loop (fan_out_client_tcp.cpp).
//
//                        +--> server A (answers after 300 ms)
//   client (one loop) ---+--> server B (answers after 150 ms)
//                        +--> server C (answers at once)
//
// Each connection is its own socket, here each with its own local (ephemeral) port (one port
// may serve several connections: shared_local_port.cpp shows it); nothing waits for
// anything else, so the answers arrive in the order the servers finish, and the whole
// exchange takes as long as the slowest server, not the sum of all three.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/net/tcp_listener.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fan_out {

namespace lesson = looplab::lesson;
namespace net = looplab::net;
namespace events = looplab::events;
using looplab::Millis;
using looplab::loop::EventLoop;

void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what);

// Binds two sockets to one local port and connects them to two different servers, then a
// third to the first server again (refused: same 4-tuple). See shared_local_port.cpp.
void show_one_port_two_connections(EventLoop& loop, const lesson::Options& options);

// Answers every request line with "<name> answers after <think> ms\n", <think> ms later.
class SlowServer {
public:
    SlowServer(EventLoop& loop, std::string name, Millis think);
    const net::Address& address() const { return listener_.local_address(); }
    const std::string& name() const { return name_; }
    Millis think() const { return think_; }

private:
    EventLoop& loop_;
    std::string name_;
    Millis think_;
    net::TcpListener listener_;
    std::vector<std::unique_ptr<net::TcpConnection>> connections_;
};

// One client, one loop, one connection per server.
class FanOutClient {
public:
    struct Link {
        std::string server;                              // "server A"
        std::unique_ptr<net::TcpConnection> connection;  // null until connected, or if it failed
        std::optional<looplab::Error> error;             // why the connect failed
        std::string reply;                               // one line, without its "\n"
        bool is_done = false;                            // connected or failed
    };
    using OnReply = std::function<void(const Link&)>;

    explicit FanOutClient(EventLoop& loop) : connector_(loop) {}

    // Starts one non-blocking connect per server; returns at once.
    void connect(const std::string& server, const net::Address& where);
    std::size_t in_flight() const { return connector_.pending(); }
    bool all_done() const;

    // Sends `request` on every open connection; `on_reply` runs for each full reply line.
    void send_all(std::string_view request, OnReply on_reply);
    std::size_t replies() const { return replies_; }

    const std::vector<std::unique_ptr<Link>>& links() const { return links_; }

private:
    net::TcpConnector connector_;
    std::vector<std::unique_ptr<Link>> links_;
    OnReply on_reply_;
    std::size_t replies_ = 0;
};

}  // namespace fan_out
