// Chrome Trace Event format: a JSON array of {"name","ph","ts","pid","tid"} objects.
// "B"/"E" open and close a bar (our push/pop); "i" is an instant mark (our notes and turns).
#include "looplab/trace/sinks.hpp"

#include "looplab/trace/loop_state.hpp"

namespace looplab::trace {

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
                else out += c;
        }
    }
    return out;
}

ChromeTraceSink::ChromeTraceSink(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
    if (file_) std::fputs("[\n", file_);
}

ChromeTraceSink::~ChromeTraceSink() {
    if (!file_) return;
    std::fputs("\n]\n", file_);
    std::fclose(file_);
}

long long ChromeTraceSink::micros_since_start() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start_)
        .count();
}

void ChromeTraceSink::event(std::string_view name, char phase, std::string_view args) {
    if (!file_) return;
    fmt::print(file_, "{}{{\"name\":\"{}\",\"ph\":\"{}\",\"ts\":{},\"pid\":1,\"tid\":1{}{}}}",
               first_ ? "" : ",\n", json_escape(name), phase, micros_since_start(),
               phase == 'i' ? ",\"s\":\"t\"" : "", args);
    first_ = false;
}

void ChromeTraceSink::turn(std::uint64_t number) { event(fmt::format("turn {}", number), 'i', ""); }

void ChromeTraceSink::note(std::string_view stable, std::string_view live, std::size_t) {
    event(stable, 'i',
          live.empty() ? std::string{}
                       : fmt::format(",\"args\":{{\"live\":\"{}\"}}", json_escape(live)));
}

void ChromeTraceSink::push(const Frame& frame, std::size_t) {
    event(frame.name, 'B',
          frame.detail.empty()
              ? std::string{}
              : fmt::format(",\"args\":{{\"detail\":\"{}\"}}", json_escape(frame.detail)));
}

void ChromeTraceSink::pop(const Frame& frame, std::size_t) { event(frame.name, 'E', ""); }

void ChromeTraceSink::state(const LoopState& state) {
    event("queues", 'C',
          fmt::format(",\"args\":{{\"soon\":{},\"next\":{},\"timers\":{},\"fds\":{}}}", state.soon,
                      state.next, state.timers.size(), state.fds.size()));
}

}   // namespace looplab::trace
