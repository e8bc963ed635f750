// The trace event schema (v1): every kind is one valid JSON object with the members
// notes/watch/README.md promises, strings escaped, and always valid UTF-8 (a page receives it as
// WebSocket text). Also: the loop's picture (LoopState) that --watch draws.
#include "looplab/codec/json.hpp"
#include "looplab/codec/utf8.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/trace/event_schema.hpp"
#include "looplab/trace/json_lines_sink.hpp"
#include "looplab/trace/loop_state.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace std::chrono_literals;
namespace json = looplab::codec::json;
namespace trace = looplab::trace;

namespace {

json::Value parsed(const std::string& text) {
    auto value = json::parse(text);
    REQUIRE(value);
    REQUIRE(value->is_object());
    return *value;
}

// Remembers every LoopState the loop reports, and how deep the stack was.
class StateRecorder final : public trace::Sink {
public:
    struct Seen {
        std::string phase;
        std::size_t soon = 0, next = 0, timers = 0;
        std::vector<std::string> fd_labels;
    };
    std::vector<Seen> seen;

    void turn(std::uint64_t) override {}
    void note(std::string_view, std::string_view, std::size_t) override {}
    void push(const trace::Frame&, std::size_t) override {}
    void pop(const trace::Frame&, std::size_t) override {}
    void state(const trace::LoopState& state) override {
        Seen one{std::string{state.phase}, state.soon, state.next, state.timers.size(), {}};
        for (const trace::FdView& fd : state.fds) one.fd_labels.emplace_back(fd.label);
        seen.push_back(std::move(one));
    }
};

}   // namespace

TEST_CASE("every event has v, seq, t and k, then its own members", "[trace][schema]") {
    const auto event = parsed(trace::event_json(7, 1234, "turn", trace::turn_fields(3)));
    CHECK(event["v"].as_int() == trace::kTraceSchemaVersion);
    CHECK(event["seq"].as_int() == 7);
    CHECK(event["t"].as_int() == 1234);
    CHECK(event["k"].as_string() == "turn");
    CHECK(event["n"].as_int() == 3);
    CHECK(event.size() == 5);
}

TEST_CASE("push, pop and note carry names, details and depth, escaped", "[trace][schema]") {
    const trace::Frame frame{"ChatServer::on_message", "\"hi\"\n\\ \x01", {}};
    const auto push = parsed(trace::event_json(1, 0, "push", trace::push_fields(frame, 2)));
    CHECK(push["name"].as_string() == "ChatServer::on_message");
    CHECK(push["detail"].as_string() == "\"hi\"\n\\ \x01");
    CHECK(push["depth"].as_int() == 2);
    const auto pop = parsed(trace::event_json(2, 0, "pop", trace::pop_fields(frame, 2)));
    CHECK(pop["name"].as_string() == "ChatServer::on_message");
    CHECK(pop.find("detail") == nullptr);
    const auto note = parsed(
        trace::event_json(3, 0, "note", trace::note_fields("poll     1 ready", "waited 3 ms", 0)));
    CHECK(note["text"].as_string() == "poll     1 ready");
    CHECK(note["live"].as_string() == "waited 3 ms");
}

TEST_CASE("bytes that are not UTF-8 still make valid UTF-8 JSON", "[trace][schema]") {
    const trace::Frame frame{"datagram", std::string{"a\xff\xc3", 3}, {}};
    const std::string text = trace::event_json(1, 0, "push", trace::push_fields(frame, 0));
    CHECK(looplab::codec::is_valid_utf8(text));
    CHECK(parsed(text)["detail"].as_string() == "a\u00ff\u00c3");
}

TEST_CASE("the state event lists queues, timers and fds", "[trace][schema]") {
    trace::LoopState state;
    state.phase = "poll";
    state.turn = 4;
    state.poller = "epoll";
    state.soon = 1;
    state.next = 2;
    state.timers = {{3, 10, false, {}}, {5, 250, true, {}}};
    state.fds = {{7, "server socket", true, false, true, true, {}}};
    const auto event = parsed(trace::event_json(9, 0, "state", trace::state_fields(state)));
    CHECK(event["phase"].as_string() == "poll");
    CHECK(event["turn"].as_int() == 4);
    CHECK(event["soon"].as_int() == 1);
    CHECK(event["next"].as_int() == 2);
    CHECK(event["closes"].as_int() == 0);
    REQUIRE(event["timers"].size() == 2);
    CHECK(event["timers"][1]["id"].as_int() == 5);
    CHECK(event["timers"][1]["in_ms"].as_int() == 250);
    CHECK(event["timers"][1]["repeats"].as_bool());
    REQUIRE(event["fds"].size() == 1);
    CHECK(event["fds"][0]["fd"].as_int() == 7);
    CHECK(event["fds"][0]["label"].as_string() == "server socket");
    CHECK(event["fds"][0]["read"].as_bool());
    CHECK_FALSE(event["fds"][0]["write"].as_bool());
    CHECK(event["fds"][0]["ready"].as_bool());
}

