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
// Cost: ONE word, so that a queued task grows by 8 bytes, not 16: the file's address (a string
// literal, in the program's read-only data) in the low 48 bits and the line in the high 16.
// User-space addresses on 64-bit Linux are below 2^47, and no source file here has 65,536
// lines; a site that does not fit is stored as unknown rather than wrong. Nothing is
// formatted unless a tracer asks.
#pragma once

#include <cstdint>

namespace looplab {

class SourceSite {
public:
    constexpr SourceSite() = default;   // unknown
    SourceSite(const char* file, std::uint32_t line) {
        const auto address = reinterpret_cast<std::uintptr_t>(file);
        if (file != nullptr && line > 0 && line <= kLineMax && (address >> kAddressBits) == 0)
            bits_ = static_cast<std::uint64_t>(address) | (std::uint64_t{line} << kAddressBits);
    }

    // The caller's file and line, when used as a default argument (see above).
    static SourceSite here(const char* file = __builtin_FILE(),
                           std::uint32_t line = __builtin_LINE()) {
        return SourceSite{file, line};
    }

    bool is_known() const { return bits_ != 0 && file()[0] != '\0'; }
    // nullptr and 0 when unknown.
    const char* file() const {
        return reinterpret_cast<const char*>(static_cast<std::uintptr_t>(bits_ & kAddressMask));
    }
    std::uint32_t line() const { return static_cast<std::uint32_t>(bits_ >> kAddressBits); }

private:
    static constexpr int kAddressBits = 48;
    static constexpr std::uint64_t kAddressMask = (std::uint64_t{1} << kAddressBits) - 1;
    static constexpr std::uint32_t kLineMax = 0xffff;

    std::uint64_t bits_ = 0;
};

}   // namespace looplab
