// tests/integration/lifetime/http_lifetime_test.cpp — the one lifetime rule
// (include/looplab/README.md) for http::Server, whose "listeners" are its three functions
// (answer_with, answer_later_with, take_upgrades_with): (a) destroyed inside each of them,
// with a second request pipelined behind, which must not be answered; (b) closed twice;
// (c) destroyed while a task it posted is still waiting. Each checks that nothing is called
// after the end, what the client sees, and that loop.run() returns.
#include "looplab/http/server.hpp"
#include "support/lifetime_probe.hpp"
#include "support/pollers.hpp"
#include "support/raw_client.hpp"

#include <string>

using namespace looplab;
using looplab::testing::LifetimeProbe;
using looplab::testing::RawClient;
using looplab::testing::runs_to_end;
using looplab::testing::test_pollers;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kTwoRequests =
    "GET /one HTTP/1.1\r\nHost: localhost\r\n\r\nGET /two HTTP/1.1\r\nHost: localhost\r\n\r\n";

// Each of the server's functions reports to the probe; the one named by the probe's victim
// destroys the server, then goes on (answers, reads its captures) as a real one would.
void answer_with_probe(http::Server& server, LifetimeProbe& probe) {
    server.answer_with([heard = probe.on("answer")](const http::Request&) mutable {
        heard();
        return std::optional<http::Response>{http::Response{200}};
    });
    server.answer_later_with([heard = probe.on("answer later")](
                                 const http::Request& request, http::Responder& responder) mutable {
        if (request.path() != "/later") return false;
        heard();
        // The server is gone when it was the victim: nobody to answer any more.
        return responder.respond(http::Response{200}) || true;
    });
    server.take_upgrades_with([heard = probe.on("take upgrade")](
                                  const http::Request&, std::unique_ptr<net::TcpConnection>,
                                  std::string) mutable { heard(); });
}

}   // namespace

TEST_CASE("an http::Server may be destroyed inside each of its own functions",
          "[lifetime][http][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim =
        GENERATE(as<std::string>{}, "answer", "answer later", "take upgrade");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    auto server = std::make_unique<http::Server>(loop);
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { server.reset(); });
    answer_with_probe(*server, probe);
    REQUIRE(server->listen(net::Address::loopback(0)));
    RawClient client{loop, server->local_address()};
    // Two requests in one read: the second would be answered late if the session went on.
    if (victim == "answer") client.send(kTwoRequests);
    if (victim == "answer later")
        client.send(
            "GET /later HTTP/1.1\r\nHost: localhost\r\n\r\n"
            "GET /later HTTP/1.1\r\nHost: localhost\r\n\r\n");
    if (victim == "take upgrade") client.send(testing::upgrade_request("/"));

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story(), client.received);
    CHECK(probe.is_gone());
    CHECK(probe.late().empty());
    CHECK(server == nullptr);
    // The request whose function destroyed the server is not answered: its connection closes.
    CHECK(client.received.empty());
    CHECK(client.closed);
}

TEST_CASE("closing an http::Server twice is harmless, also with a request in flight",
          "[lifetime][http][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    http::Server server{loop};
    LifetimeProbe probe;
    answer_with_probe(server, probe);
    REQUIRE(server.listen(net::Address::loopback(0)));
    RawClient client{loop, server.local_address()};
    client.send(kTwoRequests);
    REQUIRE(loop.run_until([&] { return probe.heard("answer"); }, 3s));
    server.close();
    server.close();

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story(), client.received);
    CHECK(client.closed);
    CHECK(server.connection_count() == 0);
}

TEST_CASE("an http::Server destroyed after a late answer runs none of the work it posted",
          "[lifetime][http][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto server = std::make_unique<http::Server>(loop);
    LifetimeProbe probe;
    answer_with_probe(*server, probe);
    http::Responder held;
    server->answer_later_with([&](const http::Request& request, http::Responder& responder) {
        probe.hear(request.path());
        held = std::move(responder);
        return true;
    });
    REQUIRE(server->listen(net::Address::loopback(0)));
    RawClient client{loop, server->local_address()};
    // The second request waits behind the first one's pending answer.
    client.send(kTwoRequests);
    REQUIRE(loop.run_until([&] { return held.is_pending(); }, 3s));
    // Answered from outside the server's own calls, which makes it post the waiting request
    // for later; destroyed right after, in the same callback, before that task runs.
    loop.set_timeout(Millis{0}, [&] {
        CHECK(held.respond(http::Response{200}));
        server.reset();
        probe.gone();
    });

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story(), client.received);
    CHECK(probe.late().empty());
    CHECK(client.received.starts_with("HTTP/1.1 200"));
    CHECK(client.closed);
}
