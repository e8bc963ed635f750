// tests/unit/net/byte_buffer_test.cpp — the two cursors, reading in place, and memory use.
#include "looplab/net/byte_buffer.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>

using looplab::net::ByteBuffer;

TEST_CASE("appended bytes are readable until consumed", "[net][buffer]") {
    ByteBuffer buffer;
    CHECK(buffer.empty());
    buffer.append("hello world");
    CHECK(buffer.size() == 11);
    CHECK(buffer.readable_text() == "hello world");
    CHECK(buffer.readable().size() == 11);
    CHECK(buffer.readable()[0] == 'h');

    buffer.consume(6);   // a reader that used one word leaves the rest for later
    CHECK(buffer.readable_text() == "world");
    buffer.append("!");
    CHECK(buffer.readable_text() == "world!");
    buffer.consume(0);
    CHECK(buffer.take(5) == "world");
    CHECK(buffer.readable_text() == "!");
    buffer.consume(1);
    CHECK(buffer.empty());
}

TEST_CASE("prepare and commit let a read land straight in the buffer", "[net][buffer]") {
    ByteBuffer buffer;
    buffer.append("ab");
    const auto space = buffer.prepare(100);
    REQUIRE(space.size() >= 100);
    std::memcpy(space.data(), "cdef", 4);   // stands in for ::read(fd, space.data(), ...)
    buffer.commit(4);
    CHECK(buffer.readable_text() == "abcdef");

    // Preparing more space does not change what is readable.
    (void)buffer.prepare(10'000);
    CHECK(buffer.readable_text() == "abcdef");
}

TEST_CASE("consumed space is reused before the buffer grows", "[net][buffer]") {
    ByteBuffer buffer;
    buffer.append(std::string(1000, 'a'));
    const std::size_t capacity = buffer.capacity();
    buffer.consume(900);                               // 100 unread bytes at the end
    buffer.append(std::string(capacity - 100, 'b'));   // fits only if the unread bytes slide
    CHECK(buffer.capacity() == capacity);
    CHECK(buffer.size() == capacity);
    CHECK(buffer.readable_text().substr(0, 100) == std::string(100, 'a'));
    CHECK(buffer.readable_text().substr(100) == std::string(capacity - 100, 'b'));
}

TEST_CASE("a buffer used like a socket buffer keeps every byte in order", "[net][buffer]") {
    // Random writes and reads of random sizes, checked against a std::string model.
    std::mt19937 random{42};
    ByteBuffer buffer;
    std::string model;
    std::size_t next_byte = 0;
    for (int step = 0; step < 2000; ++step) {
        const std::size_t in = random() % 3000;
        auto space = buffer.prepare(in);
        for (std::size_t i = 0; i < in; ++i) {
            const auto byte = static_cast<std::uint8_t>(next_byte++ * 31 % 251);
            space[i] = byte;
            model.push_back(static_cast<char>(byte));
        }
        buffer.commit(in);
        const std::size_t out = random() % (buffer.size() + 1);
        REQUIRE(buffer.readable_text() == model);
        buffer.consume(out);
        model.erase(0, out);
    }
    CHECK(buffer.readable_text() == model);
}

TEST_CASE("an empty buffer gives its memory back when asked", "[net][buffer]") {
    ByteBuffer buffer;
    buffer.append(std::string(100'000, 'x'));
    CHECK_FALSE(buffer.release_if_empty(16 * 1024));   // still holds unread bytes
    buffer.consume(buffer.size());
    CHECK(buffer.release_if_empty(16 * 1024));
    CHECK(buffer.capacity() == 0);
    CHECK(buffer.readable().empty());

    buffer.append("small");
    buffer.clear();
    CHECK_FALSE(buffer.release_if_empty(16 * 1024));   // small enough to keep for next time
    CHECK(buffer.capacity() > 0);
    buffer.append("again");
    CHECK(buffer.readable_text() == "again");
}

TEST_CASE("a buffer can be moved but not copied", "[net][buffer]") {
    static_assert(!std::is_copy_constructible_v<ByteBuffer>);
    ByteBuffer first;
    first.append("moved");
    ByteBuffer second = std::move(first);
    CHECK(second.readable_text() == "moved");
    CHECK(first.empty());   // NOLINT(bugprone-use-after-move): a moved-from buffer is empty
    CHECK(first.capacity() == 0);
}

TEST_CASE("a buffer can borrow memory, and keeps only what is unread when the loan ends",
          "[net][buffer]") {
    ByteBuffer buffer;
    std::uint8_t lent[16];
    std::memcpy(lent, "hello, world!!!!", 16);
    buffer.lend(lent, 13);   // 13 of the 16 bytes are unread data
    CHECK(buffer.is_borrowing());
    CHECK(buffer.readable_text() == "hello, world!");
    CHECK(buffer.readable().data() == lent);   // no copy while borrowing
    buffer.consume(7);
    buffer.keep_unread();
    CHECK_FALSE(buffer.is_borrowing());
    std::memset(lent, 'x', sizeof lent);   // the lender reuses its memory
    CHECK(buffer.readable_text() == "world!");
    buffer.consume(6);
    buffer.release_if_empty(0);
    CHECK(buffer.capacity() == 0);

    // Everything used: ending the loan allocates nothing.
    buffer.lend(lent, 4);
    buffer.consume(4);
    buffer.keep_unread();
    CHECK(buffer.capacity() == 0);
    CHECK_FALSE(buffer.is_borrowing());

    // Outgrowing the loan moves the bytes to memory of its own, in order.
    buffer.lend(lent);
    buffer.append(std::string_view{"0123456789"});
    CHECK(buffer.is_borrowing());
    buffer.append(std::string_view{"abcdefghij"});   // 20 bytes > 16 lent
    CHECK_FALSE(buffer.is_borrowing());
    CHECK(buffer.readable_text() == "0123456789abcdefghij");
}
