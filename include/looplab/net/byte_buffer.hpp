// looplab/net/byte_buffer.hpp
//
// ByteBuffer — bytes waiting to be used: what a socket delivered that the program has not
// read yet, or what the program sent that the socket has not taken yet.
// Teaches: TCP is a byte stream (lesson 09): a read returns whatever has arrived, half a
// message or three, so the leftover must wait somewhere for the rest.
// Run: lessons/09-benefit-of-packets   Read: notes/09-benefit-of-packets.md
//
// ByteBuffer keeps bytes in one array with two cursors:
//
//   | already consumed | unread bytes        | free space        |
//   0              read_pos_            write_pos_          capacity()
//
// consume(n) moves read_pos_ right, append()/commit() move write_pos_ right. When the unread
// bytes are all consumed both cursors jump back to 0; when free space runs out, the unread
// bytes slide back to 0 before the array grows.
//
// Reading a socket straight into it, with no copy in between:
//
//     std::span<std::uint8_t> space = buffer.prepare(4096);   // at least 4096 free bytes
//     ssize_t n = ::read(fd, space.data(), space.size());
//     if (n > 0) buffer.commit(n);                             // they are unread bytes now
//
// Contract: not thread-safe. prepare() and append() may move the bytes, so a span or
// string_view from readable() is valid only until the next call that adds bytes.
#pragma once

#include "looplab/core/assert.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace looplab::net {

// The smallest array a buffer allocates: many small appends (a reply's header, then its
// payload, sixteen times) then grow it once or twice instead of at every append.
inline constexpr std::size_t kBufferSmallestAllocation = 2 * 1024;

class ByteBuffer {
public:
    ByteBuffer() = default;
    ByteBuffer(ByteBuffer&& other) noexcept { *this = std::move(other); }
    ByteBuffer& operator=(ByteBuffer&& other) noexcept;   // leaves `other` empty
    ByteBuffer(const ByteBuffer&) = delete;   // copying buffers by accident is a slow bug
    ByteBuffer& operator=(const ByteBuffer&) = delete;

    // ---- the unread bytes ---------------------------------------------------------------------
    std::size_t size() const { return write_pos_ - read_pos_; }
    bool empty() const { return write_pos_ == read_pos_; }
    std::span<const std::uint8_t> readable() const { return {data_ + read_pos_, size()}; }
    std::string_view readable_text() const {
        return {reinterpret_cast<const char*>(data_) + read_pos_, size()};
    }
    // Marks the first `count` unread bytes as used (count <= size()).
    void consume(std::size_t count) {
        LOOPLAB_ASSERT(count <= size(), "consume() of more bytes than are unread; check size()");
        read_pos_ += count;
        // Everything read: start again at 0, so the next bytes need no slide.
        if (read_pos_ == write_pos_) read_pos_ = write_pos_ = 0;
    }
    // Copies out and consumes the first `count` unread bytes (count <= size()).
    std::string take(std::size_t count);
    void clear() { read_pos_ = write_pos_ = 0; }

    // ---- adding bytes -------------------------------------------------------------------------
    // (Inline: a server appends a header and a payload for every message it sends.)
    void append(std::span<const std::uint8_t> bytes) {
        if (bytes.empty()) return;
        if (capacity_ - write_pos_ < bytes.size()) make_room(bytes.size());
        std::memcpy(data_ + write_pos_, bytes.data(), bytes.size());
        write_pos_ += bytes.size();
    }
    void append(std::string_view text) {
        append(std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    }
    // At least `count` bytes of free space (all of it, often more). Fill a prefix, then
    // commit() how many you filled.
    // (Small and inline: the read path calls these for every message.)
    std::span<std::uint8_t> prepare(std::size_t count) {
        if (capacity_ - write_pos_ < count) make_room(count);
        return {data_ + write_pos_, capacity_ - write_pos_};
    }
    void commit(std::size_t count) {   // count <= the free space prepare() returned
        LOOPLAB_ASSERT(count <= capacity_ - write_pos_,
                       "commit() of more bytes than prepare() made room for");
        write_pos_ += count;
    }

    // ---- memory -------------------------------------------------------------------------------
    std::size_t capacity() const { return capacity_; }
    // If nothing is unread and the array is larger than `keep_at_most` bytes, gives the array
    // back to the allocator, so an idle connection does not sit on the memory of its busiest
    // moment. Returns whether it did.
    bool release_if_empty(std::size_t keep_at_most) {
        if (!empty() || capacity_ <= keep_at_most) return false;
        release();
        return true;
    }

    // ---- borrowed memory -----------------------------------------------------------------------
    // Lends the buffer an array the caller owns for a moment (a stack array), of which the
    // first `filled` bytes are unread: a socket is read into it, or replies are gathered in
    // it, with no heap allocation. Only while the buffer has no memory of its own. Before the
    // array goes away, call keep_unread().
    void lend(std::span<std::uint8_t> memory, std::size_t filled = 0);
    // Ends a loan: the bytes still unread (often none) move to memory of the buffer's own.
    // Does nothing for a buffer that is not borrowing.
    void keep_unread();
    bool is_borrowing() const { return data_ != nullptr && data_ != storage_.get(); }

private:
    void make_room(std::size_t count);
    void release();

    std::unique_ptr<std::uint8_t[]> storage_;   // uninitialised: every byte is written before read
    std::uint8_t* data_ = nullptr;              // storage_, or lent memory
    std::size_t capacity_ = 0;
    std::size_t read_pos_ = 0;
    std::size_t write_pos_ = 0;
};

}   // namespace looplab::net
