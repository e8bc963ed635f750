// looplab/resp/cluster_slot_map.hpp
//
// SlotMap — which master of a Redis Cluster owns each of the 16384 hash slots, learned from
// CLUSTER SLOTS; and the two redirections (-MOVED, -ASK) a node answers when it is asked
// for a slot it does not serve.
// Teaches: database (lesson 16) scaled out: one logical store split over many servers, and
// how a client finds the right one without asking every time (it keeps this map).
// Read: PROTOCOLS-redis-store.md §4
//
//     slot  0 ........ 5460 | 5461 ....... 10922 | 10923 ...... 16383
//     owner 127.0.0.1:7001  | 127.0.0.1:7002     | 127.0.0.1:7003
//
// Stored as one small number per slot (an index into masters()), so owner() is one array
// read: a cluster client asks it once per command.
//
// CLUSTER SLOTS reply (RESP2 and RESP3 alike), one entry per range:
//     [start, end, [ip, port, id, {metadata}], replica, replica...]
// The master is the first node; replicas are ignored (this client sends everything to
// masters). An empty or null ip means "the node you asked" (redis.conf
// cluster-preferred-endpoint-type); "?" (unknown endpoint) and host names are refused:
// looplab resolves no names on the loop (net/address.hpp says why).
//
// Contract: plain values and pure functions.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/net/address.hpp"
#include "looplab/resp/reply.hpp"
#include "looplab/resp/slot.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace looplab::resp {

// A CLUSTER SLOTS reply naming more distinct masters than this is refused (a real cluster
// has at most ~1000 nodes; this bounds what a broken server can make us allocate).
inline constexpr std::size_t kRespClusterMaxNodes = 1000;

// A run of slots with one owner, first..last inclusive (as CLUSTER SLOTS prints them).
struct SlotRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    net::Address master;
    bool operator==(const SlotRange&) const = default;
};

class SlotMap {
public:
    SlotMap();

    // A plain Redis (cluster support disabled): `server` owns every slot.
    static SlotMap standalone(const net::Address& server);

    // first..last (inclusive) now belong to `master`; a MOVED changes one slot this way.
    // Slots past 16383 are a bug (asserted).
    void assign(std::uint16_t first, std::uint16_t last, const net::Address& master);

    // The master that owns `slot`, or nullptr when no node does (a hole: the cluster is down
    // for that slot, or the map is not learned yet). The pointer is into this map, so asking a
    // temporary map (one just returned by value) does not compile.
    const net::Address* owner(std::uint16_t slot) const&;
    const net::Address* owner(std::uint16_t slot) const&& = delete;

    // The map as runs of consecutive slots with one owner, in slot order (holes left out).
    std::vector<SlotRange> ranges() const;
    // Every master that owns at least one slot, in the order first seen.
    std::vector<net::Address> masters() const;
    bool covers_every_slot() const;
    bool empty() const;

private:
    static constexpr std::uint16_t kNoOwner = 0xffff;
    std::vector<net::Address> nodes_;    // every master ever assigned (indices stay valid)
    std::vector<std::uint16_t> owner_;   // kRespClusterSlots entries: index into nodes_
};

// Reads a CLUSTER SLOTS reply. `asked` fills in an empty endpoint. Errors name what is
// wrong: "resp cluster: CLUSTER SLOTS entry 2: the master's endpoint 'redis-1' is not a
// numeric IP ...".
[[nodiscard]] Result<SlotMap> parse_cluster_slots(const Reply& reply, const net::Address& asked);

// True for the error a plain Redis answers CLUSTER SLOTS with:
// "ERR This instance has cluster support disabled".
bool is_cluster_disabled_error(std::string_view server_text);

// -MOVED 3999 127.0.0.1:6381  the slot lives there now: send it there from now on.
// -ASK 3999 127.0.0.1:6381    the slot is being migrated and this key already moved: send
//                             ASKING then the command there, this once.
struct Redirection {
    enum class Kind : std::uint8_t { Moved, Ask };
    Kind kind = Kind::Moved;
    std::uint16_t slot = 0;
    net::Address node;
    bool operator==(const Redirection&) const = default;
};

// The redirection a server's error text carries, or nullopt when it is not a well-formed
// MOVED or ASK (such an error then reaches the caller as it is). An empty host (":6380")
// means the host of `asked`.
std::optional<Redirection> parse_redirection(std::string_view server_text,
                                             const net::Address& asked);

}   // namespace looplab::resp
