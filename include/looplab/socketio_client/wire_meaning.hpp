// looplab/socketio_client/wire_meaning.hpp
//
// describe_packet() — one Engine.IO packet, as the wire hook (Manager::on_wire) hands it over,
// told in words: what lesson 18 prints next to each packet, and what a chat's wire panel shows.
//
//     0{"sid":"Xy..","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
//                                  open: session Xy.., ping every 25000 ms, pong within 20000 ms
//     2                            ping: is the client still there?
//     40{"token":"abc"}            CONNECT to / with auth {"token":"abc"}
//     40{"sid":"Qm.."}             CONNECT to / accepted: socket id Qm..
//     42["chat","hi"]              EVENT "chat" on / with 1 argument
//     421["ask","q"]               EVENT "ask" on / with 1 argument, asks for ack 1
//     431["yes"]                   ACK 1 on / with 1 argument
//     451-["up",{"_placeholder":true,"num":0}]
//                                  EVENT "up" on / with 1 argument, 1 binary attachment follows
//     <3 bytes, binary frame>      binary attachment: 3 bytes
//     44/admin,{"message":"no"}    CONNECT_ERROR on /admin: no
//     41                           DISCONNECT from /
//
// It reuses the codecs (engineio::decode_text_packet, socketio::decode_text): a packet they
// refuse is described as such ("not a Socket.IO packet: ..."), never a crash.
// Contract: pure function.
#pragma once

#include <string>
#include <string_view>

namespace looplab::socketio_client {

std::string describe_packet(std::string_view packet, bool is_binary);

}   // namespace looplab::socketio_client
