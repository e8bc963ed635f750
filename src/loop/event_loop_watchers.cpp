// The loop's table of event handlers on fds: watch(), change(), forget(). One slot per fd
// number, each with a generation, so that a record for a closed fd is never delivered to a
// new socket that got the same number (dispatch_ready() in event_loop.cpp checks it).
#include "looplab/loop/event_loop.hpp"

namespace looplab::loop {

EventLoop::Watcher& EventLoop::watcher_slot(int fd) {
    LOOPLAB_ASSERT(fd >= 0, "watch() of a negative fd; did socket() or accept() fail?");
    const auto index = static_cast<std::size_t>(fd);
    if (index >= watchers_.size()) watchers_.resize(index + 1);
    if (!watchers_[index]) watchers_[index] = std::make_unique<Watcher>();
    return *watchers_[index];
}

Status EventLoop::watch(int fd, Interest interest, IoHandler handler, std::string label,
                        SourceSite site) {
    LOOPLAB_ASSERT(in_loop_thread(), "watch() called from another thread; use post_next()");
    Watcher& watcher = watcher_slot(fd);
    LOOPLAB_ASSERT(watcher.generation == 0, "fd watched twice; use change() instead");
    if (auto added = poller_->watch(fd, interest); !added) return added;
    if (watcher.handler) retired_handlers_.push_back(std::move(watcher.handler));
    watcher.handler = std::move(handler);
    watcher.interest = interest;
    watcher.label = std::move(label);
    watcher.generation = next_generation_++;
    watcher.keeps_alive = true;
    watcher.site = site;
    watcher.socket = nullptr;
    watcher.describe = nullptr;
    ++live_watchers_;
    return Ok{};
}

void EventLoop::watch_internal(int fd, IoHandler handler, std::string label) {
    auto watched = watch(fd, Interest::read(), std::move(handler), std::move(label));
    LOOPLAB_ASSERT(watched.has_value(), "the loop could not watch its own wake-up/signal fd");
    set_keeps_alive(fd, false);
}

void EventLoop::change(int fd, Interest interest) {
    LOOPLAB_ASSERT(in_loop_thread(), "change() called from another thread; use post_next()");
    LOOPLAB_ASSERT(is_watching(fd), "change() of an fd that is not watched; watch() it first");
    Watcher& watcher = *watchers_[static_cast<std::size_t>(fd)];
    if (watcher.interest == interest) return;   // nothing to tell the kernel
    auto changed = poller_->change(fd, interest);
    LOOPLAB_ASSERT(changed.has_value(), "the poller refused to change a watched fd");
    watcher.interest = interest;
}

void EventLoop::forget(int fd) {
    LOOPLAB_ASSERT(in_loop_thread(), "forget() called from another thread; use post_next()");
    if (!is_watching(fd)) return;
    Watcher& watcher = *watchers_[static_cast<std::size_t>(fd)];
    poller_->forget(fd);
    if (watcher.keeps_alive) --live_watchers_;
    watcher.generation = 0;
    watcher.socket = nullptr;   // its owner may be gone by the next picture
    watcher.describe = nullptr;
    // The handler may be the one running right now (a handler that forgets its own fd), so
    // it is destroyed in phase 4, not here.
    retired_handlers_.push_back(std::move(watcher.handler));
    watcher.handler = nullptr;
}

void EventLoop::describe_socket(int fd, const void* owner, trace::DescribeSocket describe) {
    LOOPLAB_ASSERT(is_watching(fd), "describe_socket() of an fd that is not watched");
    Watcher& watcher = *watchers_[static_cast<std::size_t>(fd)];
    watcher.socket = owner;
    watcher.describe = describe;
}

bool EventLoop::is_watching(int fd) const {
    const auto index = static_cast<std::size_t>(fd);
    return fd >= 0 && index < watchers_.size() && watchers_[index] &&
           watchers_[index]->generation != 0;
}

void EventLoop::set_keeps_alive(int fd, bool keeps_alive) {
    LOOPLAB_ASSERT(is_watching(fd), "set_keeps_alive() of an fd that is not watched");
    Watcher& watcher = *watchers_[static_cast<std::size_t>(fd)];
    if (watcher.keeps_alive == keeps_alive) return;
    watcher.keeps_alive = keeps_alive;
    keeps_alive ? ++live_watchers_ : --live_watchers_;
}

}   // namespace looplab::loop
