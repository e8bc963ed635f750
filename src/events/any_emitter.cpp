#include "looplab/events/any_emitter.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <cxxabi.h>
#include <memory>
#include <typeindex>

namespace looplab::events::detail {

namespace {

// The names a student would write, for the types events usually carry; any other type gets
// the compiler's spelling (demangled), which is correct but long.
std::string readable_name(const std::type_info& type) {
    static const std::pair<std::type_index, const char*> kCommon[] = {
        {typeid(bool), "bool"},
        {typeid(char), "char"},
        {typeid(int), "int"},
        {typeid(unsigned), "unsigned int"},
        {typeid(long), "long"},
        {typeid(unsigned long), "unsigned long"},
        {typeid(long long), "long long"},
        {typeid(unsigned long long), "unsigned long long"},
        {typeid(double), "double"},
        {typeid(float), "float"},
        {typeid(std::string), "std::string"},
        {typeid(std::string_view), "std::string_view"},
        {typeid(std::vector<std::uint8_t>), "std::vector<std::uint8_t>"},
    };
    for (const auto& [known, name] : kCommon)
        if (known == std::type_index{type}) return name;

    int status = 0;
    const std::unique_ptr<char, decltype(&std::free)> demangled{
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free};
    return status == 0 && demangled ? std::string{demangled.get()} : std::string{type.name()};
}

std::string text_of(Signature types) {
    std::string text = "(";
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (i > 0) text += ", ";
        text += readable_name(*types[i]);
    }
    return text + ")";
}

}   // namespace

bool same_types(Signature a, Signature b) {
    if (a.data() == b.data() && a.size() == b.size()) return true;   // the same instantiation
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (*a[i] != *b[i]) return false;
    return true;
}

std::string mismatch_message(std::string_view event, Signature expects, Signature passed) {
    return fmt::format("event '{}': listener expects {} but emit passed {}", event,
                       text_of(expects), text_of(passed));
}

}   // namespace looplab::events::detail
