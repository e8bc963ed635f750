// The watch server (--watch) without a browser: a raw TCP client speaks just enough WebSocket
// to be a page. Checked: the page's origin rule, a command reaching the gate, and a page that
// never reads: the program's publishing never blocks, the page's losses are counted, and the
// server still shuts down in bounded time.
#include "looplab/trace/event_schema.hpp"
#include "looplab/trace/watch_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
namespace trace = looplab::trace;

namespace {

// A blocking TCP client that performs the WebSocket handshake as a page of `origin` would.
class RawPage {
public:
    RawPage(std::uint16_t port, const std::string& origin) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        const int small = 4096;   // a page that reads slowly fills up fast
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        timeval limit{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        send(fmt::format(
            "GET {} HTTP/1.1\r\nHost: localhost:{}\r\nOrigin: {}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n",
            trace::kWatchEventsPath, port, origin));
        char buffer[512];
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
        REQUIRE(got > 0);
        status_line_ = std::string{buffer, static_cast<std::size_t>(got)}.substr(0, 12);
    }
    ~RawPage() { ::close(fd_); }
    RawPage(const RawPage&) = delete;
    RawPage& operator=(const RawPage&) = delete;

    const std::string& status_line() const { return status_line_; }

    // One masked text frame (mask 0: the payload goes as it is), as a browser sends it.
    void send_text(const std::string& text) {
        REQUIRE(text.size() < 126);
        std::string frame{"\x81"};
        frame += static_cast<char>(0x80 | text.size());
        frame += std::string(4, '\0');
        send(frame + text);
    }

private:
    void send(const std::string& bytes) {
        REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(bytes.size()));
    }

    int fd_ = -1;
    std::string status_line_;
};

std::unique_ptr<trace::WatchServer> start_server() {
    trace::WatchOptions options;
    options.program = "watch-server-test";
    options.poller = "poll";
    auto server = trace::WatchServer::start(options);
    REQUIRE(server);
    return std::move(server).value();
}

// Polls `done` until it is true or 5 s passed (the server's thread does the work).
template <typename Done>
bool eventually(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

}   // namespace

TEST_CASE("watch server: only its own page may connect; a page's command reaches the gate",
          "[trace][watch]") {
    auto server = start_server();
    CHECK_FALSE(server->wait_for_page(10ms));   // nobody yet
    {
        RawPage stranger{server->port(), "http://evil.example"};
        CHECK(stranger.status_line() == "HTTP/1.1 403");
    }
    RawPage page{server->port(), fmt::format("http://localhost:{}", server->port())};
    CHECK(page.status_line() == "HTTP/1.1 101");
    REQUIRE(server->wait_for_page(5s));
    CHECK(server->gate().status().mode == trace::StepGate::Mode::Paused);
    page.send_text(R"({"cmd":"continue"})");
    CHECK(
        eventually([&] { return server->gate().status().mode == trace::StepGate::Mode::Running; }));
    page.send_text(R"({"cmd":"speed","ms":40})");
    CHECK(eventually([&] { return server->gate().status().speed == 40ms; }));
    page.send_text("not json");   // ignored, not fatal
    page.send_text(R"({"cmd":"pause"})");
    CHECK(
        eventually([&] { return server->gate().status().mode == trace::StepGate::Mode::Paused; }));
}

TEST_CASE("watch server: a page that never reads costs the program nothing but lost events",
          "[trace][watch]") {
    auto server = start_server();
    RawPage page{server->port(), fmt::format("http://127.0.0.1:{}", server->port())};
    REQUIRE(server->wait_for_page(5s));
    const trace::Frame frame{"big", std::string(1000, 'x'), {}};
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 20000; ++i)
        server->publish("push", trace::push_fields(frame, 0));   // ~20 MB
    const auto publishing = std::chrono::steady_clock::now() - started;
    CHECK(publishing < 5s);   // never waits for the page (typically a few ms)
    CHECK(eventually([&] { return server->page_drops() + server->channel().dropped() > 0; }));
    const auto stopping = std::chrono::steady_clock::now();
    server.reset();   // the page never reads its close frame either
    CHECK(std::chrono::steady_clock::now() - stopping < trace::kWatchFlushLimit + 2s);
}
