// The bounded hand-over of trace events; see looplab/trace/event_channel.hpp.
#include "looplab/trace/event_channel.hpp"

#include "looplab/trace/event_schema.hpp"

namespace looplab::trace {

bool EventChannel::publish(std::string_view kind, std::string_view fields) {
    const auto t = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start_)
                       .count();
    const std::lock_guard lock{mutex_};
    const std::uint64_t seq = ++seq_;
    if (waiting_.size() >= capacity_) {
        ++dropped_;
    } else {
        waiting_.push_back(event_json(seq, t, kind, fields));
    }
    if (wake_pending_) return false;
    wake_pending_ = true;
    return true;
}

EventChannel::Batch EventChannel::take() {
    Batch batch;
    const std::lock_guard lock{mutex_};
    batch.events.swap(waiting_);
    batch.dropped = dropped_;
    wake_pending_ = false;
    return batch;
}

std::uint64_t EventChannel::dropped() const {
    const std::lock_guard lock{mutex_};
    return dropped_;
}

}   // namespace looplab::trace
