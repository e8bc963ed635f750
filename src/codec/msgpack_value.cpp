// looplab/codec/msgpack_value.cpp
//
// msgpack::Value's accessors. The value is a std::variant whose alternatives are listed in the
// order of msgpack::Type, so type() is just the variant's index. Each accessor asserts the
// type: asking a str for its number is a bug in the caller, who should have checked type().
#include "looplab/codec/msgpack.hpp"

#include "looplab/core/assert.hpp"

namespace looplab::codec::msgpack {

std::string_view type_name(Type type) {
    switch (type) {
        case Type::Nil: return "nil";
        case Type::Bool: return "bool";
        case Type::Int: return "int";
        case Type::UInt: return "uint";
        case Type::Float32: return "float32";
        case Type::Float64: return "float64";
        case Type::String: return "str";
        case Type::Binary: return "bin";
        case Type::Array: return "array";
        case Type::Map: return "map";
    }
    return "unknown";
}

bool Value::as_bool() const {
    LOOPLAB_ASSERT(type() == Type::Bool,
                   "as_bool() of a value that is not a bool; check type() first");
    return std::get<bool>(data_);
}

std::int64_t Value::as_int() const {
    LOOPLAB_ASSERT(type() == Type::Int,
                   "as_int() of a value that is not an Int; check type() first");
    return std::get<std::int64_t>(data_);
}

std::uint64_t Value::as_uint() const {
    LOOPLAB_ASSERT(type() == Type::UInt,
                   "as_uint() of a value that is not a UInt (>= 2^63); check type() first");
    return std::get<std::uint64_t>(data_);
}

float Value::as_float32() const {
    LOOPLAB_ASSERT(type() == Type::Float32,
                   "as_float32() of a value that is not a Float32; check type() first");
    return std::get<float>(data_);
}

double Value::as_float64() const {
    LOOPLAB_ASSERT(type() == Type::Float64,
                   "as_float64() of a value that is not a Float64; check type() first");
    return std::get<double>(data_);
}

const std::string& Value::as_string() const {
    LOOPLAB_ASSERT(type() == Type::String,
                   "as_string() of a value that is not a str; check type() first");
    return std::get<std::string>(data_);
}

const std::string& Value::as_binary() const {
    LOOPLAB_ASSERT(type() == Type::Binary,
                   "as_binary() of a value that is not a bin; check type() first");
    return std::get<Binary>(data_).data;
}

const Array& Value::as_array() const {
    LOOPLAB_ASSERT(type() == Type::Array,
                   "as_array() of a value that is not an array; check type() first");
    return std::get<Array>(data_);
}

const Map& Value::as_map() const {
    LOOPLAB_ASSERT(type() == Type::Map,
                   "as_map() of a value that is not a map; check type() first");
    return std::get<Map>(data_);
}

const Value* Value::find(std::string_view key) const {
    const auto* pairs = std::get_if<Map>(&data_);
    if (pairs == nullptr) return nullptr;
    for (const auto& [k, v] : *pairs)
        if (k.type() == Type::String && k.as_string() == key) return &v;
    return nullptr;
}

}   // namespace looplab::codec::msgpack
