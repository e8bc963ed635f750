// tests/integration/net/error_in_event_test.cpp — socket errors that come WITH the event, as
// kqueue reports them (Ready::socket_error), and that the socket no longer holds, as under
// libkqueue. Every backend of this machine is wrapped (tests/support/error_in_event_poller.hpp),
// so the kqueue path is checked on Linux too: each error below must still arrive, with the
// same code and message as on the plain backend.
#include "net_test_support.hpp"
#include "looplab/net/udp_socket.hpp"
#include "support/error_in_event_poller.hpp"

#include <fmt/format.h>

#include <cerrno>

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;
using looplab::testing::ErrorInEventPoller;

namespace {

// A loop on the named backend, wrapped; `wrapper` is left pointing at the wrapper.
std::unique_ptr<loop::EventLoop> loop_with_error_in_event(const std::string& inner,
                                                          ErrorInEventPoller*& wrapper) {
    auto poller = ErrorInEventPoller::around(inner);
    wrapper = poller.get();
    return std::make_unique<loop::EventLoop>(std::move(poller));
}

}   // namespace

TEST_CASE("kqueue-style: a refused connect fails with the error from the event",
          "[net][tcp][kqueue][integration]") {
    const std::string inner = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(inner);
    ErrorInEventPoller* wrapper = nullptr;
    auto loop = loop_with_error_in_event(inner, wrapper);
    TcpConnector connector{*loop};
    const RefusingTcpPort refusing;
    std::optional<Result<std::unique_ptr<TcpConnection>>> outcome;
    connector.connect(refusing.address(), [&](Result<std::unique_ptr<TcpConnection>> made) {
        outcome.emplace(std::move(made));
    });
    REQUIRE(loop->run_until([&] { return outcome.has_value(); }, 5s));
    CHECK(wrapper->errors_moved() == 1);   // the socket said 0 afterwards: only the event knew
    REQUIRE_FALSE(*outcome);   // not "connected": the socket's SO_ERROR alone would say so
    CHECK(outcome->error().code() == ECONNREFUSED);
    CHECK(outcome->error().message() ==
          fmt::format("connect {}: Connection refused", refusing.address()));
}

TEST_CASE("kqueue-style: a reset is an error, not an end, whether reading or paused",
          "[net][tcp][kqueue][integration]") {
    const std::string inner = GENERATE(from_range(poller::available_pollers()));
    const bool paused = GENERATE(false, true);
    CAPTURE(inner, paused);
    ErrorInEventPoller* wrapper = nullptr;
    auto loop = loop_with_error_in_event(inner, wrapper);
    AcceptOne server{*loop, [paused](TcpConnection& connection) {
                         if (paused) connection.pause_reading();
                     }};
    auto client = connect_now(*loop, server.address());
    REQUIRE(client->start());
    REQUIRE(loop->run_until([&] { return server.connection != nullptr; }, 5s));
    const Address client_address = client->local_address();
    client->abort();
    REQUIRE(loop->run_until([&] { return server.recorder.closed(); }, 5s));
    CHECK(wrapper->errors_moved() >= 1);
    // read() saw 0 here (the error had left the socket), which alone would mean "end".
    CHECK(server.recorder.events == std::vector<std::string>{"error", "close"});
    REQUIRE(server.recorder.error);
    CHECK(server.recorder.error->code() == ECONNRESET);
    CHECK(server.recorder.error->message() ==
          fmt::format("read {}: Connection reset by peer", client_address));
}

TEST_CASE("kqueue-style: what the peer sent before its reset is delivered, then the error",
          "[net][tcp][kqueue][integration]") {
    // Same story on the plain backend and wrapped: the event's error waits until read()
    // reaches the end of the data, as a failing read() would on epoll.
    const std::string inner = GENERATE(from_range(poller::available_pollers()));
    const bool wrapped = GENERATE(false, true);
    CAPTURE(inner, wrapped);
    ErrorInEventPoller* wrapper = nullptr;
    auto loop = wrapped ? loop_with_error_in_event(inner, wrapper)
                        : std::make_unique<loop::EventLoop>(inner);
    AcceptOne server{*loop};
    auto client = connect_now(*loop, server.address());
    REQUIRE(client->start());
    REQUIRE(loop->run_until([&] { return server.connection != nullptr; }, 5s));
    // Both leave before the server's next turn: its first event already carries the error.
    REQUIRE(client->send("last words"));
    client->abort();
    REQUIRE(loop->run_until([&] { return server.recorder.closed(); }, 5s));
    if (wrapped) CHECK(wrapper->errors_moved() >= 1);
    CHECK(server.recorder.received == "last words");
    CHECK(server.recorder.events == std::vector<std::string>{"data", "error", "close"});
    REQUIRE(server.recorder.error);
    CHECK(server.recorder.error->code() == ECONNRESET);
}

TEST_CASE("kqueue-style: a connected UDP socket hears ECONNREFUSED from the event, once",
          "[net][udp][kqueue][integration]") {
    const std::string inner = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(inner);
    ErrorInEventPoller* wrapper = nullptr;
    auto loop = loop_with_error_in_event(inner, wrapper);
    // A port nobody listens on: bound for a moment, then released (racy, but only for the
    // lifetime of one datagram; the plain UDP tests do the same).
    const Address nobody = UdpSocket::bind(*loop, Address::loopback(0)).value().local_address();
    auto socket = UdpSocket::bind(*loop, Address::loopback(0));
    REQUIRE(socket);
    REQUIRE(socket->connect(nobody));
    std::vector<Error> errors;
    socket->on(events::error, [&](const Error& e) { errors.push_back(e); });
    REQUIRE(socket->start([](const Datagram&) {}));
    CHECK(socket->send("anyone there?"));
    REQUIRE(loop->run_until([&] { return !errors.empty(); }, 5s));
    CHECK(wrapper->errors_moved() == 1);   // recvmsg would have said EAGAIN: only the event knew
    CHECK(errors.front().code() == ECONNREFUSED);
    CHECK(errors.front().message() == fmt::format("recvmsg {}: Connection refused", nobody));
    loop->run_until([] { return false; }, 50ms);
    CHECK(errors.size() == 1);
    socket->stop();
}
