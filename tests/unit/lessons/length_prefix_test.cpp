// tests/unit/lessons/length_prefix_test.cpp — lesson 09's length-prefix framing (the lesson
// kit's length_prefix.hpp): exact bytes, input cut at every byte, one byte at a time, limits.
#include "looplab/lesson/length_prefix.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace looplab::lesson;
using namespace std::string_literals;

namespace {

std::string three_messages() {
    return frame_message("apple") + frame_message("banana") + frame_message("cherry");
}

}   // namespace

TEST_CASE("a framed message is a 4-byte big-endian length, then the message",
          "[lessons][framing]") {
    CHECK(frame_message("apple") ==
          "\x00\x00\x00\x05"
          "apple"s);
    CHECK(frame_message("") == "\x00\x00\x00\x00"s);
    CHECK(frame_message(std::string(300, 'x')).substr(0, 4) == "\x00\x00\x01\x2c"s);
}

TEST_CASE("three framed messages read in one piece come out as three messages",
          "[lessons][framing]") {
    FrameReader reader;
    std::vector<std::string> messages;
    REQUIRE_FALSE(reader.feed(three_messages(), messages));
    CHECK(messages == std::vector<std::string>{"apple", "banana", "cherry"});
    CHECK(reader.buffered() == 0);
}

TEST_CASE("a stream of framed messages cut at any byte gives the same messages",
          "[lessons][framing]") {
    const std::string wire = three_messages();
    const std::size_t cut = GENERATE_COPY(range<std::size_t>(0, wire.size() + 1));
    CAPTURE(cut);

    FrameReader reader;
    std::vector<std::string> messages;
    REQUIRE_FALSE(reader.feed(std::string_view{wire}.substr(0, cut), messages));
    REQUIRE_FALSE(reader.feed(std::string_view{wire}.substr(cut), messages));
    CHECK(messages == std::vector<std::string>{"apple", "banana", "cherry"});
    CHECK(reader.buffered() == 0);
}

TEST_CASE("a stream fed one byte at a time gives each message when its last byte arrives",
          "[lessons][framing]") {
    const std::string wire = three_messages();
    FrameReader reader;
    std::vector<std::string> messages;
    std::vector<std::size_t> completed_at;
    for (std::size_t i = 0; i < wire.size(); ++i) {
        const std::size_t before = messages.size();
        REQUIRE_FALSE(reader.feed(std::string_view{wire}.substr(i, 1), messages));
        if (messages.size() > before) completed_at.push_back(i + 1);
    }
    CHECK(messages == std::vector<std::string>{"apple", "banana", "cherry"});
    CHECK(completed_at == std::vector<std::size_t>{9, 19, 29});
}

TEST_CASE("an empty message is a message too", "[lessons][framing]") {
    FrameReader reader;
    std::vector<std::string> messages;
    REQUIRE_FALSE(reader.feed(frame_message("") + frame_message("x"), messages));
    CHECK(messages == std::vector<std::string>{"", "x"});
}

TEST_CASE("a length above the maximum is an error at once, and the reader stays failed",
          "[lessons][framing]") {
    FrameReader reader{16};
    std::vector<std::string> messages;
    REQUIRE_FALSE(reader.feed(frame_message("sixteen bytes!!!"), messages));   // 16: accepted
    CHECK(messages.size() == 1);
    // Only the 4 length bytes of a 17-byte message: refused before its payload is buffered.
    CHECK(reader.feed("\x00\x00\x00\x11"s, messages) == FramingError::TooLong);
    CHECK(reader.feed(frame_message("ok"), messages) == FramingError::TooLong);
    CHECK(messages.size() == 1);

    FrameReader huge;   // kMaxFramedMessage: "4 GiB" is refused without allocating it
    CHECK(huge.feed("\xff\xff\xff\xff"s, messages) == FramingError::TooLong);
}
