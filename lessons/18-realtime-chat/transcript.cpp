// lessons/18-realtime-chat/transcript.cpp — see chat_lesson.hpp.
#include "chat_lesson.hpp"

#include "looplab/lesson/say.hpp"
#include "looplab/socketio_client/wire_meaning.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chat {
namespace {

// A packet this long or longer gets its meaning on the next line.
constexpr std::size_t kPacketColumn = 34;

// The value of the first "sid":"..." in `text`, or empty.
std::string_view sid_in(std::string_view text) {
    constexpr std::string_view kKey = R"("sid":")";
    const auto start = text.find(kKey);
    if (start == std::string_view::npos) return {};
    const auto from = start + kKey.size();
    const auto end = text.find('"', from);
    return end == std::string_view::npos ? std::string_view{} : text.substr(from, end - from);
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
    if (what.empty()) return;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
}

}   // namespace

void Transcript::add_actor(std::string name) { actor(name); }

Transcript::Actor& Transcript::actor(std::string_view name) {
    const auto found = std::find_if(actors_.begin(), actors_.end(),
                                    [&](const Actor& a) { return a.name == name; });
    if (found != actors_.end()) return *found;
    return actors_.emplace_back(Actor{std::string{name}, {}});
}

void Transcript::name_id(std::string_view id, std::string_view kind) {
    if (!demo_ || id.empty()) return;
    if (std::any_of(names_.begin(), names_.end(), [&](const Name& n) { return n.id == id; }))
        return;
    auto count = std::find_if(counts_.begin(), counts_.end(),
                              [&](const auto& c) { return c.first == kind; });
    if (count == counts_.end()) count = counts_.insert(counts_.end(), {std::string{kind}, 0});
    names_.push_back({std::string{id}, fmt::format("<{}-{}>", kind, ++count->second)});
}

std::string Transcript::hide_ids(std::string text) const {
    for (const Name& n : names_) replace_all(text, n.id, n.name);
    return text;
}

void Transcript::name_ids_in_packet(std::string_view packet) {
    // "0{"sid":...}" opens an Engine.IO session; "40{"sid":...}" (or "40/nsp,{...}") is the
    // answer to a CONNECT and names a socket.
    if (packet.starts_with("0")) name_id(sid_in(packet), "session");
    else if (packet.starts_with("40")) name_id(sid_in(packet), "sid");
}

void Transcript::add(std::string_view who, std::string line) {
    actor(who).lines.push_back(hide_ids(std::move(line)));
}

void Transcript::add_packet(std::string_view who, std::string_view arrow, std::string_view packet,
                            bool is_binary) {
    if (!is_binary) name_ids_in_packet(packet);
    // Ids hidden before the columns are lined up (a name is not as long as the id).
    const std::string shown = hide_ids(
        is_binary ? fmt::format("<{} bytes, binary frame>", packet.size()) : std::string{packet});
    const std::string meaning = hide_ids(looplab::socketio_client::describe_packet(packet, is_binary));
    if (shown.size() < kPacketColumn) {
        add(who, fmt::format("{:<5} {} {:<{}} {}", who, arrow, shown, kPacketColumn, meaning));
    } else {
        add(who, fmt::format("{:<5} {} {}", who, arrow, shown));
        add(who, fmt::format("{:<5}    {:<{}} {}", "", "", kPacketColumn, meaning));
    }
}

void Transcript::flush(std::string_view first) {
    const auto print = [](Actor& a) {
        for (const std::string& line : a.lines) looplab::lesson::say_line(line);
        a.lines.clear();
    };
    if (!first.empty()) print(actor(first));
    for (Actor& a : actors_) print(a);
}

}   // namespace chat
