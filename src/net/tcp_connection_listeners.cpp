// TcpConnection, the two ways to listen (see tcp_connection.hpp): one TcpHandler object for
// every event, or the single-slot on_...() functions, kept in a FunctionListeners handler that
// lives until the loop's close phase (a lambda may outlive the erasing of its connection).
#include "looplab/net/tcp_connection.hpp"

namespace looplab::net {

// ---- the two ways to listen ----------------------------------------------------------------

void TcpHandler::on_data(TcpConnection& /*connection*/, ByteBuffer& input) { input.clear(); }

void TcpConnection::set_handler(TcpHandler& handler) {
    // The functions it replaces may be running right now (a WebSocket taking over from the
    // HTTP server's on_data).
    retire_functions();
    handler_ = &handler;
}

// Frees the function listeners, but never under a running one (LifetimeFlag::retire).
void TcpConnection::retire_functions() { lifetime_.retire(loop_, std::move(functions_)); }

TcpConnection::FunctionListeners& TcpConnection::functions() {
    if (!functions_) {
        // Silently replacing the handler would leave its owner deaf (a WebSocket would stop
        // hearing its bytes): a bug to report, not to guess around.
        LOOPLAB_ASSERT(handler_ == nullptr,
                       "on_...() on a TcpConnection whose events go to a set_handler() handler");
        functions_ = std::make_unique<FunctionListeners>();
        handler_ = functions_.get();
    }
    return *functions_;
}

void TcpConnection::FunctionListeners::on_data(TcpConnection& /*connection*/, ByteBuffer& input) {
    if (data) data(input);
    else input.clear();
}
void TcpConnection::FunctionListeners::on_end(TcpConnection&) {
    if (end) end();
}
void TcpConnection::FunctionListeners::on_error(TcpConnection&, const Error& failure) {
    if (error) error(failure);
}
void TcpConnection::FunctionListeners::on_close(TcpConnection&) {
    if (close) close();
}
void TcpConnection::FunctionListeners::on_high_watermark(TcpConnection&, std::size_t pending) {
    if (high_watermark) high_watermark(pending);
}
void TcpConnection::FunctionListeners::on_drain(TcpConnection&) {
    if (drain) drain();
}

}   // namespace looplab::net
