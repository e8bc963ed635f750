#include "looplab/events/unhandled_error_event.hpp"

namespace looplab::events {

UnhandledErrorEvent::UnhandledErrorEvent(std::string_view error_text)
    : std::runtime_error(fmt::format("Unhandled 'error' event: {}", error_text)) {}

namespace detail {

std::string text_of_exception(const std::exception_ptr& error) {
    if (!error) return "(an empty exception_ptr)";
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "(an exception that is not a std::exception)";
    }
}

}   // namespace detail
}   // namespace looplab::events
