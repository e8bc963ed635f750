// lessons/12-client-many-servers/fan_out_client_tcp.cpp
//
// One client, several servers: a connect per server, all in flight at once on one loop.
#include "fan_out.hpp"

#include <algorithm>

namespace fan_out {

void FanOutClient::connect(const std::string& server, const net::Address& where) {
    Link& link = *links_.emplace_back(std::make_unique<Link>());
    link.server = server;
    // Returns at once: the handshake goes on while the loop does other things. The callback
    // runs when this one finishes, whatever the others are doing.
    connector_.connect(where, [this, &link](looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
        link.is_done = true;
        if (!made) {
            link.error = made.error();
            return;
        }
        link.connection = std::move(*made);
        link.connection->on(events::data, [this, &link](net::ByteBuffer& input) {
            const auto text = input.readable_text();
            const auto end = text.find('\n');
            if (end == std::string_view::npos) return;   // half a line: wait for the rest
            link.reply = input.take(end);
            input.consume(1);
            ++replies_;
            if (on_reply_) on_reply_(link);
        });
        if (auto started = link.connection->start(); !started) lesson::fail(started.error());
    });
}

bool FanOutClient::all_done() const {
    return std::all_of(links_.begin(), links_.end(), [](const auto& link) { return link->is_done; });
}

void FanOutClient::send_all(std::string_view request, OnReply on_reply) {
    on_reply_ = std::move(on_reply);
    for (const auto& link : links_)
        if (link->connection) link->connection->send(request);
}

}  // namespace fan_out
