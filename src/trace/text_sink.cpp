#include "looplab/trace/sinks.hpp"

namespace looplab::trace {
namespace {

// "| | " for depth 2: one bar per frame that is still open around this line.
std::string bars(std::size_t depth) {
    std::string out;
    for (std::size_t i = 0; i < depth; ++i) out += "| ";
    return out;
}

constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";

}   // namespace

std::string describe(const Frame& frame) {
    if (frame.detail.empty()) return std::string{frame.name};
    return fmt::format("{} {}", frame.name, frame.detail);
}

void TextSink::line(std::size_t depth, std::string_view colour_code, std::string_view text) {
    const std::string prefix = "  " + bars(depth);
    if (colour_) fmt::print(out_, "{}{}{}{}\n", prefix, colour_code, text, kReset);
    else fmt::print(out_, "{}{}\n", prefix, text);
}

void TextSink::turn(std::uint64_t number) {
    if (colour_) fmt::print(out_, "{}turn {}{}\n", kBold, number, kReset);
    else fmt::print(out_, "turn {}\n", number);
}

void TextSink::note(std::string_view stable, std::string_view live, std::size_t depth) {
    if (style_ == Style::Terminal && !live.empty())
        line(depth, kCyan, fmt::format("{} {}{}", stable, colour_ ? kDim : "", live));
    else line(depth, kCyan, stable);
}

void TextSink::push(const Frame& frame, std::size_t depth) {
    line(depth, kGreen, "> " + describe(frame));
}

// A pop line repeats all its push line said ("< timer #1" closes "> timer #1"), so a reader
// can pair them without counting bars.
void TextSink::pop(const Frame& frame, std::size_t depth) {
    line(depth, kDim, "< " + describe(frame));
}

void StringSink::turn(std::uint64_t number) { text_ += fmt::format("turn {}\n", number); }

void StringSink::note(std::string_view stable, std::string_view, std::size_t depth) {
    text_ += fmt::format("  {}{}\n", bars(depth), stable);
}

void StringSink::push(const Frame& frame, std::size_t depth) {
    text_ += fmt::format("  {}> {}\n", bars(depth), describe(frame));
}

void StringSink::pop(const Frame& frame, std::size_t depth) {
    text_ += fmt::format("  {}< {}\n", bars(depth), describe(frame));
}

}   // namespace looplab::trace
