// A lesson's story told actor by actor, random ids named; see looplab/lesson/transcript.hpp.
#include "looplab/lesson/transcript.hpp"

#include "looplab/lesson/say.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace looplab::lesson {
namespace {

void replace_all(std::string& text, std::string_view what, std::string_view with) {
    if (what.empty()) return;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
}

void print_and_clear(std::vector<std::string>& lines) {
    for (const std::string& line : lines) say_line(line);
    lines.clear();
}

}   // namespace

void Transcript::add_actor(std::string name) { actor(name); }

Transcript::Actor& Transcript::actor(std::string_view name) {
    const auto found = std::find_if(actors_.begin(), actors_.end(),
                                    [&](const Actor& a) { return a.name == name; });
    if (found != actors_.end()) return *found;
    return actors_.emplace_back(Actor{std::string{name}, {}});
}

bool Transcript::is_named(std::string_view id) const {
    return std::any_of(names_.begin(), names_.end(), [&](const Name& n) { return n.id == id; });
}

void Transcript::name_id(std::string_view id, std::string_view kind) {
    if (!demo_ || id.empty() || is_named(id)) return;
    auto count = std::find_if(counts_.begin(), counts_.end(),
                              [&](const auto& c) { return c.first == kind; });
    if (count == counts_.end()) count = counts_.insert(counts_.end(), {std::string{kind}, 0});
    names_.push_back({std::string{id}, fmt::format("<{}-{}>", kind, ++count->second)});
}

void Transcript::name_id_as(std::string_view id, std::string name) {
    if (!demo_ || id.empty() || is_named(id)) return;
    names_.push_back({std::string{id}, std::move(name)});
}

std::string Transcript::hide_ids(std::string text) const {
    for (const Name& n : names_) replace_all(text, n.id, n.name);
    return text;
}

void Transcript::add(std::string_view who, std::string line) {
    actor(who).lines.push_back(hide_ids(std::move(line)));
}

void Transcript::flush(std::string_view first) {
    if (!first.empty()) print_and_clear(actor(first).lines);
    for (Actor& a : actors_) print_and_clear(a.lines);
}

void Transcript::flush_reversed() {
    std::for_each(actors_.rbegin(), actors_.rend(), [](Actor& a) { print_and_clear(a.lines); });
}

}   // namespace looplab::lesson
