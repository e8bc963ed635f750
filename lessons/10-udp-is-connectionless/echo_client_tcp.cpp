// lessons/10-udp-is-connectionless/echo_client_tcp.cpp
//
// A TCP client: connect() first (SYN, SYN-ACK, ACK), and only then the message.
#include "udp_lesson.hpp"

namespace udp_lesson {

void EchoClientTcp::connect_and_send(const net::Address& server, std::string text) {
    connector_.connect(server, [this, text = std::move(text)](
                                   looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
        if (!made) lesson::fail(made.error());
        connection_ = std::move(*made);
        connection_->on(events::data, [this](net::ByteBuffer& input) {
            reply_ += input.take(input.size());
        });
        must(connection_->start());
        connection_->send(text);
    });
}

}  // namespace udp_lesson
