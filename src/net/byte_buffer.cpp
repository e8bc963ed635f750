#include "looplab/net/byte_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace looplab::net {

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
    if (this == &other) return *this;
    storage_ = std::move(other.storage_);
    capacity_ = std::exchange(other.capacity_, 0);
    read_pos_ = std::exchange(other.read_pos_, 0);
    write_pos_ = std::exchange(other.write_pos_, 0);
    return *this;
}

std::string ByteBuffer::take(std::size_t count) {
    LOOPLAB_ASSERT(count <= size(), "take() of more bytes than are unread; check size()");
    std::string out{readable_text().substr(0, count)};
    consume(count);
    return out;
}

void ByteBuffer::release() {
    storage_.reset();
    capacity_ = read_pos_ = write_pos_ = 0;
}

// Slide the unread bytes back to 0 if that frees enough space; otherwise move them into an
// array at least twice as large, so appending n bytes one by one costs O(n) overall.
void ByteBuffer::make_room(std::size_t count) {
    const std::size_t unread = size();
    if (capacity_ - unread >= count) {
        std::memmove(storage_.get(), storage_.get() + read_pos_, unread);
    } else {
        const std::size_t new_capacity =
            std::max({capacity_ * 2, unread + count, kSmallestAllocation});
        auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(new_capacity);
        if (unread > 0) std::memcpy(bigger.get(), storage_.get() + read_pos_, unread);
        storage_ = std::move(bigger);
        capacity_ = new_capacity;
    }
    read_pos_ = 0;
    write_pos_ = unread;
}

}   // namespace looplab::net
