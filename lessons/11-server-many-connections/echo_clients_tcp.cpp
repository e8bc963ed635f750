// lessons/11-server-many-connections/echo_clients_tcp.cpp
//
// Many clients on one loop, each its own socket and its own ephemeral port.
#include "one_port.hpp"

#include <algorithm>

namespace one_port {

void EchoClientsTcp::connect(const net::Address& server, std::size_t count, std::string greeting) {
    for (std::size_t i = 0; i < count; ++i) {
        Client& client = *clients_.emplace_back(std::make_unique<Client>());
        connector_.connect(server, [this, &client, greeting](
                                       looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
            if (!made) {
                errors_.push_back(made.error());
                return;
            }
            client.connection = std::move(*made);
            client.connection->on(events::data, [&client](net::ByteBuffer& input) {
                client.reply += input.take(input.size());
            });
            must(client.connection->start());
            client.connection->send(greeting);
        });
    }
}

std::size_t EchoClientsTcp::connected() const {
    return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(),
                                                  [](const auto& c) { return c->connection != nullptr; }));
}

std::vector<std::string> EchoClientsTcp::replies() const {
    std::vector<std::string> replies;
    for (const auto& client : clients_)
        if (client->connection) replies.push_back(client->reply);
    return replies;
}

bool EchoClientsTcp::all_replied() const {
    // A reply is complete at its closing parenthesis: "you are (127.0.0.1, 50123)".
    return std::all_of(clients_.begin(), clients_.end(), [](const auto& c) {
        return c->connection == nullptr || c->reply.ends_with(')');
    });
}

}  // namespace one_port
