// looplab/engineio/request_check.hpp
//
// Reading and checking an Engine.IO request before anything else happens: the query
// parameters it must carry and the order in which the reference server refuses it.
//
//     GET /engine.io/?EIO=4&transport=polling&t=N8hyd6w            a handshake (no sid)
//     GET /engine.io/?EIO=4&transport=polling&sid=lv_VI97HAXpY6yYWAAAC   a poll
//     GET /engine.io/?EIO=4&transport=websocket&sid=...  (Upgrade)  an upgrade
//
// Checks, in the reference order (engine.io server.ts verify() then handshake()):
//   1. transport is "polling" or "websocket" and enabled            else 0 Transport unknown
//   2. Origin, when sent, has no control characters                 else 3 Bad request
//   3. with sid: the session exists                                 else 1 Session ID unknown
//                and uses this transport (or this is an upgrade)   else 3 Bad request
//   4. without sid (a handshake): GET                               else 2 Bad handshake method
//                a WebSocket only through an Upgrade request        else 3 Bad request
//                EIO=4 (missing or another value counts as v3)      else 5 Unsupported protocol
//                version
// The client's cache-buster `t` and any other parameter are ignored.
// Contract: pure functions.
#pragma once

#include "looplab/engineio/errors.hpp"
#include "looplab/engineio/session.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace looplab::engineio {

// The parameters Engine.IO reads from the query (decoded); nullopt when absent. A parameter
// given twice counts with its first value.
struct EngineQuery {
    std::optional<std::string> eio;
    std::optional<std::string> transport;
    std::optional<std::string> sid;
};
EngineQuery read_engine_query(std::string_view target);

// "polling" / "websocket" → the transport; anything else → nullopt.
std::optional<TransportKind> transport_from_name(std::string_view name);

// What check_request needs to know besides the request.
struct RequestContext {
    bool allow_polling = true;
    bool allow_websocket = true;
    bool is_upgrade = false;   // the request asks for a WebSocket (Upgrade: websocket)
    // The transport of the session named by sid; nullopt when there is no such session.
    std::optional<TransportKind> session_transport;
};

// nullopt when the request may go on; else the code to refuse it with.
std::optional<ErrorCode> check_request(const EngineQuery& query, std::string_view method,
                                       std::optional<std::string_view> origin,
                                       const RequestContext& context);

// True when `value` holds a character a header value may not (the reference
// checkInvalidHeaderChar: anything but tab, 0x20-0x7e and 0x80-0xff).
bool has_invalid_header_char(std::string_view value);

}   // namespace looplab::engineio
