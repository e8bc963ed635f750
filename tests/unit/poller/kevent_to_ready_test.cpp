// How a kevent becomes a Ready record (looplab/poller/kevent_to_ready.hpp): the part of the kqueue
// backend that decides which error reaches the handler, checked where kqueue does not exist.
#include "looplab/poller/kevent_to_ready.hpp"

#include <catch2/catch.hpp>

#include <cerrno>

using looplab::poller::Ready;
using looplab::poller::detail::add_kevent;
using looplab::poller::detail::KeventSays;

TEST_CASE("a kevent's EV_EOF carries the socket error in fflags into Ready::socket_error",
          "[poller][kqueue]") {
    Ready record{.fd = 7};
    add_kevent(record, KeventSays{.read_filter = true, .end_of_file = true, .fflags = ECONNRESET});
    CHECK(record.readable);
    CHECK_FALSE(record.writable);
    CHECK(record.hangup);
    CHECK(record.error);
    CHECK(record.socket_error == ECONNRESET);
}

TEST_CASE("an EV_EOF without an error is a hang-up and nothing more", "[poller][kqueue]") {
    // The peer's FIN: fflags 0. No error, so the handler reads to the end and hears "end".
    Ready record{.fd = 7};
    add_kevent(record, KeventSays{.read_filter = true, .end_of_file = true});
    CHECK(record.readable);
    CHECK(record.hangup);
    CHECK_FALSE(record.error);
    CHECK(record.socket_error == 0);
}

TEST_CASE("a refused connect: the write filter's EV_EOF names ECONNREFUSED", "[poller][kqueue]") {
    Ready record{.fd = 7};
    add_kevent(record,
               KeventSays{.write_filter = true, .end_of_file = true, .fflags = ECONNREFUSED});
    CHECK(record.writable);
    CHECK_FALSE(record.readable);
    CHECK(record.error);
    CHECK(record.socket_error == ECONNREFUSED);
}

TEST_CASE("EV_ERROR carries its errno in data, not fflags", "[poller][kqueue]") {
    Ready record{.fd = 7};
    add_kevent(record, KeventSays{.read_filter = true, .failed = true, .fflags = 0, .data = EBADF});
    CHECK(record.error);
    CHECK(record.socket_error == EBADF);
    CHECK_FALSE(record.hangup);
}

TEST_CASE("data without EV_EOF says nothing about errors", "[poller][kqueue]") {
    // fflags means nothing without EV_EOF (for a socket, kevent leaves it 0 anyway).
    Ready record{.fd = 7};
    add_kevent(record, KeventSays{.read_filter = true, .fflags = ECONNRESET, .data = 100});
    CHECK(record.readable);
    CHECK_FALSE(record.hangup);
    CHECK_FALSE(record.error);
    CHECK(record.socket_error == 0);
}

TEST_CASE("the read and write kevents of one fd merge into one record", "[poller][kqueue]") {
    Ready record{.fd = 7};
    add_kevent(record, KeventSays{.write_filter = true});
    add_kevent(record, KeventSays{.read_filter = true, .end_of_file = true, .fflags = ECONNRESET});
    CHECK(record.readable);
    CHECK(record.writable);
    CHECK(record.hangup);
    CHECK(record.socket_error == ECONNRESET);
    // A second error for the same fd does not overwrite the first one told.
    add_kevent(record, KeventSays{.write_filter = true, .end_of_file = true, .fflags = EPIPE});
    CHECK(record.socket_error == ECONNRESET);
}
