#include "looplab/core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace looplab::detail {

void assertion_failed(const char* condition, const char* how_to_fix, const char* file, int line) {
    std::fprintf(stderr, "looplab: broken rule at %s:%d: %s\n  (%s)\n", file, line, how_to_fix,
                 condition);
    std::abort();
}

}   // namespace looplab::detail
