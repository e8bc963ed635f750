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

}   // namespace

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
    : loop_(loop),
      options_(std::move(options)),
      http_(loop,
            [&] {
                http::ServerOptions http_options = options_.http;
                http_options.static_root = options_.web_root;
                return http_options;
            }()),
      io_(loop, options_.socket_io) {
    http_.take_upgrades_with(
        [this](const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
               std::string leftover) { upgrade(request, std::move(tcp), std::move(leftover)); });
    // After on_upgrade: Socket.IO answers its own path and hands every other upgrade on.
    io_.attach(http_);
}

ClassroomServer::~ClassroomServer() = default;

Status ClassroomServer::listen(const net::Address& where) { return http_.listen(where); }

ClassroomServer::Endpoint* ClassroomServer::find_endpoint(std::string_view path) {
    for (Endpoint* endpoint : {&root_, &echo_, &chat_, &inspect_})
        if (endpoint->path() == path) return endpoint;
    return nullptr;
}

std::size_t ClassroomServer::client_count() const {
    return root_.clients.size() + echo_.clients.size() + chat_.clients.size() +
           inspect_.clients.size();
}

void ClassroomServer::upgrade(const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                              std::string leftover) {
    Endpoint* endpoint = find_endpoint(request.path());
    if (endpoint == nullptr) {
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
    connection->socket().set_tag(id);
    connection->socket().set_observer(*endpoint);
    auto& added = endpoint->clients[id] = std::move(connection);
    added->start();
}

void ClassroomServer::Endpoint::on_message(ws::WebSocket& socket, const ws::Message& message) {
    switch (kind_) {
        case Kind::Echo: socket.send(message); break;
        case Kind::Chat:
            for (auto& [id, member] : clients) member->socket().send(message);
            break;
        case Kind::Inspect: break;   // the inspector only listens
    }
}

void ClassroomServer::Endpoint::on_frame(ws::WebSocket& socket, const ws::FrameInfo& frame) {
    // What inspectors send is not shown, and nothing is formatted for nobody.
    auto& inspectors = server_.inspect_.clients;
    if (kind_ == Kind::Inspect || inspectors.empty()) return;
    const std::string json = frame_to_json(path_, socket.tag(), frame);
    for (auto& [id, inspector] : inspectors) inspector->socket().send_text(json);
}

void ClassroomServer::Endpoint::on_close(ws::WebSocket& socket, const ws::CloseInfo& /*info*/) {
    clients.erase(socket.tag());   // allowed in a close listener: see WebSocketConnection
}

void ClassroomServer::shut_down() {
    http_.close();
    // A restart, not a goodbye: every Socket.IO connection just closes, so the pages see
    // "transport close" and come back by themselves when the server is up again. (io_.close()
    // would send each socket DISCONNECT, "io server disconnect", after which a Socket.IO
    // client does NOT reconnect on its own.)
    io_.engine().close_all();
    for (Endpoint* endpoint : {&root_, &echo_, &chat_, &inspect_})
        for (auto& [id, client] : endpoint->clients)
            client->socket().close(ws::CloseCode::GoingAway, "server shutting down");
}

}   // namespace looplab::classroom
