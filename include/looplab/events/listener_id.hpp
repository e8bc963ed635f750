// looplab/events/listener_id.hpp
//
// ListenerId — the ticket on() and once() hand back, so the listener can be removed later with
// off(id). Node removes a listener by passing the same function object again; C++ lambdas
// cannot be compared, so looplab hands out a number instead.
// Teaches: Listener (lessons/04-listener).
//
// Contract: ids are unique within one emitter and never reused; 0 is never handed out, so it
// can mean "no listener". An id from another emitter means nothing here.
#pragma once

#include <cstdint>

namespace looplab::events {

using ListenerId = std::uint64_t;

inline constexpr ListenerId kNoListener = 0;

}   // namespace looplab::events
