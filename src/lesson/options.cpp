// Reading a lesson's command line; see looplab/lesson/options.hpp.
#include "looplab/lesson/options.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/lesson/say.hpp"
#include "looplab/poller/poller.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

namespace looplab::lesson {
namespace {

// The options every lesson has, in the order the usage lists them.
struct Common {
    std::string_view name;
    std::string_view value_name;
    std::string_view help;
};
constexpr Common kCommon[] = {
    {"demo", "", "scripted run with stable output (what expected.txt holds)"},
    {"trace", "", "print the call stack and the loop's phases as the program runs"},
    {"trace-out", "FILE", "write a Chrome trace to FILE (open it in https://ui.perfetto.dev)"},
    {"poller", "NAME", "how the loop waits"},
    {"pause", "", "wait for Enter before each step"},
    {"watch", "",
     "the loop live in a browser (--watch=PORT for a fixed port; notes/watch/README.md)"},
    {"help", "", "print this and exit"},
};

std::string_view base_name(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void bad_command_line(std::string_view problem, const std::string& usage_text) {
    fmt::print(stderr, "{}: {}\n{}", lesson_name(), problem, usage_text);
    std::fflush(stderr);
    std::exit(2);
}

bool is_whole_number(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
}

}   // namespace

OptionSpec flag(std::string_view name, std::string_view help) {
    return OptionSpec{OptionSpec::Kind::Flag, std::string{name}, "", std::string{help}, ""};
}

OptionSpec number(std::string_view name, std::string_view value_name, std::string_view help,
                  std::int64_t fallback) {
    return OptionSpec{OptionSpec::Kind::Number, std::string{name}, std::string{value_name},
                      std::string{help}, std::to_string(fallback)};
}

OptionSpec text(std::string_view name, std::string_view value_name, std::string_view help,
                std::string_view fallback) {
    return OptionSpec{OptionSpec::Kind::Text, std::string{name}, std::string{value_name},
                      std::string{help}, std::string{fallback}};
}

std::string usage(std::string_view program, std::span<const OptionSpec> specs) {
    std::string pollers;
    for (const std::string& name : poller::available_pollers())
        pollers += (pollers.empty() ? "" : "|") + name;

    std::string out = fmt::format("usage: {} [options]\n\n", program);
    const auto row = [&](std::string_view name, std::string_view value_name,
                         std::string_view help) {
        const std::string left = value_name.empty() ? fmt::format("--{}", name)
                                                    : fmt::format("--{} {}", name, value_name);
        out += fmt::format("  {:<18} {}\n", left, help);
    };
    for (const Common& common : kCommon) {
        if (common.name == "poller")
            row(common.name, common.value_name,
                fmt::format("how the loop waits: {} (default: $LOOPLAB_POLLER, else {})", pollers,
                            poller::available_pollers().front()));
        else row(common.name, common.value_name, common.help);
    }
    if (!specs.empty()) out += "\n";
    for (const OptionSpec& spec : specs) {
        std::string help = spec.help;
        if (spec.kind != OptionSpec::Kind::Flag && !spec.default_value.empty())
            help += fmt::format(" (default: {})", spec.default_value);
        row(spec.name, spec.value_name, help);
    }
    return out;
}

Options parse_specs(int argc, char** argv, std::string_view lesson_name,
                    std::span<const OptionSpec> specs) {
    set_lesson_name(lesson_name);
    Options options;
    options.lesson_name = std::string{lesson_name};
    options.program = std::string{base_name(argc > 0 ? argv[0] : lesson_name)};
    for (const OptionSpec& spec : specs) options.extras_.push_back(Options::Value{spec, {}});
    const std::string usage_text = usage(options.program, specs);

    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (!arg.starts_with("--") || arg.size() == 2)
            bad_command_line(fmt::format("unexpected argument '{}'", arg), usage_text);
        const auto equals = arg.find('=');
        const std::string_view name =
            arg.substr(2, equals == std::string_view::npos ? arg.npos : equals - 2);
        std::optional<std::string_view> inline_value;
        if (equals != std::string_view::npos) inline_value = arg.substr(equals + 1);

        // Reads the value of "--name VALUE" or "--name=VALUE".
        const auto value = [&]() -> std::string {
            if (inline_value) return std::string{*inline_value};
            if (i + 1 >= argc)
                bad_command_line(fmt::format("--{} needs a value", name), usage_text);
            return argv[++i];
        };
        const auto no_value = [&] {
            if (inline_value)
                bad_command_line(fmt::format("--{} takes no value", name), usage_text);
        };

        if (name == "help") {
            no_value();
            fmt::print("{}", usage_text);
            std::fflush(stdout);
            std::exit(0);
        } else if (name == "demo") {
            no_value();
            options.demo = true;
        } else if (name == "trace") {
            no_value();
            options.trace = true;
        } else if (name == "pause") {
            no_value();
            options.pause = true;
        } else if (name == "watch") {
            std::int64_t port = 0;
            if (inline_value &&
                (!is_whole_number(*inline_value) ||
                 (port = std::stoll(std::string{*inline_value})) < 0 || port > 65535))
                bad_command_line(
                    fmt::format("--watch=PORT needs a port (0-65535), not '{}'", *inline_value),
                    usage_text);
            options.watch = static_cast<std::uint16_t>(port);
        } else if (name == "trace-out") {
            options.trace_out = value();
        } else if (name == "poller") {
            options.poller = value();
            if (options.poller.empty()) bad_command_line("--poller needs a name", usage_text);
        } else {
            const auto extra =
                std::find_if(options.extras_.begin(), options.extras_.end(),
                             [&](const Options::Value& v) { return v.spec.name == name; });
            if (extra == options.extras_.end())
                bad_command_line(fmt::format("unknown option '--{}'", name), usage_text);
            if (extra->spec.kind == OptionSpec::Kind::Flag) {
                no_value();
                extra->given = "";
            } else {
                extra->given = value();
                if (extra->spec.kind == OptionSpec::Kind::Number && !is_whole_number(*extra->given))
                    bad_command_line(
                        fmt::format("--{} needs a whole number, not '{}'", name, *extra->given),
                        usage_text);
            }
        }
    }

