// looplab/poller/backends.hpp
//
// The factories of the three backends, for make_poller(). Most code never includes this: it
// asks make_poller() by name. A backend exists only where its kernel API does.
#pragma once

#include "looplab/poller/poller.hpp"

#if defined(__linux__)
#define LOOPLAB_HAS_EPOLL 1
#else
#define LOOPLAB_HAS_EPOLL 0
#endif

#if __has_include(<sys/event.h>)
#define LOOPLAB_HAS_KQUEUE 1
#else
#define LOOPLAB_HAS_KQUEUE 0
#endif

namespace looplab::poller {

Result<std::unique_ptr<Poller>> make_poll_poller();
#if LOOPLAB_HAS_EPOLL
Result<std::unique_ptr<Poller>> make_epoll_poller();
#endif
#if LOOPLAB_HAS_KQUEUE
Result<std::unique_ptr<Poller>> make_kqueue_poller();
#endif

}   // namespace looplab::poller
