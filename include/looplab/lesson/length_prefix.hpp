// looplab/lesson/length_prefix.hpp
//
// Length-prefix framing: how to send MESSAGES over TCP, which only carries a stream of bytes.
// TCP keeps the bytes and their order, not the boundaries between your writes: three sends
// may arrive as one read, one send as three reads. So each message goes on the stream with
// its length in front, and the reader cuts the stream back into messages:
//
//   stream:  | 00 00 00 05 | a p p l e | 00 00 00 06 | b a n a n a | 00 00 ...
//              length (4 bytes,          message        length        message
//              big-endian)
//
// WebSocket frames (lesson 17) do the same with a smarter length field; Engine.IO over HTTP
// long-polling separates packets with a 0x1E byte instead. Used by lesson 09 and by lesson
// 14's TCP run, hence the lesson kit; tests/unit/lessons feeds it input cut at every byte.
//
// FrameReader is an incremental, pure parser: bytes in (cut anywhere), messages out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::lesson {

inline constexpr std::size_t kLengthPrefixSize = 4;
// Longest message the reader accepts. A longer length is an error (TooLong) at once, before
// any of the message is buffered: a bad or hostile length must not make us allocate 4 GiB.
inline constexpr std::size_t kMaxFramedMessage = 1 << 20;   // 1 MiB

enum class FramingError {
    TooLong,   // the length prefix says more than the reader's maximum
};

// The bytes to write for one message: its length, then the message.
inline std::string frame_message(std::string_view message) {
    const auto length = static_cast<std::uint32_t>(message.size());
    std::string framed{static_cast<char>(length >> 24), static_cast<char>(length >> 16),
                       static_cast<char>(length >> 8), static_cast<char>(length)};
    framed.append(message);
    return framed;
}

class FrameReader {
public:
    explicit FrameReader(std::size_t max_message = kMaxFramedMessage) : max_message_(max_message) {}

    // Feed the bytes of one read, in pieces of any size. Every message completed by them is
    // appended to `messages`; a partial one waits inside for the next feed(). After an error
    // the reader stays failed (the stream cannot be trusted any more: close the connection).
    [[nodiscard]] std::optional<FramingError> feed(std::span<const std::uint8_t> bytes,
                                                   std::vector<std::string>& messages) {
        if (error_) return error_;
        pending_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        std::size_t at = 0;
        while (pending_.size() - at >= kLengthPrefixSize) {
            const std::size_t length = length_at(at);
            if (length > max_message_) return error_ = FramingError::TooLong;
            if (pending_.size() - at - kLengthPrefixSize < length) break;   // not all here yet
            messages.push_back(pending_.substr(at + kLengthPrefixSize, length));
            at += kLengthPrefixSize + length;
        }
        pending_.erase(0, at);
        return std::nullopt;
    }

    [[nodiscard]] std::optional<FramingError> feed(std::string_view text,
                                                   std::vector<std::string>& messages) {
        return feed(std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                    messages);
    }

    // Bytes received that do not make a whole message yet.
    std::size_t buffered() const { return pending_.size(); }

private:
    std::size_t length_at(std::size_t at) const {
        std::size_t length = 0;
        for (std::size_t i = 0; i < kLengthPrefixSize; ++i)
            length = length << 8 | static_cast<std::uint8_t>(pending_[at + i]);
        return length;
    }

    std::size_t max_message_;
    std::string pending_;   // the tail of the stream that is not a whole message yet
    std::optional<FramingError> error_;
};

}   // namespace looplab::lesson