TEST_CASE("a push names the line behind the frame in src, file:line", "[trace][schema]") {
    const trace::Frame known{"next task", "",
                             looplab::SourceSite{"lessons/07-event-queue/x.cpp", 29}};
    const auto push = parsed(trace::event_json(1, 0, "push", trace::push_fields(known, 0)));
    CHECK(push["src"].as_string() == "lessons/07-event-queue/x.cpp:29");
    // Unknown (nobody said): no src member at all, rather than a made-up one.
    const trace::Frame unknown{"next task", "", {}};
    const auto bare = parsed(trace::event_json(2, 0, "push", trace::push_fields(unknown, 0)));
    CHECK(bare.find("src") == nullptr);
    // Timers and fds carry the line that set or watched them.
    trace::LoopState state;
    state.timers = {{1, 5, false, looplab::SourceSite{"a.cpp", 3}}};
    state.fds = {{4, "pipe", true, false, false, true, looplab::SourceSite{"b.cpp", 7}}};
    const auto picture = parsed(trace::event_json(3, 0, "state", trace::state_fields(state)));
    CHECK(picture["timers"][0]["src"].as_string() == "a.cpp:3");
    CHECK(picture["fds"][0]["src"].as_string() == "b.cpp:7");
}

TEST_CASE("SourceSite::here() as a default argument names the caller's line", "[trace][schema]") {
    auto where = [](looplab::SourceSite site = looplab::SourceSite::here()) { return site; };
    const std::uint32_t line = __LINE__ + 1;
    const looplab::SourceSite site = where();
    CHECK(site.is_known());
    CHECK(site.line() == line);
    CHECK(std::string_view{site.file()}.ends_with("event_schema_test.cpp"));
    CHECK_FALSE(looplab::SourceSite{}.is_known());
    // One word: the file's address and the line packed together (see source_site.hpp).
    STATIC_REQUIRE(sizeof(looplab::SourceSite) == 8);
    const looplab::SourceSite packed{"x.cpp", 65535};
    CHECK(packed.line() == 65535);
    CHECK(std::string_view{packed.file()} == "x.cpp");
    // What cannot be stored is unknown, never wrong.
    CHECK_FALSE((looplab::SourceSite{"x.cpp", 65536}.is_known()));
    CHECK_FALSE((looplab::SourceSite{"x.cpp", 0}.is_known()));
    CHECK_FALSE((looplab::SourceSite{nullptr, 3}.is_known()));
}

TEST_CASE("the state event lists the sockets: 4-tuple, state, bytes, datagrams",
          "[trace][schema]") {
    trace::LoopState state;
    trace::SocketView tcp;
    tcp.id = 12;
    tcp.fd = 9;
    tcp.kind = "tcp";
    tcp.state = "open";
    tcp.local = "127.0.0.1:5000";
    tcp.peer = "127.0.0.1:41234";
    tcp.bytes_in = 300;
    tcp.bytes_out = 120;
    trace::SocketView udp;
    udp.id = 13;
    udp.fd = 10;
    udp.kind = "udp";
    udp.state = "open";
    udp.local = "[::1]:6000";
    udp.datagrams_in = 4;
    udp.datagrams_out = 2;
    state.sockets = {tcp, udp};
    state.sockets_total = 2;
    const auto event = parsed(trace::event_json(1, 0, "state", trace::state_fields(state)));
    REQUIRE(event["sockets"].size() == 2);
    const auto& first = event["sockets"][0];
    CHECK(first["id"].as_int() == 12);
    CHECK(first["fd"].as_int() == 9);
    CHECK(first["kind"].as_string() == "tcp");
    CHECK(first["state"].as_string() == "open");
    CHECK(first["local"].as_string() == "127.0.0.1:5000");
    CHECK(first["peer"].as_string() == "127.0.0.1:41234");
    CHECK(first["bytes_in"].as_int() == 300);
    CHECK(first["bytes_out"].as_int() == 120);
    const auto& second = event["sockets"][1];
    CHECK(second["kind"].as_string() == "udp");
    CHECK(second["local"].as_string() == "[::1]:6000");
    CHECK(second["peer"].as_string() == "");
    CHECK(second["datagrams_in"].as_int() == 4);
    CHECK(second["datagrams_out"].as_int() == 2);
    CHECK(event["sockets_total"].as_int() == 2);
}

