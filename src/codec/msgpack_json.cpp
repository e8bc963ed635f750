// looplab/codec/msgpack_json.cpp
//
// json::Value <-> msgpack::Value, for Socket.IO packets crossing Redis. JavaScript has one
// number type, so a JavaScript encoder writes 3.0 as the integer 3; from_json does the same,
// and a JavaScript reader sees no difference. Depth: json values are at most kJsonMaxDepth
// (128) deep when parsed, the same as kMsgpackMaxDepth.
#include "looplab/codec/msgpack.hpp"

#include <fmt/format.h>

#include <cmath>

namespace looplab::codec::msgpack {

namespace {

// Integers a double holds exactly (and JavaScript's Number.isSafeInteger).
constexpr double kMaxSafeInteger = 9007199254740991.0;   // 2^53 - 1

Value number_from_json(double d) {
    if (std::trunc(d) == d && std::fabs(d) <= kMaxSafeInteger && !(d == 0 && std::signbit(d)))
        return Value{static_cast<long long>(d)};
    return Value{d};
}

Result<std::string> key_to_json(const Value& key) {
    switch (key.type()) {
        case Type::String: return key.as_string();
        case Type::Int: return fmt::format("{}", key.as_int());
        case Type::UInt: return fmt::format("{}", key.as_uint());
        default:
            return Error::because(fmt::format("msgpack: a map key of type {} has no JSON form",
                                              type_name(key.type())));
    }
}

}   // namespace

Value from_json(const json::Value& value) {
    switch (value.type()) {
        case json::Type::Null: return Value{};
        case json::Type::Bool: return Value{value.as_bool()};
        case json::Type::Int: return Value{static_cast<long long>(value.as_int())};
        case json::Type::Double: return number_from_json(value.as_double());
        case json::Type::String: return Value{value.as_string()};
        case json::Type::Bytes: return Value{Binary{value.as_bytes()}};
        case json::Type::Array: {
            Array items;
            items.reserve(value.size());
            for (const json::Value& item : value.as_array()) items.push_back(from_json(item));
            return Value{std::move(items)};
        }
        case json::Type::Object: {
            Map pairs;
            pairs.reserve(value.size());
            for (const auto& [key, item] : value.as_object())
                pairs.emplace_back(Value{key}, from_json(item));
            return Value{std::move(pairs)};
        }
    }
    return Value{};
}

Result<json::Value> to_json(const Value& value) {
    switch (value.type()) {
        case Type::Nil: return json::Value{};
        case Type::Bool: return json::Value{value.as_bool()};
        case Type::Int: return json::Value{value.as_int()};
        case Type::UInt: return json::Value{static_cast<double>(value.as_uint())};
        case Type::Float32: return json::Value{static_cast<double>(value.as_float32())};
        case Type::Float64: return json::Value{value.as_float64()};
        case Type::String: return json::Value{value.as_string()};
        case Type::Binary: return json::Value::bytes(value.as_binary());
        case Type::Array: {
            json::Array items;
            items.reserve(value.as_array().size());
            for (const Value& item : value.as_array()) {
                auto converted = to_json(item);
                if (!converted) return converted.error();
                items.push_back(std::move(converted).value());
            }
            return json::Value{std::move(items)};
        }
        case Type::Map: {
            json::Value object = json::Value::object();
            for (const auto& [key, item] : value.as_map()) {
                auto name = key_to_json(key);
                if (!name) return name.error();
                auto converted = to_json(item);
                if (!converted) return converted.error();
                object.set(std::move(name).value(), std::move(converted).value());   // last wins
            }
            return object;
        }
    }
    return json::Value{};
}

}   // namespace looplab::codec::msgpack
