// looplab/resp/encoder.hpp
//
// Encoding RESP: the commands a client sends (always an array of bulk strings) and any Reply
// (what a server sends: for tests, fake servers and the fuzzer's round trips).
// Read: PROTOCOLS-redis-store.md §1-§2
//
//     std::string wire;
//     encode_command({"SET", "k", "v"}, wire);   // "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
//
// Contract: pure functions, appending to `out` (so one buffer can collect many commands).
#pragma once

#include "looplab/resp/reply.hpp"

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace looplab::resp {

// `*N\r\n` then each argument as `$len\r\n<bytes>\r\n`. Arguments are binary safe.
void encode_command(std::span<const std::string_view> args, std::string& out);
void encode_command(std::span<const std::string> args, std::string& out);
void encode_command(std::initializer_list<std::string_view> args, std::string& out);

// Writes `reply` in RESP3 (RESP2 types keep their RESP2 form; a Null is `_`). An Error whose
// text holds CR or LF is written as a bulk error `!`, every other one as `-`; a SimpleString
// holding CR or LF is written as a bulk string (it cannot be a simple one). Attributes are
// written before their value.
void encode_reply(const Reply& reply, std::string& out);
std::string encode_reply(const Reply& reply);

}   // namespace looplab::resp
