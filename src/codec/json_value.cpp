// looplab/codec/json_value.cpp
//
// json::Value's accessors. The value is a std::variant whose alternatives are listed in the
// order of json::Type, so type() is just the variant's index. Each accessor asserts the type:
// asking a string for its number is a bug in the caller, who should have checked is_...().
#include "looplab/codec/json.hpp"

#include "looplab/core/assert.hpp"

namespace looplab::codec::json {

std::string_view type_name(Type type) {
    switch (type) {
        case Type::Null: return "null";
        case Type::Bool: return "bool";
        case Type::Int: return "int";
        case Type::Double: return "double";
        case Type::String: return "string";
        case Type::Array: return "array";
        case Type::Object: return "object";
        case Type::Bytes: return "bytes";
    }
    return "unknown";
}

bool Value::as_bool() const {
    LOOPLAB_ASSERT(is_bool(), "as_bool() of a value that is not a bool; check is_bool() first");
    return std::get<bool>(data_);
}

std::int64_t Value::as_int() const {
    LOOPLAB_ASSERT(is_int(), "as_int() of a value that is not an Int; check is_int() first");
    return std::get<std::int64_t>(data_);
}

double Value::as_double() const {
    LOOPLAB_ASSERT(is_number(), "as_double() of a value that is not a number; check is_number()");
    if (is_int()) return static_cast<double>(std::get<std::int64_t>(data_));
    return std::get<double>(data_);
}

const std::string& Value::as_string() const {
    LOOPLAB_ASSERT(is_string(), "as_string() of a value that is not a string; check is_string()");
    return std::get<std::string>(data_);
}

std::string& Value::as_string() {
    LOOPLAB_ASSERT(is_string(), "as_string() of a value that is not a string; check is_string()");
    return std::get<std::string>(data_);
}

const Array& Value::as_array() const {
    LOOPLAB_ASSERT(is_array(), "as_array() of a value that is not an array; check is_array()");
    return std::get<Array>(data_);
}

Array& Value::as_array() {
    LOOPLAB_ASSERT(is_array(), "as_array() of a value that is not an array; check is_array()");
    return std::get<Array>(data_);
}

const Object& Value::as_object() const {
    LOOPLAB_ASSERT(is_object(), "as_object() of a value that is not an object; check is_object()");
    return std::get<Object>(data_);
}

Object& Value::as_object() {
    LOOPLAB_ASSERT(is_object(), "as_object() of a value that is not an object; check is_object()");
    return std::get<Object>(data_);
}

const std::string& Value::as_bytes() const {
    LOOPLAB_ASSERT(is_bytes(), "as_bytes() of a value that does not hold Bytes; check is_bytes()");
    return std::get<Bytes>(data_).data;
}

// Backwards, so that the last of two equal keys wins (only a hand-built object can have two).
const Value* Value::find(std::string_view key) const {
    const auto* members = std::get_if<Object>(&data_);
    if (members == nullptr) return nullptr;
    for (auto member = members->rbegin(); member != members->rend(); ++member)
        if (member->first == key) return &member->second;
    return nullptr;
}

Value* Value::find(std::string_view key) {
    return const_cast<Value*>(std::as_const(*this).find(key));
}

const Value& Value::operator[](std::string_view key) const {
    LOOPLAB_ASSERT(is_object(), "value[key] of a value that is not an object; use find()");
    const Value* found = find(key);
    LOOPLAB_ASSERT(found != nullptr,
                   "value[key] of a missing key; use find() when it may be absent");
    return *found;
}

const Value& Value::operator[](std::size_t index) const {
    LOOPLAB_ASSERT(is_array(), "value[index] of a value that is not an array; check is_array()");
    const Array& items = std::get<Array>(data_);
    LOOPLAB_ASSERT(index < items.size(), "value[index] past the end of the array; check size()");
    return items[index];
}

void Value::set(std::string key, Value value) {
    LOOPLAB_ASSERT(is_object(), "set() on a value that is not an object; start from object()");
    if (Value* existing = find(key)) {
        *existing = std::move(value);
        return;
    }
    std::get<Object>(data_).emplace_back(std::move(key), std::move(value));
}

void Value::push_back(Value value) {
    LOOPLAB_ASSERT(is_array(), "push_back() on a value that is not an array; start from array()");
    std::get<Array>(data_).push_back(std::move(value));
}

std::size_t Value::size() const {
    if (const auto* items = std::get_if<Array>(&data_)) return items->size();
    if (const auto* members = std::get_if<Object>(&data_)) return members->size();
    return 0;
}

bool Value::has_bytes() const {
    switch (type()) {
        case Type::Bytes: return true;
        case Type::Array:
            for (const Value& item : std::get<Array>(data_))
                if (item.has_bytes()) return true;
            return false;
        case Type::Object:
            for (const Member& member : std::get<Object>(data_))
                if (member.second.has_bytes()) return true;
            return false;
        default: return false;
    }
}

}   // namespace looplab::codec::json
