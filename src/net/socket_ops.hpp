// src/net/socket_ops.hpp — small socket calls shared by the net module's .cpp files (private).
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/net/address.hpp"

#include <string_view>

namespace looplab::net::detail {

// getsockname() / getpeername() as an Address; unspecified if the call fails.
Address local_address_of(int fd);
Address peer_address_of(int fd);

// The error a non-blocking connect() ended with, or a reset noticed by the poller:
// getsockopt(SO_ERROR), which also clears it. 0 means none.
int take_socket_error(int fd);

// setsockopt() of an int option; the Error says which option failed on which socket.
[[nodiscard]] Status set_int_option(int fd, int level, int name, int value, std::string_view what);

}   // namespace looplab::net::detail
