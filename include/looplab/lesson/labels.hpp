// looplab/lesson/labels.hpp
//
// LabelBook — stable names for values that change from run to run. A demo that printed
// "127.0.0.1:53211" or "fd 7" could never match its expected.txt, so in --demo mode the
// first address a lesson shows becomes "client A", the next "client B", and the same address
// is "client A" every time it comes back. Lessons use it through Options::label().
//
// Contract: values are compared by their printed text. Each kind ("client", "server",
// "socket") has its own series: A..Z, then AA, AB... Outside --demo mode the book returns
// the value itself and remembers nothing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::lesson {

class LabelBook {
public:
    // "client A" for the first new value of kind "client", "client B" for the next...
    std::string label(const std::string& value, std::string_view kind, bool demo);
    // Names `value` exactly `name` (unless it already has a name: names never change).
    std::string label_as(const std::string& value, std::string_view name, bool demo);

private:
    struct Entry {
        std::string value;
        std::string label;
    };
    struct Series {
        std::string kind;
        std::size_t used = 0;
    };

    const std::string* find(const std::string& value) const;

    std::vector<Entry> entries_;   // a lesson names a handful of things: a scan is enough
    std::vector<Series> series_;
};

// 0 → "A", 25 → "Z", 26 → "AA": the letter part of a label.
std::string letters_for(std::size_t index);

}   // namespace looplab::lesson
