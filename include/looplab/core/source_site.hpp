// looplab/core/source_site.hpp
//
// SourceSite — the file and line of the code that scheduled a callback (post_soon,
// set_timeout, watch...), so that the live view (--watch) can say, for every callback it
// shows, "this was posted at lessons/07-event-queue/ordering_puzzle.cpp:29".
//
// How it is filled in: a function that schedules takes `SourceSite site = SourceSite::here()`
// as its last parameter. A default argument is evaluated where the function is CALLED, and so
// are the compiler builtins __builtin_FILE() and __builtin_LINE() in here()'s own default
// arguments: the caller's file and line arrive without the caller writing anything.
// (std::source_location would do the same, but clang 14 with libstdc++ 12 cannot compile it;
// both g++ 12 and clang 14 have the builtins.)
//
// The file is the path the compiler was given: relative to the repository root when built by
// the Makefile ("lessons/07-event-queue/ordering_puzzle.cpp", "include/looplab/net/...").
//
// Cost: two words (a pointer to a string literal the compiler already has, and a number),
// copied along with a task; nothing is formatted unless a tracer asks.
#pragma once

#include <cstdint>

namespace looplab {

struct SourceSite {
    const char* file = nullptr;   // a string literal: lives as long as the program
    std::uint32_t line = 0;

    // The caller's file and line, when used as a default argument (see above).
    static constexpr SourceSite here(const char* file = __builtin_FILE(),
                                     std::uint32_t line = __builtin_LINE()) {
        return SourceSite{file, line};
    }

    constexpr bool is_known() const { return file != nullptr && file[0] != '\0' && line != 0; }
};

}  // namespace looplab
