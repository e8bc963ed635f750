// looplab/core/result.hpp
//
// Result<T> — a value, or the Error that prevented it. C++20 has no std::expected yet, so this
// is the small part of it we need. Status is Result<void>: "it worked", or why not.
//
//     auto listener = TcpListener::bind(loop, address);
//     if (!listener) return listener.error();     // pass the failure up, unchanged
//     listener->start(on_accept);                 // use the value like a pointer
//
// Reading value() of a failed Result (or error() of a good one) is a bug and aborts.
#pragma once

#include "looplab/core/assert.hpp"
#include "looplab/core/error.hpp"

#include <optional>
#include <utility>
#include <variant>

namespace looplab {

// Returned by functions whose Status is "it worked": `return Ok{};`
struct Ok {};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value)
        : state_(std::in_place_index<0>, std::move(value)) {}   // NOLINT: implicit on purpose
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}   // NOLINT

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        LOOPLAB_ASSERT(has_value(), "value() of a failed Result; check it with `if (!r)` first");
        return std::get<0>(state_);
    }
    const T& value() const& {
        LOOPLAB_ASSERT(has_value(), "value() of a failed Result; check it with `if (!r)` first");
        return std::get<0>(state_);
    }
    T&& value() && {
        LOOPLAB_ASSERT(has_value(), "value() of a failed Result; check it with `if (!r)` first");
        return std::get<0>(std::move(state_));
    }
    const Error& error() const {
        LOOPLAB_ASSERT(!has_value(), "error() of a Result that holds a value");
        return std::get<1>(state_);
    }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result(Ok) {}                                       // NOLINT: implicit on purpose
    Result(Error error) : error_(std::move(error)) {}   // NOLINT

    bool has_value() const { return !error_; }
    explicit operator bool() const { return has_value(); }
    const Error& error() const {
        LOOPLAB_ASSERT(error_.has_value(), "error() of a Status that succeeded");
        return *error_;
    }

private:
    std::optional<Error> error_;
};

using Status = Result<void>;

}   // namespace looplab
