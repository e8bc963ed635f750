// Stable names for changing values; see looplab/lesson/labels.hpp.
#include "looplab/lesson/labels.hpp"

#include <algorithm>

namespace looplab::lesson {

std::string letters_for(std::size_t index) {
    std::string letters;
    // Spreadsheet columns: A..Z, AA..AZ, BA... (bijective base 26).
    for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
    return letters;
}

const std::string* LabelBook::find(const std::string& value) const {
    const auto entry = std::find_if(entries_.begin(), entries_.end(),
                                    [&](const Entry& e) { return e.value == value; });
    return entry == entries_.end() ? nullptr : &entry->label;
}

std::string LabelBook::label(const std::string& value, std::string_view kind, bool demo) {
    if (!demo) return value;
    if (const std::string* known = find(value)) return *known;
    auto series = std::find_if(series_.begin(), series_.end(),
                               [&](const Series& s) { return s.kind == kind; });
    if (series == series_.end())
        series = series_.insert(series_.end(), Series{std::string{kind}, 0});
    std::string name = std::string{kind} + " " + letters_for(series->used++);
    entries_.push_back(Entry{value, name});
    return name;
}

std::string LabelBook::label_as(const std::string& value, std::string_view name, bool demo) {
    if (!demo) return value;
    if (const std::string* known = find(value)) return *known;
    entries_.push_back(Entry{value, std::string{name}});
    return std::string{name};
}

}   // namespace looplab::lesson