    // Check the poller now (also one named by $LOOPLAB_POLLER), so a typo is one clear line
    // and exit 2, not an abort deep inside the loop's constructor. The name is resolved here,
    // so options.poller always names the backend the lesson's loops will really use.
    if (options.poller.empty()) {
        const char* from_environment = std::getenv("LOOPLAB_POLLER");
        options.poller = from_environment != nullptr && *from_environment != '\0'
                             ? std::string{from_environment}
                             : poller::available_pollers().front();
    }
    auto poller = poller::make_poller(options.poller);
    if (!poller) {
        fmt::print(stderr, "{}: {}\n", lesson_name, poller.error().message());
        std::exit(2);
    }
    options.poller = std::string{poller.value()->name()};
    return options;
}

const Options::Value& Options::find(std::string_view name, OptionSpec::Kind kind) const {
    const auto extra = std::find_if(extras_.begin(), extras_.end(),
                                    [&](const Value& v) { return v.spec.name == name; });
    LOOPLAB_ASSERT(extra != extras_.end(), "this option was not declared; pass it to parse()");
    LOOPLAB_ASSERT(extra->spec.kind == kind || kind == OptionSpec::Kind::Flag,
                   "option read with the wrong getter; number() for number(), text() for text()");
    return *extra;
}

bool Options::has(std::string_view name) const {
    return find(name, OptionSpec::Kind::Flag).given.has_value();
}

std::int64_t Options::number(std::string_view name) const {
    const Value& value = find(name, OptionSpec::Kind::Number);
    const std::string& digits = value.given ? *value.given : value.spec.default_value;
    std::int64_t result = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), result);   // checked by parse()
    return result;
}

const std::string& Options::text(std::string_view name) const {
    const Value& value = find(name, OptionSpec::Kind::Text);
    return value.given ? *value.given : value.spec.default_value;
}

void Options::step(std::string_view title) const {
    const int number = ++*steps_taken_;
    if (pause) {
        std::fflush(stdout);
        fmt::print(stderr, "(press Enter for step {}: {})", number, title);
        std::fflush(stderr);
        // One byte at a time, straight from fd 0: stdio would read ahead and swallow the
        // lines meant for later steps (or, in the walkthrough, for the lessons after this).
        for (char c = 0; ::read(STDIN_FILENO, &c, 1) == 1 && c != '\n';) {}
        // A terminal echoes the Enter, which ends the prompt's line; piped input is not
        // echoed, so the prompt ends its line itself and the next step starts on a new one.
        if (::isatty(STDIN_FILENO) == 0) fmt::print(stderr, "\n");
    }
    if (number > 1) say_line("");
    say_line(fmt::format("== {}. {} ==", number, title));
}

}   // namespace looplab::lesson
