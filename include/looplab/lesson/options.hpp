// looplab/lesson/options.hpp
//
// Options — what a lesson binary was asked to do, read from its command line by parse().
// Every lesson understands the same flags, so a teacher learns them once:
//
//   --demo            scripted run with stable output (labels, not ports, fds or times);
//                     `make run N=07` uses it and `make test` compares it with expected.txt
//   --trace           print the call stack and the loop's phases as the program runs
//   --trace-out FILE  write a Chrome trace (open it in https://ui.perfetto.dev)
//   --poller=NAME     epoll, poll, kqueue... (default: $LOOPLAB_POLLER, else the best one)
//   --pause           wait for Enter before each step (for a live class)
//   --watch[=PORT]    the loop live in a browser, with pause and step (notes/watch/README.md)
//   --help            print the usage and exit 0
//
// A lesson adds its own options by passing specs to parse():
//
//     const auto options = lesson::parse(argc, argv, "lesson-10",
//                                        lesson::number("port", "N", "UDP port", 4950),
//                                        lesson::flag("netem", "drop packets on purpose"));
//     const auto port = options.number("port");            // 4950 unless --port N was given
//     if (options.has("netem")) ...
//
// Contract: a bad command line (unknown flag, missing or non-numeric value) prints the
// problem and the usage on stderr and exits 2; an unknown poller (also in $LOOPLAB_POLLER)
// prints one line listing the available ones and exits 2; --help exits 0. Values are given
// as `--name VALUE` or `--name=VALUE`. Asking for an option that was never declared is a bug
// in the lesson and aborts with a message saying so.
#pragma once

#include "looplab/lesson/labels.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::lesson {

// One lesson-specific option. Make them with flag(), number() or text().
struct OptionSpec {
    enum class Kind { Flag, Number, Text };

    Kind kind = Kind::Flag;
    std::string name;            // without the dashes: "port"
    std::string value_name;      // shown in the usage: "N", "FILE"; empty for a flag
    std::string help;            // one line
    std::string default_value;   // used when the option is not given
};

// --name, present or not.
OptionSpec flag(std::string_view name, std::string_view help);
// --name N, a whole number (negative allowed); `fallback` when not given.
OptionSpec number(std::string_view name, std::string_view value_name, std::string_view help,
                  std::int64_t fallback);
// --name TEXT; `fallback` when not given.
OptionSpec text(std::string_view name, std::string_view value_name, std::string_view help,
                std::string_view fallback = {});

class Options {
public:
    std::string lesson_name;   // "lesson-07": the prefix of fail() and warn() lines
    std::string program;       // the binary's name, for the usage line
    bool demo = false;
    bool trace = false;
    std::string trace_out;   // empty: no Chrome trace
    std::string poller;      // always a valid name after parse(): the one the loop will use
    bool pause = false;
    std::optional<std::uint16_t> watch;   // --watch[=PORT]; 0: any free port

    // True if the flag (or a value for the option) was on the command line.
    bool has(std::string_view name) const;
    // The option's value, or its default.
    std::int64_t number(std::string_view name) const;
    const std::string& text(std::string_view name) const;

    // Prints "== N. title ==" (N counts from 1); with --pause, first prints "(press Enter for
    // step N: title)" on stderr and waits for a line on stdin (the prompt ends its own line
    // when stdin is not a terminal, e.g. piped input; at end of input it stops waiting).
    // const because a step changes nothing the lesson reads back (same for label()).
    void step(std::string_view title) const;

    // A stable name for a value that changes from run to run (an address, a port, an fd).
    // In --demo mode: "client A", "client B"... in order of first appearance, one series per
    // kind; the same value always gets the same name. Otherwise: the value itself.
    template <typename T>
    std::string label(const T& value, std::string_view kind = "client") const {
        return labels_->label(fmt::format("{}", value), kind, demo);
    }
    // Gives `value` a fixed name ("the server") in --demo mode; its real value otherwise.
    template <typename T>
    std::string label_as(const T& value, std::string_view name) const {
        return labels_->label_as(fmt::format("{}", value), name, demo);
    }

private:
    friend Options parse_specs(int argc, char** argv, std::string_view lesson_name,
                               std::span<const OptionSpec> specs);

    struct Value {
        OptionSpec spec;
        std::optional<std::string> given;
    };
    const Value& find(std::string_view name, OptionSpec::Kind kind) const;

    std::vector<Value> extras_;
    // Shared so that copies of Options keep one label book and one step counter.
    std::shared_ptr<LabelBook> labels_ = std::make_shared<LabelBook>();
    std::shared_ptr<int> steps_taken_ = std::make_shared<int>(0);
};

// Reads the command line (see the top of this file). Exits the process on --help (0) and on
// a bad command line (2); otherwise returns the options. Also remembers `lesson_name` for
// fail(), warn() and finish().
Options parse_specs(int argc, char** argv, std::string_view lesson_name,
                    std::span<const OptionSpec> specs);

template <typename... Specs>
Options parse(int argc, char** argv, std::string_view lesson_name, Specs&&... specs) {
    const std::vector<OptionSpec> all{OptionSpec(std::forward<Specs>(specs))...};
    return parse_specs(argc, argv, lesson_name, all);
}

// The usage text parse() prints for --help (and, on stderr, for a bad command line).
std::string usage(std::string_view program, std::span<const OptionSpec> specs);

}   // namespace looplab::lesson
