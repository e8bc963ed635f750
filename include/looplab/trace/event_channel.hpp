// looplab/trace/event_channel.hpp
//
// EventChannel — the bounded hand-over of trace events from the program's thread to the
// watch server's thread. publish() stamps each event with its seq (event_schema.hpp) and
// keeps it; take() hands over everything kept so far. When kWatchQueueMax events wait (the
// server's thread is starved, the program runs flat out), new events are dropped and counted
// rather than kept: the program never blocks and never grows without bound because of a view.
// Their seq numbers are used anyway, so a reader sees the gap.
//
// Contract: any thread. publish() returns true when the reader must be woken (the first event
// since the last take()), so the server's loop is woken once per batch, not once per event.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::trace {

// Events that may wait for the watch server's thread; more are dropped (and counted).
inline constexpr std::size_t kWatchQueueMax = 16384;

class EventChannel {
public:
    explicit EventChannel(std::size_t capacity = kWatchQueueMax) : capacity_(capacity) {}

    // `fields` as the *_fields functions of event_schema.hpp return them.
    bool publish(std::string_view kind, std::string_view fields);

    struct Batch {
        std::vector<std::string> events;   // complete JSON objects, in seq order
        std::uint64_t dropped = 0;         // dropped since the channel was made (a total)
    };
    Batch take();

    std::uint64_t dropped() const;

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::vector<std::string> waiting_;
    std::uint64_t seq_ = 0;
    std::uint64_t dropped_ = 0;
    bool wake_pending_ = false;
    const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}   // namespace looplab::trace