TEST_CASE("gate, dropped, hello and end events", "[trace][schema]") {
    const auto gate = parsed(
        trace::event_json(1, 0, "gate", trace::gate_fields("paused", "callback", true, 250, 3)));
    CHECK(gate["mode"].as_string() == "paused");
    CHECK(gate["step"].as_string() == "callback");
    CHECK(gate["waiting"].as_bool());
    CHECK(gate["speed_ms"].as_int() == 250);
    CHECK(gate["stops"].as_int() == 3);
    const auto dropped =
        parsed(trace::event_json(2, 0, "dropped", trace::dropped_fields("page", 12)));
    CHECK(dropped["where"].as_string() == "page");
    CHECK(dropped["count"].as_int() == 12);
    const auto hello =
        parsed(trace::event_json(3, 0, "hello", trace::hello_fields("lesson-07", "poll", 42)));
    CHECK(hello["program"].as_string() == "lesson-07");
    CHECK(hello["pid"].as_int() == 42);
    CHECK(parsed(trace::event_json(4, 0, "end", trace::end_fields("done")))["reason"].as_string() ==
          "done");
}

TEST_CASE("the loop reports its queues as they fill and drain: soon before next",
          "[trace][schema][loop]") {
    StateRecorder recorder;
    auto& stack = trace::CallStack::current();
    stack.set_sink(&recorder);
    {
        looplab::loop::EventLoop loop{"poll"};
        loop.set_timeout(0ms, [&] {
            loop.post_soon([] {});
            loop.post_next([] {});
        });
        REQUIRE(loop.run());
    }
    stack.set_sink(nullptr);

    // Find: both queued; then soon empty while next still waits; then both empty.
    std::size_t both = recorder.seen.size(), soon_drained = both, next_drained = both;
    for (std::size_t i = 0; i < recorder.seen.size(); ++i) {
        const auto& seen = recorder.seen[i];
        if (both == recorder.seen.size() && seen.soon == 1 && seen.next == 1) both = i;
        else if (both < i && soon_drained == recorder.seen.size() && seen.soon == 0 &&
                 seen.next == 1)
            soon_drained = i;
        else if (soon_drained < i && next_drained == recorder.seen.size() && seen.next == 0 &&
                 seen.phase == "next")
            next_drained = i;
    }
    CHECK(both < soon_drained);
    CHECK(soon_drained < next_drained);
    CHECK(next_drained < recorder.seen.size());
    // The loop's own wake-up fd is in the picture, labelled.
    CHECK(std::find(recorder.seen.front().fd_labels.begin(), recorder.seen.front().fd_labels.end(),
                    "wake-up") != recorder.seen.front().fd_labels.end());
}

TEST_CASE("with no sink the loop builds no picture", "[trace][schema][loop]") {
    StateRecorder recorder;   // not installed
    looplab::loop::EventLoop loop{"poll"};
    loop.set_timeout(0ms, [&] { loop.post_soon([] {}); });
    REQUIRE(loop.run());
    CHECK(recorder.seen.empty());
    CHECK_FALSE(trace::CallStack::current().is_tracing());
}

TEST_CASE("--trace-out FILE.jsonl: one schema event per line, hello first, end last",
          "[trace][schema]") {
    const std::string path = "/tmp/looplab-schema-test-" + std::to_string(::getpid()) + ".jsonl";
    {
        trace::JsonLinesSink sink{path, "test", "poll"};
        REQUIRE(sink.is_open());
        auto& stack = trace::CallStack::current();
        stack.set_sink(&sink);
        {
            looplab::loop::EventLoop loop{"poll"};
            loop.set_timeout(0ms, [] { LOOPLAB_TRACE_SCOPE("tick"); });
            REQUIRE(loop.run());
        }
        stack.set_sink(nullptr);
    }
    std::ifstream file{path};
    std::vector<json::Value> events;
    for (std::string line; std::getline(file, line);) events.push_back(parsed(line));
    std::remove(path.c_str());
    REQUIRE(events.size() > 4);
    CHECK(events.front()["k"].as_string() == "hello");
    CHECK(events.back()["k"].as_string() == "end");
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(events[i]["seq"].as_int() == static_cast<std::int64_t>(i + 1));
    const bool saw_tick = std::any_of(events.begin(), events.end(), [](const json::Value& e) {
        return e["k"].as_string() == "push" && e["name"].as_string() == "tick" &&
               e["depth"].as_int() == 1;
    });
    CHECK(saw_tick);
}
