// lessons/11-server-many-connections/one_port.hpp
//
// What the files of lesson 11 share: a TCP server with ONE listening socket that keeps every
// connection it accepts (echo_server_tcp.cpp), a crowd of clients (echo_clients_tcp.cpp), and
// the two later steps: running out of file descriptors (fd_limit.cpp) and two listeners on
// one port with SO_REUSEPORT (reuse_port.cpp).
//
// The one idea: a connection is known by its 4-tuple
//     (local address, local port, remote address, remote port)
// Every connection the server accepts has the SAME local address and port (the server's);
// the remote half tells them apart. The listening socket only accepts.
#pragma once

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

namespace one_port {

namespace lesson = looplab::lesson;
namespace net = looplab::net;
namespace events = looplab::events;
using looplab::loop::EventLoop;

// Every wait in this lesson: turn the loop until `done`, never longer than two seconds.
void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what);
using lesson::must;   // a set-up step that has to work: fail() with its error if it did not

// "(127.0.0.1, server port) <-> (127.0.0.1, port A)", with demo labels for the ports.
std::string four_tuple(const net::TcpConnection& connection, const lesson::Options& options);

// Accepts every client, keeps the connection, and answers each line with "you are <the
// remote half of your 4-tuple>": the server tells its clients apart by that alone.
class EchoServerTcp {
public:
    EchoServerTcp(EventLoop& loop, const lesson::Options& options, net::ListenOptions listen = {},
                  std::optional<net::Address> where = std::nullopt);

    const net::Address& address() const { return listener_.local_address(); }
    std::size_t accepted() const { return connections_.size(); }
    const std::vector<std::unique_ptr<net::TcpConnection>>& connections() const { return connections_; }
    // accept() errors seen (e.g. EMFILE), in order.
    const std::vector<looplab::Error>& accept_errors() const { return accept_errors_; }
    void set_quiet(bool quiet) { is_quiet_ = quiet; }

private:
    net::TcpListener listener_;
    const lesson::Options& options_;
    std::vector<std::unique_ptr<net::TcpConnection>> connections_;
    std::vector<looplab::Error> accept_errors_;
    bool is_quiet_ = false;
};

// N clients, each connecting from its own ephemeral port and keeping what the server says.
class EchoClientsTcp {
public:
    explicit EchoClientsTcp(EventLoop& loop) : connector_(loop) {}
    // Starts `count` connects at once; each sends `greeting` once it is connected.
    void connect(const net::Address& server, std::size_t count, std::string greeting);

    std::size_t connected() const;
    std::size_t failed() const { return errors_.size(); }
    const std::vector<looplab::Error>& errors() const { return errors_; }
    // What each connected client heard, in the order the connects were started.
    std::vector<std::string> replies() const;
    bool all_replied() const;

private:
    struct Client {
        std::unique_ptr<net::TcpConnection> connection;
        std::string reply;
    };
    net::TcpConnector connector_;
    std::vector<std::unique_ptr<Client>> clients_;
    std::vector<looplab::Error> errors_;
};

// Step 3 (fd_limit.cpp) and step 4 (reuse_port.cpp).
void show_fd_limit(EventLoop& loop, const lesson::Options& options);
void show_reuse_port(EventLoop& loop, const lesson::Options& options);

}  // namespace one_port
