#include "socket_ops.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace looplab::net::detail {

Address local_address_of(int fd) {
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &size) == -1) return Address{};
    return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage), size);
}

Address peer_address_of(int fd) {
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &size) == -1) return Address{};
    return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage), size);
}

int take_socket_error(int fd) {
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == -1) return errno;
    return error;
}

int take_socket_error(int fd, int from_event) {
    const int held = take_socket_error(fd);
    // The event's error wins: the socket may have lost it already (libkqueue takes it to
    // fill the event in), and then says 0 or something later.
    return from_event != 0 ? from_event : held;
}

Status set_int_option(int fd, int level, int name, int value, std::string_view what) {
    if (::setsockopt(fd, level, name, &value, sizeof value) == -1)
        return Error::from_errno(fmt::format("setsockopt {} fd {}", what, fd));
    return Ok{};
}

}   // namespace looplab::net::detail
