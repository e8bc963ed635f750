#include "looplab/poller/poller.hpp"

#include "looplab/poller/backends.hpp"

#include <cstdlib>

namespace looplab::poller {

std::vector<std::string> available_pollers() {
    std::vector<std::string> names;
#if LOOPLAB_HAS_EPOLL
    names.emplace_back("epoll");
#endif
#if LOOPLAB_HAS_KQUEUE
    names.emplace_back("kqueue");
#endif
    names.emplace_back("poll");
    return names;
}

Result<std::unique_ptr<Poller>> make_poller(std::string_view name) {
    // Kept here, not in a temporary: `name` may point into it below.
    const std::string best = available_pollers().front();
    if (name.empty()) {
        const char* from_environment = std::getenv("LOOPLAB_POLLER");
        name = (from_environment && *from_environment) ? std::string_view{from_environment}
                                                       : std::string_view{best};
    }
#if LOOPLAB_HAS_EPOLL
    if (name == "epoll") return make_epoll_poller();
#endif
#if LOOPLAB_HAS_KQUEUE
    if (name == "kqueue") return make_kqueue_poller();
#endif
    if (name == "poll") return make_poll_poller();

    std::string known;
    for (const std::string& available : available_pollers())
        known += (known.empty() ? "" : ", ") + available;
    return Error::because(fmt::format("unknown poller '{}' (available here: {})", name, known));
}

}   // namespace looplab::poller
