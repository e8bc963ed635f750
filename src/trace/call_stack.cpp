#include "looplab/trace/call_stack.hpp"

namespace looplab::trace {

CallStack& CallStack::current() {
    // Per thread on purpose: each thread runs its own code, so it has its own stack.
    thread_local CallStack stack;
    return stack;
}

void CallStack::push(std::string_view name, std::string detail, SourceSite site) {
    frames_.push_back(Frame{name, std::move(detail), site});
    if (sink_) sink_->push(frames_.back(), frames_.size() - 1);
}

void CallStack::pop() {
    if (frames_.empty()) return;
    if (sink_) sink_->pop(frames_.back(), frames_.size() - 1);
    frames_.pop_back();
}

void CallStack::note(std::string_view stable, std::string_view live) {
    if (sink_) sink_->note(stable, live, frames_.size());
}

void CallStack::turn(std::uint64_t number) {
    if (sink_) sink_->turn(number);
}

void CallStack::save_for_throw() {
    // The innermost scope unwinds first and sees the whole stack; outer scopes must not
    // overwrite that picture with a shorter one.
    if (at_throw_.empty()) at_throw_ = frames_;
}

std::string format_stack(const std::vector<Frame>& frames) {
    std::string out;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const Frame& frame = frames[i];
        out += fmt::format("  {}. {}{}{}\n", i + 1, frame.name, frame.detail.empty() ? "" : " ",
                           frame.detail);
    }
    if (frames.empty()) out = "  (empty: the loop itself)\n";
    return out;
}

}   // namespace looplab::trace
