// looplab/core/assert.hpp
//
// LOOPLAB_ASSERT(condition, "how to fix it") — for bugs in the program, never for bad input.
// A peer that breaks the protocol gets an error code; a caller that breaks our contract (wrong
// thread, fd watched twice) gets this: a message naming the rule, then abort(). It stays on in
// release builds because a broken contract is never safe to ignore.
#pragma once

namespace looplab::detail {
[[noreturn]] void assertion_failed(const char* condition, const char* how_to_fix, const char* file,
                                   int line);
}

#define LOOPLAB_ASSERT(condition, how_to_fix)                                                \
    do {                                                                                     \
        if (!(condition))                                                                    \
            ::looplab::detail::assertion_failed(#condition, how_to_fix, __FILE__, __LINE__); \
    } while (false)
