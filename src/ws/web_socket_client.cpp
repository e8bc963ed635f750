#include "looplab/ws/web_socket_client.hpp"

#include "looplab/ws/limits.hpp"

namespace looplab::ws {

WebSocketClient::~WebSocketClient() {
    for (auto& [id, handshake] : handshakes_) loop_.cancel_timer(handshake.timer);
}

void WebSocketClient::connect(const net::Address& server, std::string host, std::string path,
                              OnConnected on_connected, ClientOptions options) {
    const std::uint64_t id = next_id_++;
    const Millis connect_timeout = options.connect_timeout;
    handshakes_[id] =
        Handshake{nullptr, random_client_key(), {}, std::move(options), std::move(on_connected), 0};
    connector_.connect(
        server,
        [this, id, host = std::move(host),
         path = std::move(path)](Result<std::unique_ptr<net::TcpConnection>> connected) mutable {
            if (!connected) return finish(id, connected.error());
            on_tcp_connected(id, std::move(connected).value(), host, path);
        },
        net::ConnectOptions{.timeout = connect_timeout, .local = std::nullopt});
}

void WebSocketClient::on_tcp_connected(std::uint64_t id, std::unique_ptr<net::TcpConnection> tcp,
                                       const std::string& host, const std::string& path) {
    Handshake& handshake = handshakes_.at(id);
    handshake.tcp = std::move(tcp);
    handshake.tcp->on(events::data, [this, id](net::ByteBuffer& input) { on_bytes(id, input); });
    handshake.tcp->on(events::close, [this, id] {
        finish(id, Error::because("websocket handshake: the server closed the connection"));
    });
    if (auto started = handshake.tcp->start(); !started) return finish(id, started.error());
    handshake.tcp->send(build_client_request(
        host, path, handshake.key, handshake.options.subprotocols, handshake.options.origin));
    handshake.timer = loop_.set_timeout(handshake.options.handshake_timeout, [this, id] {
        handshakes_.at(id).timer = 0;
        finish(id, Error::because("websocket handshake: no answer from the server in time"));
    });
}

void WebSocketClient::on_bytes(std::uint64_t id, net::ByteBuffer& input) {
    Handshake& handshake = handshakes_.at(id);
    handshake.received.append(input.readable_text());
    input.consume(input.size());
    const std::optional<std::size_t> head_end = find_head_end(handshake.received);
    if (!head_end) {
        if (handshake.received.size() > kWsMaxHandshakeHeadSize)
            finish(id, Error::because("websocket handshake: the answer's head is too long"));
        return;
    }
    const std::string_view head = std::string_view{handshake.received}.substr(0, *head_end);
    auto confirmed = check_server_response(head, handshake.key, handshake.options.subprotocols);
    if (!confirmed) return finish(id, confirmed.error());
    // The bytes after the head are already frames (a server may greet at once).
    std::string leftover = handshake.received.substr(*head_end);
    auto websocket =
        std::make_unique<WebSocketConnection>(loop_, Role::Client, std::move(handshake.tcp),
                                              std::move(leftover), handshake.options.web_socket);
    websocket->set_subprotocol(confirmed->subprotocol);
    finish(id, std::move(websocket));
}

void WebSocketClient::finish(std::uint64_t id,
                             Result<std::unique_ptr<WebSocketConnection>> result) {
    const auto found = handshakes_.find(id);
    if (found == handshakes_.end()) return;
    Handshake handshake = std::move(found->second);
    handshakes_.erase(found);
    if (handshake.timer != 0) loop_.cancel_timer(handshake.timer);
    // A TCP connection still ours here is a failed handshake: drop it.
    if (handshake.tcp) closing_.close(std::move(handshake.tcp));
    handshake.on_connected(std::move(result));
}

}   // namespace looplab::ws
