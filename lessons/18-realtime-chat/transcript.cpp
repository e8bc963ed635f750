// lessons/18-realtime-chat/transcript.cpp — see chat_lesson.hpp. The line buffers and the id
// naming are the kit's (src/lesson/transcript.cpp); here: what this lesson adds for packets.
#include "chat_lesson.hpp"

#include "looplab/socketio_client/wire_meaning.hpp"

#include <fmt/format.h>

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

}   // namespace

void Transcript::name_ids_in_packet(std::string_view packet) {
    // "0{"sid":...}" opens an Engine.IO session; "40{"sid":...}" (or "40/nsp,{...}") is the
    // answer to a CONNECT and names a socket.
    if (packet.starts_with("0")) name_id(sid_in(packet), "session");
    else if (packet.starts_with("40")) name_id(sid_in(packet), "sid");
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

}   // namespace chat
