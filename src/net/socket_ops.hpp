// src/net/socket_ops.hpp — small socket calls shared by the net module's .cpp files (private).
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/net/address.hpp"

#include <cerrno>
#include <string_view>

namespace looplab::net::detail {

// getsockname() / getpeername() as an Address; unspecified if the call fails.
Address local_address_of(int fd);
Address peer_address_of(int fd);

// The error a non-blocking connect() ended with, or a reset noticed by the poller:
// getsockopt(SO_ERROR), which also clears it. 0 means none.
int take_socket_error(int fd);

// The same, for an error a readiness reported: the one the kernel sent with the event
// (`from_event`, i.e. Ready::socket_error: kqueue), else the one the socket holds (epoll,
// poll). One path for every backend. The socket's copy is cleared either way, so that an
// error the event brought, and that BSD still keeps in the socket, is not reported twice.
int take_socket_error(int fd, int from_event);

// A non-blocking call that found nothing to do now: try again at the next readiness.
inline bool would_block(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

// setsockopt() of an int option; the Error says which option failed on which socket.
[[nodiscard]] Status set_int_option(int fd, int level, int name, int value, std::string_view what);

}   // namespace looplab::net::detail
