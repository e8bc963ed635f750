// TcpConnection, the two ways to listen (see tcp_connection.hpp): one TcpObserver object for
// every event, or listeners added with on()/once(), kept in a ListenersObserver that lives
// until the loop's close phase (a lambda may outlive the erasing of its connection).
#include "looplab/net/tcp_connection.hpp"

namespace looplab::net {

void TcpObserver::on_data(TcpConnection& /*connection*/, ByteBuffer& input) { input.clear(); }

void TcpConnection::set_observer(TcpObserver& observer) {
    // The listeners it replaces may be running right now (a WebSocket taking over from the
    // HTTP server's data listener).
    retire_listeners();
    observer_ = &observer;
}

// Silences the listeners and frees them, but never under a running one (LifetimeFlag::retire).
void TcpConnection::retire_listeners() {
    if (listeners_) listeners_->listeners.silence();
    lifetime_.retire(loop_, std::move(listeners_));
}

TcpConnection::Listeners& TcpConnection::listeners() {
    if (!listeners_) {
        // Silently replacing the observer would leave its owner deaf (a WebSocket would stop
        // hearing its bytes): a bug to report, not to guess around.
        LOOPLAB_ASSERT(observer_ == nullptr,
                       "on() on a TcpConnection whose events go to a set_observer() observer");
        listeners_ = std::make_unique<ListenersObserver>();
        observer_ = listeners_.get();
    }
    return listeners_->listeners;
}

void TcpConnection::ListenersObserver::on_data(TcpConnection& /*connection*/, ByteBuffer& input) {
    // With no listener that ran, nobody could have destroyed the connection, and `input` lives.
    if (listeners.emit(events::data, input) == 0) input.clear();
}
void TcpConnection::ListenersObserver::on_end(TcpConnection&) { listeners.emit(events::end); }
void TcpConnection::ListenersObserver::on_error(TcpConnection&, const Error& failure) {
    listeners.emit(events::error, failure);
}
void TcpConnection::ListenersObserver::on_close(TcpConnection&) { listeners.emit(events::close); }
void TcpConnection::ListenersObserver::on_high_watermark(TcpConnection&, std::size_t pending) {
    listeners.emit(events::high_watermark, pending);
}
void TcpConnection::ListenersObserver::on_drain(TcpConnection&) { listeners.emit(events::drain); }

}   // namespace looplab::net
