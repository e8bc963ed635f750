// looplab/events/unhandled_error_event.hpp
//
// UnhandledErrorEvent — what emit("error", ...) throws when nobody listens to "error".
// Teaches: the "error" rule of Emit (lessons/05-emit-raise-trigger): an error that nobody
// handles must not vanish, so it becomes an exception and stops the program loudly.
// This is the one exception looplab lets cross the loop (STYLE.md §14).
//
//     emitter.emit("error", std::string{"disk full"});
//     // no "error" listener → throws; what() == "Unhandled 'error' event: disk full"
//
// Node throws the Error object itself (or ERR_UNHANDLED_ERROR for other values); C++ has no
// common base for every value, so looplab always throws this type and puts the error's text in
// the message. The text comes from the first argument of the emit:
//   std::exception (or derived)  → what()
//   std::exception_ptr           → what() of the exception it holds
//   looplab::Error               → message()
//   anything string-like         → the string
//   anything fmt can print       → fmt::format("{}", value)
//   anything else, or no value   → a sentence saying so
#pragma once

#include "looplab/core/error.hpp"

#include <fmt/format.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace looplab::events {

// The name of the event with the special rule.
inline constexpr std::string_view kErrorEvent = "error";

class UnhandledErrorEvent final : public std::runtime_error {
public:
    // what() is "Unhandled 'error' event: " + error_text.
    explicit UnhandledErrorEvent(std::string_view error_text);
};

namespace detail {

std::string text_of_exception(const std::exception_ptr& error);

template <typename T>
std::string error_text_of(const T& value) {
    if constexpr (std::is_base_of_v<std::exception, T>) return value.what();
    else if constexpr (std::is_same_v<T, std::exception_ptr>) return text_of_exception(value);
    else if constexpr (std::is_same_v<T, Error>) return value.message();
    else if constexpr (std::is_convertible_v<const T&, std::string_view>)
        return std::string{std::string_view{value}};
    else if constexpr (fmt::is_formattable<T>::value) return fmt::format("{}", value);
    else return "(an error value that cannot be printed)";
}

// The text of the first argument, as the table in the header comment says.
template <typename... Args>
std::string error_text(const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        return "(emitted without an error value)";
    } else {
        return [](const auto& first, const auto&...) { return error_text_of(first); }(args...);
    }
}

}   // namespace detail
}   // namespace looplab::events
