// looplab/trace/event_schema.hpp
//
// The trace event schema, version 1: one JSON object per event, the same for the live view
// (--watch streams them over a WebSocket) and for a --trace-out file ending in ".jsonl" (one
// object per line). notes/watch/README.md documents every kind; this file writes them.
//
//   {"v":1,"seq":12,"t":5321,"k":"push","name":"timer","detail":"#1","depth":0}
//
// Every event has:  v (this version), seq (1, 2, 3... in the order they happened, across
// threads: gaps mean events were dropped), t (microseconds since tracing started), k (kind).
// The kinds and their own members:
//   hello    program, poller, pid            the first event of a stream
//   turn     n                               a loop turn starts
//   note     text, live, depth               a line of the loop ("timers   0 due")
//   push     name, detail, depth             a frame is pushed (a callback starts)
//   pop      name, depth                     the frame at `depth` is popped
//   state    phase, turn, poller, soon, next, closes, timers[{id,in_ms,repeats}],
//            fds[{fd,label,read,write,ready,keeps_alive}], timers_total, fds_total
//                                            the loop's picture (lists capped, totals not)
//   gate     mode, step, waiting, speed_ms, stops       the watch controls (step_gate.hpp):
//            mode "running"|"paused"; step "none"|"callback"|"frame"|"turn"; waiting: the
//            program is stopped at the gate right now; stops: how often it has stopped
//   dropped  where, count                    events lost to a full buffer, in total
//   end      reason                          the program is done; nothing follows
//
// Events a watch server adds for one page only (what that page missed, the gate as it is when
// the page opens) have seq 0: they are not part of the program's numbered stream.
//
// A reader must ignore members and kinds it does not know (a later version may add some),
// and must refuse a "v" it does not know.
//
// Contract: pure functions; strings are escaped here (any bytes in a frame's detail are safe).
#pragma once

#include "looplab/trace/call_stack.hpp"
#include "looplab/trace/loop_state.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace looplab::trace {

inline constexpr int kTraceSchemaVersion = 1;

// The whole event: {"v":1,"seq":..,"t":..,"k":"kind"<fields>}. `fields` is what the *_fields
// functions below return: empty, or members each starting with a comma.
std::string event_json(std::uint64_t seq, std::int64_t t_us, std::string_view kind,
                       std::string_view fields);

std::string hello_fields(std::string_view program, std::string_view poller, long pid);
std::string turn_fields(std::uint64_t number);
std::string note_fields(std::string_view text, std::string_view live, std::size_t depth);
std::string push_fields(const Frame& frame, std::size_t depth);
std::string pop_fields(const Frame& frame, std::size_t depth);
std::string state_fields(const LoopState& state);
std::string dropped_fields(std::string_view where, std::uint64_t count);
std::string end_fields(std::string_view reason);
std::string gate_fields(std::string_view mode, std::string_view step, bool waiting,
                        std::int64_t speed_ms, std::uint64_t stops);

}   // namespace looplab::trace
