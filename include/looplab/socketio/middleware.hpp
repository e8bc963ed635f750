// looplab/socketio/middleware.hpp
//
// Middleware — functions that run before something is let through, each deciding "go on"
// (next()) or "stop here" (next(error)). Two kinds, as in socket.io:
//
//   namespace middleware, before a socket joins a namespace (authentication):
//       io.use([](socketio::Socket& s, socketio::Next next) {
//           if (s.auth().find("token")) return next();
//           next({.message = "not authorized", .data = json::Value::object({{"code", 401}})});
//       });
//   the peer receives CONNECT_ERROR `44{"message":"not authorized","data":{"code":401}}`.
//
//   socket middleware, before each incoming event reaches the listeners:
//       s.use([](std::string_view event, const socketio::Args&, socketio::Next next) {
//           if (event == "admin") return next({.message = "forbidden"});
//           next();
//       });
//   a refused event is not dispatched; the socket emits "error" with [{"message":...,
//   "data":...}] (or logs one line when nobody listens to "error").
//
// next may be called later (after a database lookup, say): middlewares run in the order they
// were added, each when the previous one called next(). Only the first call of a Next (or of
// any copy of it) counts; a call after the socket has gone does nothing.
// Teaches: lesson 18 (a chain of listeners that may say no).
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/socketio/args.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace looplab::socketio {

class Socket;

// What next(error) carries to the peer (CONNECT_ERROR's payload {"message", "data"}).
struct MiddlewareError {
    std::string message;
    json::Value data{};   // null: no "data" key is sent (may be left out: {.message = "..."})
};

class Next {
public:
    using Resume = std::function<void(std::optional<MiddlewareError> error)>;

    explicit Next(Resume resume);

    void operator()() const;                        // go on
    void operator()(MiddlewareError error) const;   // stop, with this error

private:
    struct State {
        Resume resume;
        bool is_called = false;
    };
    std::shared_ptr<State> state_;   // shared by copies: the first call wins
};

using Middleware = std::function<void(Socket& socket, Next next)>;
using PacketMiddleware = std::function<void(std::string_view event, const Args& args, Next next)>;

}   // namespace looplab::socketio
