#include "looplab/net/byte_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace looplab::net {

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
    if (this == &other) return *this;
    storage_ = std::move(other.storage_);
    data_ = std::exchange(other.data_, nullptr);
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
    data_ = nullptr;
    capacity_ = read_pos_ = write_pos_ = 0;
}

// Slide the unread bytes back to 0 if that frees enough space; otherwise move them into an
// array at least twice as large, so appending n bytes one by one costs O(n) overall.
void ByteBuffer::make_room(std::size_t count) {
    const std::size_t unread = size();
    if (capacity_ - unread >= count) {
        std::memmove(data_, data_ + read_pos_, unread);
    } else {
        const std::size_t new_capacity =
            std::max({capacity_ * 2, unread + count, kBufferSmallestAllocation});
        auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(new_capacity);
        if (unread > 0) std::memcpy(bigger.get(), data_ + read_pos_, unread);
        storage_ = std::move(bigger);   // lent memory, if any, is simply no longer used
        data_ = storage_.get();
        capacity_ = new_capacity;
    }
    read_pos_ = 0;
    write_pos_ = unread;
}

void ByteBuffer::lend(std::span<std::uint8_t> memory, std::size_t filled) {
    LOOPLAB_ASSERT(capacity_ == 0, "lend() to a ByteBuffer that has memory of its own");
    LOOPLAB_ASSERT(filled <= memory.size(), "lend(): more bytes filled than the memory holds");
    data_ = memory.data();
    capacity_ = memory.size();
    read_pos_ = 0;
    write_pos_ = filled;
}

void ByteBuffer::keep_unread() {
    if (!is_borrowing()) return;
    const std::size_t unread = size();
    if (unread == 0) {
        release();   // the usual case: everything was used, nothing to keep
        return;
    }
    const std::size_t new_capacity = std::max(unread, kBufferSmallestAllocation);
    auto own = std::make_unique_for_overwrite<std::uint8_t[]>(new_capacity);
    std::memcpy(own.get(), data_ + read_pos_, unread);
    storage_ = std::move(own);
    data_ = storage_.get();
    capacity_ = new_capacity;
    read_pos_ = 0;
    write_pos_ = unread;
}

}   // namespace looplab::net
