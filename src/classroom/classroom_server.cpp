#include "looplab/classroom/classroom_server.hpp"

#include "looplab/trace/sinks.hpp"

namespace looplab::classroom {
namespace {

std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 3);
    for (const std::uint8_t byte : bytes) {
        if (!out.empty()) out += ' ';
        out += fmt::format("{:02x}", byte);
    }
    return out;
}

// The longest prefix of `text` (at most `limit` bytes) that does not cut a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

}  // namespace

std::string frame_to_json(std::string_view path, std::uint64_t client, const ws::FrameInfo& frame) {
    const ws::FrameHeader& header = frame.header;
    const std::string_view shown = frame.payload.substr(0, kInspectorPayloadBytes);
    const bool is_truncated = frame.payload.size() > kInspectorPayloadBytes;
    std::string mask_key;
    if (header.masked) mask_key = fmt::format("{:02x}", fmt::join(header.masking_key, ""));
    std::string json = fmt::format(
        "{{\"endpoint\":\"{}\",\"client\":{},\"fin\":{},\"rsv\":{},\"opcode\":{},"
        "\"opcode_name\":\"{}\",\"masked\":{},\"mask_key\":\"{}\",\"payload_length\":{},"
        "\"header_hex\":\"{}\",\"payload_hex\":\"{}\"",
        trace::json_escape(path), client, header.fin,
        (header.rsv1 ? 4 : 0) | (header.rsv2 ? 2 : 0) | (header.rsv3 ? 1 : 0),
        static_cast<unsigned>(header.opcode), fmt::format("{}", header.opcode), header.masked,
        mask_key, header.payload_length, to_hex(frame.header_bytes),
        to_hex({reinterpret_cast<const std::uint8_t*>(shown.data()), shown.size()}));
    // Text only where the bytes are text: a text frame, or a close frame's reason.
    if (header.opcode == ws::Opcode::Text || header.opcode == ws::Opcode::Continuation ||
        header.opcode == ws::Opcode::Ping || header.opcode == ws::Opcode::Pong)
        json += fmt::format(",\"payload_text\":\"{}\"",
                            trace::json_escape(utf8_prefix(frame.payload, kInspectorPayloadBytes)));
    if (is_truncated) json += ",\"truncated\":true";
    json += '}';
    return json;
}

ClassroomServer::ClassroomServer(loop::EventLoop& loop, ClassroomOptions options)
    : loop_(loop), options_(std::move(options)), http_(loop, [&] {
          http::ServerOptions http_options = options_.http;
          http_options.static_root = options_.web_root;
          return http_options;
      }()) {
    http_.on_upgrade([this](const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                            std::string leftover) {
        upgrade(request, std::move(tcp), std::move(leftover));
    });
}

ClassroomServer::~ClassroomServer() = default;

Status ClassroomServer::listen(const net::Address& where) { return http_.listen(where); }

void ClassroomServer::upgrade(const http::Request& request,
                              std::unique_ptr<net::TcpConnection> tcp, std::string leftover) {
    const std::string path{request.path()};
    Endpoint endpoint;
    if (path == "/" || path == "/echo") {
        endpoint = Endpoint::Echo;
    } else if (path == "/chat") {
        endpoint = Endpoint::Chat;
    } else if (path == "/inspect") {
        endpoint = Endpoint::Inspect;
    } else {
        tcp->send(http::Response::error(404).set_header("Connection", "close").to_bytes());
        closing_.close(std::move(tcp));
        return;
    }
    ws::HandshakePolicy policy;
    policy.allowed_origins = options_.allowed_origins;
    auto connection = ws::accept_upgrade(loop_, request, std::move(tcp), std::move(leftover),
                                         policy, options_.web_socket, &closing_);
    if (!connection) return;   // refused; the HTTP answer was sent

    const std::uint64_t id = next_id_++;
    Client& client = clients_[id] = Client{id, endpoint, path, std::move(connection)};
    ws::WebSocket& socket = client.connection->socket();
    socket.on_message = [this, &client](const ws::Message& message) { on_message(client, message); };
    socket.on_close = [this, id](const ws::CloseInfo&) {
        if (clients_.at(id).endpoint == Endpoint::Inspect) --inspector_count_;
        clients_.erase(id);   // allowed in on_close: see WebSocketConnection
    };
    if (endpoint == Endpoint::Inspect) {
        ++inspector_count_;
    } else {
        socket.on_frame = [this, &client](const ws::FrameInfo& frame) {
            if (inspector_count_ > 0) show_in_inspector(client, frame);
        };
    }
    client.connection->start();
}

void ClassroomServer::on_message(Client& client, const ws::Message& message) {
    switch (client.endpoint) {
        case Endpoint::Echo:
            client.connection->socket().send(message);
            break;
        case Endpoint::Chat:
            for (auto& [id, other] : clients_)
                if (other.endpoint == Endpoint::Chat) other.connection->socket().send(message);
            break;
        case Endpoint::Inspect:
            break;   // the inspector only listens
    }
}

void ClassroomServer::show_in_inspector(const Client& client, const ws::FrameInfo& frame) {
    const std::string json = frame_to_json(client.path, client.id, frame);
    for (auto& [id, other] : clients_)
        if (other.endpoint == Endpoint::Inspect) other.connection->socket().send_text(json);
}

void ClassroomServer::shut_down() {
    http_.close();
    for (auto& [id, client] : clients_)
        client.connection->socket().close(ws::CloseCode::GoingAway, "server shutting down");
}

}  // namespace looplab::classroom
