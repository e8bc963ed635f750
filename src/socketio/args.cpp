// looplab/socketio/args.cpp — Args' forgiving index, and the pool of event arrays.
#include "looplab/socketio/args.hpp"

namespace looplab::socketio {

const json::Value& Args::operator[](std::size_t index) const {
    // The peer decides how many arguments arrive: a missing one reads as null, not a crash.
    static const json::Value kMissing;
    return index < values_.size() ? values_[index] : kMissing;
}

namespace detail {

json::Array ArrayPool::take() {
    if (free_.empty()) return {};
    json::Array array = std::move(free_.back());
    free_.pop_back();
    return array;
}

void ArrayPool::give_back(json::Array&& array) {
    if (array.capacity() == 0 || free_.size() >= kSioPooledArrays ||
        array.capacity() > kSioPooledArrayMaxCapacity)
        return;   // nothing worth keeping, or enough kept
    array.clear();
    free_.push_back(std::move(array));
}

}   // namespace detail
}   // namespace looplab::socketio
