// The trace event schema, version 1; see looplab/trace/event_schema.hpp.
#include "looplab/trace/event_schema.hpp"

#include "looplab/trace/sinks.hpp"

#include "looplab/codec/utf8.hpp"

#include <fmt/format.h>

namespace looplab::trace {
namespace {

// A JSON string's content that is always valid UTF-8: a page receives events as WebSocket
// text, and one invalid byte there makes the browser drop the connection. Frame details can
// hold any bytes (a lesson shows a packet), so bytes that are not UTF-8 are shown as the
// characters U+0080..U+00FF of the same value.
std::string json_text(std::string_view value) {
    if (codec::is_valid_utf8(value)) return json_escape(value);
    std::string out;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) out += fmt::format("\\u{:04x}", static_cast<unsigned>(byte));
        else out += json_escape(std::string_view{&c, 1});
    }
    return out;
}

// `,"src":"file:line"` when the site is known, else nothing (a reader treats a missing src
// as "unknown").
std::string src_member(SourceSite site) {
    if (!site.is_known()) return {};
    return fmt::format(",\"src\":\"{}:{}\"", json_text(site.file()), site.line());
}

}   // namespace

std::string event_json(std::uint64_t seq, std::int64_t t_us, std::string_view kind,
                       std::string_view fields) {
    return fmt::format("{{\"v\":{},\"seq\":{},\"t\":{},\"k\":\"{}\"{}}}", kTraceSchemaVersion, seq,
                       t_us, json_text(kind), fields);
}

std::string hello_fields(std::string_view program, std::string_view poller, long pid) {
    return fmt::format(",\"program\":\"{}\",\"poller\":\"{}\",\"pid\":{}", json_text(program),
                       json_text(poller), pid);
}

std::string turn_fields(std::uint64_t number) { return fmt::format(",\"n\":{}", number); }

std::string note_fields(std::string_view text, std::string_view live, std::size_t depth) {
    return fmt::format(",\"text\":\"{}\",\"live\":\"{}\",\"depth\":{}", json_text(text),
                       json_text(live), depth);
}

std::string push_fields(const Frame& frame, std::size_t depth) {
    return fmt::format(",\"name\":\"{}\",\"detail\":\"{}\",\"depth\":{}{}", json_text(frame.name),
                       json_text(frame.detail), depth, src_member(frame.site));
}

std::string pop_fields(const Frame& frame, std::size_t depth) {
    return fmt::format(",\"name\":\"{}\",\"depth\":{}", json_text(frame.name), depth);
}

std::string state_fields(const LoopState& state) {
    std::string out = fmt::format(
        ",\"phase\":\"{}\",\"turn\":{},\"poller\":\"{}\",\"soon\":{},\"next\":{},\"closes\":{}",
        json_text(state.phase), state.turn, json_text(state.poller), state.soon, state.next,
        state.closes);
    out += ",\"timers\":[";
    for (std::size_t i = 0; i < state.timers.size(); ++i) {
        const TimerView& timer = state.timers[i];
        out += fmt::format("{}{{\"id\":{},\"in_ms\":{},\"repeats\":{}{}}}", i == 0 ? "" : ",",
                           timer.number, timer.due_in_ms, timer.repeats, src_member(timer.site));
    }
    out += "],\"fds\":[";
    for (std::size_t i = 0; i < state.fds.size(); ++i) {
        const FdView& fd = state.fds[i];
        out += fmt::format(
            "{}{{\"fd\":{},\"label\":\"{}\",\"read\":{},\"write\":{},\"ready\":{},\"keeps_alive\":{"
            "}{}}}",
            i == 0 ? "" : ",", fd.fd, json_text(fd.label), fd.read, fd.write, fd.ready,
            fd.keeps_alive, src_member(fd.site));
    }
    out +=
        fmt::format("],\"timers_total\":{},\"fds_total\":{}", state.timers_total, state.fds_total);
    out += ",\"sockets\":[";
    for (std::size_t i = 0; i < state.sockets.size(); ++i) {
        const SocketView& socket = state.sockets[i];
        out += fmt::format(
            "{}{{\"id\":{},\"fd\":{},\"kind\":\"{}\",\"state\":\"{}\",\"local\":\"{}\","
            "\"peer\":\"{}\",\"bytes_in\":{},\"bytes_out\":{},\"datagrams_in\":{},"
            "\"datagrams_out\":{}}}",
            i == 0 ? "" : ",", socket.id, socket.fd, json_text(socket.kind),
            json_text(socket.state), json_text(socket.local), json_text(socket.peer),
            socket.bytes_in, socket.bytes_out, socket.datagrams_in, socket.datagrams_out);
    }
    out += fmt::format("],\"sockets_total\":{}", state.sockets_total);
    return out;
}

std::string dropped_fields(std::string_view where, std::uint64_t count) {
    return fmt::format(",\"where\":\"{}\",\"count\":{}", json_text(where), count);
}

std::string end_fields(std::string_view reason) {
    return fmt::format(",\"reason\":\"{}\"", json_text(reason));
}

std::string gate_fields(std::string_view mode, std::string_view step, bool waiting,
                        std::int64_t speed_ms, std::uint64_t stops) {
    return fmt::format(
        ",\"mode\":\"{}\",\"step\":\"{}\",\"waiting\":{},\"speed_ms\":{},\"stops\":{}",
        json_text(mode), json_text(step), waiting, speed_ms, stops);
}

}   // namespace looplab::trace
