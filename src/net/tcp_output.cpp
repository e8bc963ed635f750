// TcpOutput (see tcp_output.hpp): the gathered write of pending + new bytes, the watermarks and
// the cork. Only what the kernel does not take is ever copied.
#include "looplab/net/tcp_output.hpp"

#include "socket_ops.hpp"

#include <algorithm>
#include <cerrno>

#include <sys/socket.h>
#include <sys/uio.h>

namespace looplab::net {

void TcpOutput::drop() {
    pending_.clear();
    pending_.release_if_empty(0);
}

// ---- writing -----------------------------------------------------------------------------------

TcpOutput::Written TcpOutput::write(int fd, std::span<const std::uint8_t> first,
                                    std::span<const std::uint8_t> second) {
    // Oldest first: what is pending, then the new pieces, all in one system call. The new
    // bytes go straight from the caller to the kernel: no copy.
    const std::span<const std::uint8_t> pending = pending_.readable();
    iovec parts[3];
    int count = 0;
    for (const std::span<const std::uint8_t> piece : {pending, first, second})
        if (!piece.empty())
            parts[count++] = {const_cast<std::uint8_t*>(piece.data()), piece.size()};
    const std::string_view syscall = count == 1 ? "send" : "sendmsg";
    ssize_t sent;
    if (count == 1) {
        sent = ::send(fd, parts[0].iov_base, parts[0].iov_len, MSG_NOSIGNAL);
    } else {
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(count);
        sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
    }
    if (sent < 0 && !detail::would_block(errno))
        return {.error = errno, .syscall = syscall, .was_blocked = false};
    auto taken = sent > 0 ? static_cast<std::size_t>(sent) : std::size_t{0};
    bytes_sent_ += taken;
    const std::size_t from_pending = std::min(taken, pending.size());
    pending_.consume(from_pending);
    taken -= from_pending;
    // The only copy: what the kernel did not take waits here, in order.
    for (const std::span<const std::uint8_t> piece : {first, second}) {
        const std::size_t from_piece = std::min(taken, piece.size());
        taken -= from_piece;
        if (from_piece < piece.size()) pending_.append(piece.subspan(from_piece));
    }
    // Only when old bytes left: a gathering buffer that merely passed new bytes on keeps the
    // stack space it was lent.
    if (from_pending > 0) pending_.release_if_empty(kTcpIdleBufferCapacity);
    return {};
}

TcpOutput::Written TcpOutput::flush(int fd) {
    const std::span<const std::uint8_t> pending = pending_.readable();
    const ssize_t sent = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (sent < 0) {
        if (detail::would_block(errno)) return {.error = 0, .syscall = "send", .was_blocked = true};
        return {.error = errno, .syscall = "send", .was_blocked = false};
    }
    pending_.consume(static_cast<std::size_t>(sent));
    bytes_sent_ += static_cast<std::size_t>(sent);
    pending_.release_if_empty(kTcpIdleBufferCapacity);
    return {};
}

// ---- watermarks --------------------------------------------------------------------------------

void TcpOutput::set_watermarks(std::size_t low, std::size_t high) {
    LOOPLAB_ASSERT(low <= high, "set_watermarks(low, high) needs low <= high");
    low_watermark_ = low;
    high_watermark_ = high;
}

bool TcpOutput::rose_to_high_watermark() {
    if (is_above_high_watermark_ || pending_.size() < high_watermark_) return false;
    is_above_high_watermark_ = true;
    return true;
}

bool TcpOutput::fell_to_low_watermark() {
    if (!is_above_high_watermark_ || pending_.size() > low_watermark_) return false;
    is_above_high_watermark_ = false;
    return true;
}

// ---- the cork ----------------------------------------------------------------------------------

bool TcpOutput::uncork() {
    LOOPLAB_ASSERT(cork_depth_ > 0, "uncork() without a cork()");
    // Inside the data event, the end of the data event writes instead.
    return --cork_depth_ == 0 && !is_gathering_input_ && !pending_.empty();
}

bool TcpOutput::cork_until_next_phase() {
    if (is_uncork_posted_ || is_gathering_input_) return false;
    is_uncork_posted_ = true;
    cork();
    return true;
}

bool TcpOutput::uncork_at_next_phase() {
    is_uncork_posted_ = false;
    return uncork();
}

bool TcpOutput::gather_while_handling_input(StackSpace& stack_space) {
    const bool had_pending = !pending_.empty();
    if (pending_.capacity() == 0) pending_.lend(stack_space);
    is_gathering_input_ = true;
    return !had_pending;
}

}   // namespace looplab::net
