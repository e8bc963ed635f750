#include "looplab/core/error.hpp"

#include <cerrno>
#include <cstring>

namespace looplab {

Error Error::from_errno(std::string context) { return Error{errno, std::move(context)}; }

std::string Error::message() const {
    if (code_ == 0) return context_;
    return fmt::format("{}: {}", context_, std::strerror(code_));
}

}  // namespace looplab
