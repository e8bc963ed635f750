// looplab/socketio/server_engine.cpp — the Engine.IO server under a Socket.IO server, made on
// first use. Apart from server.cpp so that only programs that serve HTTP link the engine.
#include "looplab/socketio/server.hpp"

#include <memory>

namespace looplab::socketio {

engineio::Server& Server::engine() {
    struct Holder final : EngineHolder {
        Holder(loop::EventLoop& loop, const engineio::ServerOptions& options)
            : engine(loop, options) {}
        engineio::Server& get() override { return engine; }
        engineio::Server engine;
    };
    if (!engine_) {
        engineio::ServerOptions options = options_.engine;
        if (!options.log) options.log = options_.log;   // one place for every protocol log line
        auto made = std::make_unique<Holder>(loop_, options);
        made->engine.set_listener(engine_listener());
        engine_ = std::move(made);
    }
    return engine_->get();
}

void Server::attach(http::Server& http) { engine().attach(http); }

}   // namespace looplab::socketio
