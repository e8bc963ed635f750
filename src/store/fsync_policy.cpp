// looplab/store/fsync_policy.cpp — the policies' names, for reports.
#include "looplab/store/fsync_policy.hpp"

#include <fmt/format.h>

namespace looplab::store {

std::string describe(const FsyncPolicy& policy) {
    if (std::holds_alternative<Always>(policy)) return "Always";
    if (const auto* every = std::get_if<EveryMillis>(&policy))
        return fmt::format("EveryMillis({})", every->interval.count());
    return "Never";
}

}   // namespace looplab::store
