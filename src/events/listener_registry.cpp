#include "looplab/events/listener_registry.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace looplab::events {

void print_warning_to_stderr(std::string_view warning) { fmt::print(stderr, "{}\n", warning); }

namespace detail {

std::string max_listeners_warning(std::string_view event, std::size_t count, std::size_t max) {
    // Node's wording, so a student can search for it; only the method name is ours.
    return fmt::format(
        "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. {} {} listeners "
        "added to [EventEmitter]. MaxListeners is {}. Use emitter.set_max_listeners() to "
        "increase limit",
        count, event, max);
}

}   // namespace detail
}   // namespace looplab::events
