// looplab/socketio/in_memory_adapter.hpp
//
// InMemoryAdapter — the default Adapter: rooms are maps on this server, a broadcast is a loop
// over local sockets. Teaches: lesson 18 (what a "room" really is: a name -> a set of sockets).
//
//   rooms_    "lobby"  -> { socket A, socket C }        one entry per room that has members
//             "game-7" -> { socket B }
//   joined_   socket A -> [ "lobby" ]                    only sockets that joined a room
//
// A socket's own id room (socket.io's auto-join) is NOT stored: the name of a room that is no
// entry of rooms_ is looked up as a socket id in the namespace. An idle socket that joined
// nothing therefore costs the adapter nothing.
//
// A broadcast encodes its packet once and hands the same bytes to every recipient. Union of
// rooms, except, "each socket once": every delivery stamps the socket with the broadcast's
// number, so no set is built and a socket reached through two rooms is skipped the second
// time.
//
// With connection state recovery on, every EVENT without an ack id and not volatile is also
// kept in a RecoveryStore (recovery.hpp), which a timer expires.
//
// Contract: loop thread only.
#pragma once

#include "looplab/loop/task.hpp"
#include "looplab/socketio/adapter.hpp"
#include "looplab/socketio/recovery.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace looplab::socketio {

namespace detail {
// Lets maps keyed by std::string be searched with a string_view, without making a string.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
        return std::hash<std::string_view>{}(text);
    }
};
}   // namespace detail

class InMemoryAdapter : public Adapter {
public:
    explicit InMemoryAdapter(Namespace& nsp, RecoveryOptions recovery = {});
    ~InMemoryAdapter() override;

    void add_all(std::string_view id, std::span<const Room> rooms) override;
    void del(std::string_view id, std::string_view room) override;
    void del_all(std::string_view id) override;
    std::vector<Room> socket_rooms(std::string_view id) const override;
    std::vector<Room> rooms() const override;
    std::size_t room_size(std::string_view room) const override;

    void broadcast(Packet& packet, const BroadcastOptions& opts) override;
    void broadcast_with_ack(Packet& packet, const BroadcastOptions& opts,
                            const std::function<void(std::size_t)>& client_count,
                            const std::function<void(const Args&)>& on_answer) override;

    void sockets(std::span<const Room> rooms,
                 std::function<void(std::vector<SocketId>)> done) override;
    void all_rooms(std::function<void(std::vector<Room>)> done) override;
    // rooms() and every local socket's own id room: what all_rooms() says for this server.
    std::vector<Room> rooms_with_socket_ids() const;
    void fetch_sockets(const BroadcastOptions& opts,
                       std::function<void(std::vector<SocketInfo>)> done) override;
    void add_sockets(const BroadcastOptions& opts, std::span<const Room> rooms) override;
    void del_sockets(const BroadcastOptions& opts, std::span<const Room> rooms) override;
    void disconnect_sockets(const BroadcastOptions& opts, bool close_underlying) override;

    void persist_session(PersistedSession session) override;
    void restore_session(std::string_view pid, std::string_view offset,
                         std::function<void(std::optional<RestoredSession>)> done) override;

    // nullptr when recovery is off.
    RecoveryStore* recovery() { return recovery_ ? &*recovery_ : nullptr; }

protected:
    // A room got its first member here / lost its last one (socket id rooms never count).
    // A sharded cluster adapter subscribes to the room's own channel in between.
    virtual void on_room_created(const Room& room) { (void)room; }
    virtual void on_room_deleted(const Room& room) { (void)room; }

    // Calls deliver(socket) once for every local socket `opts` selects (see the header note).
    void for_each_recipient(const BroadcastOptions& opts,
                            const std::function<void(Socket&)>& deliver);

private:
    using Members = std::unordered_set<Socket*>;

    // Stamps the members of `room` (and the socket of that id) with `mark`.
    void stamp_room(std::string_view room, std::uint32_t mark);
    template <typename Visit>
    void visit_room(std::string_view room, Visit&& visit);
    void leave(Socket& socket, const std::string* room);

    std::unordered_map<std::string, Members, detail::StringHash, std::equal_to<>> rooms_;
    std::unordered_map<const Socket*, std::vector<const std::string*>> joined_;
    std::uint32_t last_mark_ = 0;
    std::optional<RecoveryStore> recovery_;
    loop::TimerId expiry_timer_ = 0;
    // Reused for every encode: a broadcast allocates no buffer once warm.
    std::string text_;
    std::vector<std::string> attachments_;
    bool is_encoding_ = false;   // text_ is in use: a nested broadcast takes its own buffers
};

}   // namespace looplab::socketio
