// looplab/core/error.hpp
//
// Error — what went wrong, in one line a student could write on the board:
//     bind 127.0.0.1:3000: Address already in use
// `context` says what we were doing; `code` is the errno (0 when the error is not a system one).
#pragma once

#include <fmt/format.h>

#include <string>

namespace looplab {

class Error {
public:
    Error(int code, std::string context) : code_(code), context_(std::move(context)) {}

    // Reads errno now, so call it right after the failing syscall.
    static Error from_errno(std::string context);

    // An error that is not a syscall's: a bad argument, a protocol violation, a timeout.
    static Error because(std::string what) { return Error{0, std::move(what)}; }

    int code() const { return code_; }
    const std::string& context() const { return context_; }

    // "context: strerror(code)", or just the context when code is 0.
    std::string message() const;

private:
    int code_;
    std::string context_;
};

// A byte as an error message names it: 'x' when printable ASCII, 0x1f when not (a control
// byte or half a UTF-8 character would garble the log line). The decoders' messages use it.
std::string shown_byte(char byte);

}   // namespace looplab

template <>
struct fmt::formatter<looplab::Error> : fmt::formatter<std::string> {
    template <typename FormatContext>
    auto format(const looplab::Error& error, FormatContext& ctx) const {
        return fmt::formatter<std::string>::format(error.message(), ctx);
    }
};
