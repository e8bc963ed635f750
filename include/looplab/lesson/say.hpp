// looplab/lesson/say.hpp
//
// How a lesson talks: say() for the story on stdout, warn() for something that went wrong
// but does not end the lesson, fail() for the one line that does, and must() / or_fail() for
// the set-up steps that have to work:
//
//     lesson::say("[udp] datagram \"{}\" from {}", text, options.label(from));
//     if (!socket) lesson::fail(socket.error());      // "lesson-10: bind ...: Address in use"
//     lesson::must(listener.start(on_accept));        // fail() if it did not start
//     auto socket = lesson::or_fail(net::UdpSocket::bind(loop, where));   // the socket, or fail()
//     return lesson::finish(loop.run());               // 0, or the error line and 1
//
// Contract: every line is flushed at once, so the story and the tracer (which also writes to
// stdout) appear in the order they happened, even through a pipe. Errors go to stderr,
// prefixed by the lesson name that parse() was given ("lesson-10"); that name is the one
// piece of process-wide state in the kit, written once by parse() before anything runs.
#pragma once

#include "looplab/core/error.hpp"
#include "looplab/core/result.hpp"

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace looplab::lesson {

// One line on stdout ("\n" added), flushed.
void say_line(std::string_view line);

template <typename... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
    say_line(fmt::format(format, std::forward<Args>(args)...));
}

// "lesson-NN: warning: <message>" on stderr; the lesson goes on.
void warn(const Error& error);

// "lesson-NN: <message>" on stderr, then exit(1).
[[noreturn]] void fail(const Error& error);
[[noreturn]] void fail(std::string_view message);

// A set-up step that has to work: fail() with its error if it did not.
void must(const Status& status);

// What a set-up step made (a bound socket, a listener), or fail() with its error.
template <typename T>
T or_fail(Result<T> result) {
    if (!result) fail(result.error());
    return std::move(*result);
}

// The end of main(): 0 if `status` is fine, else fail()'s line and 1.
int finish(const Status& status);

// Set by parse(); "lesson" until then.
void set_lesson_name(std::string_view name);
std::string_view lesson_name();

}   // namespace looplab::lesson
