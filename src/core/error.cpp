#include "looplab/core/error.hpp"

#include <cerrno>
#include <cstring>

namespace looplab {

Error Error::from_errno(std::string context) { return Error{errno, std::move(context)}; }

std::string Error::message() const {
    if (code_ == 0) return context_;
    return fmt::format("{}: {}", context_, std::strerror(code_));
}

std::string shown_byte(char byte) {
    const auto code = static_cast<unsigned char>(byte);
    if (code >= 0x20 && code < 0x7f) return fmt::format("'{}'", byte);
    return fmt::format("0x{:02x}", code);
}

}   // namespace looplab
