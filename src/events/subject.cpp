#include "looplab/events/subject.hpp"

#include <algorithm>

namespace looplab::events {

void Subject::attach(Observer& observer) {
    if (std::find(observers_.begin(), observers_.end(), &observer) != observers_.end()) return;
    observers_.push_back(&observer);
}

void Subject::detach(Observer& observer) {
    const auto found = std::find(observers_.begin(), observers_.end(), &observer);
    if (found == observers_.end()) return;
    if (notify_depth_ > 0)
        *found = nullptr;   // a notify() is walking the list: leave a hole, don't shift it
    else observers_.erase(found);
}

void Subject::notify() {
    ++notify_depth_;
    try {
        // Observers attached from inside update() land after `count`: the next notify() has them.
        const std::size_t count = observers_.size();
        for (std::size_t i = 0; i < count; ++i)
            if (Observer* observer = observers_[i]) observer->update(*this);
    } catch (...) {
        end_notify();   // an update() threw: tidy up, then let the exception carry on
        throw;
    }
    end_notify();
}

std::size_t Subject::observer_count() const {
    return observers_.size() -
           static_cast<std::size_t>(std::count(observers_.begin(), observers_.end(), nullptr));
}

void Subject::end_notify() {
    if (--notify_depth_ > 0) return;   // an outer notify() is still walking the list
    observers_.erase(std::remove(observers_.begin(), observers_.end(), nullptr), observers_.end());
}

}   // namespace looplab::events
