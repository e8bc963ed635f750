// looplab/resp/cluster_slot_map.cpp — the slot map, CLUSTER SLOTS read into it, and the text
// of -MOVED / -ASK read into a Redirection.
#include "looplab/resp/cluster_slot_map.hpp"

#include "looplab/core/assert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace looplab::resp {

namespace {

// A decimal number in 0..max, the whole text, or nullopt.
std::optional<std::uint32_t> number_in(std::string_view text, std::uint32_t max) {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value > max)
        return std::nullopt;
    return value;
}

// ip + port as Redis sends them; an empty ip is the host we asked.
Result<net::Address> node_address(std::string_view ip, std::int64_t port,
                                  const net::Address& asked) {
    if (port <= 0 || port > 65535)
        return Error::because(fmt::format("port {} is out of range", port));
    if (ip.empty()) return asked.with_port(static_cast<std::uint16_t>(port));
    auto address = net::Address::from_ip(ip, static_cast<std::uint16_t>(port));
    if (!address)
        return Error::because(
            fmt::format("endpoint '{}' is not a numeric IP (looplab resolves no "
                        "host names on the loop)",
                        ip));
    return address;
}

Result<SlotRange> parse_entry(const Reply& entry, const net::Address& asked) {
    const std::vector<Reply>& items = entry.elements;
    if (entry.type != ReplyType::Array || items.size() < 3)
        return Error::because("not an array [start, end, master, replicas...]");
    if (items[0].type != ReplyType::Integer || items[1].type != ReplyType::Integer ||
        items[0].integer < 0 || items[1].integer < items[0].integer ||
        items[1].integer >= kRespClusterSlots)
        return Error::because(
            fmt::format("bad slot range {}..{}", describe(items[0]), describe(items[1])));
    const Reply& master = items[2];
    if (master.type != ReplyType::Array || master.elements.size() < 2 ||
        master.elements[1].type != ReplyType::Integer)
        return Error::because("the master is not [ip, port, ...]");
    const Reply& endpoint = master.elements[0];
    if (!endpoint.is_null() && !endpoint.is_string())
        return Error::because("the master's endpoint is not a string");
    auto address = node_address(endpoint.text, master.elements[1].integer, asked);
    if (!address) return Error::because(fmt::format("the master's {}", address.error().message()));
    return SlotRange{static_cast<std::uint16_t>(items[0].integer),
                     static_cast<std::uint16_t>(items[1].integer), *address};
}

}   // namespace

// ---- SlotMap
// -------------------------------------------------------------------------------------

SlotMap::SlotMap() : owner_(kRespClusterSlots, kNoOwner) {}

SlotMap SlotMap::standalone(const net::Address& server) {
    SlotMap map;
    map.assign(0, kRespClusterSlots - 1, server);
    return map;
}

void SlotMap::assign(std::uint16_t first, std::uint16_t last, const net::Address& master) {
    LOOPLAB_ASSERT(first <= last && last < kRespClusterSlots,
                   "SlotMap::assign: slots are 0..16383");
    auto found = std::find(nodes_.begin(), nodes_.end(), master);
    if (found == nodes_.end()) found = nodes_.insert(nodes_.end(), master);
    const auto index = static_cast<std::uint16_t>(found - nodes_.begin());
    std::fill(owner_.begin() + first, owner_.begin() + last + 1, index);
}

const net::Address* SlotMap::owner(std::uint16_t slot) const& {
    if (slot >= kRespClusterSlots || owner_[slot] == kNoOwner) return nullptr;
    return &nodes_[owner_[slot]];
}

std::vector<SlotRange> SlotMap::ranges() const {
    std::vector<SlotRange> runs;
    for (std::uint16_t slot = 0; slot < kRespClusterSlots; ++slot) {
        if (owner_[slot] == kNoOwner) continue;
        const net::Address& master = nodes_[owner_[slot]];
        if (!runs.empty() && runs.back().last + 1 == slot && runs.back().master == master)
            runs.back().last = slot;
        else runs.push_back(SlotRange{slot, slot, master});
    }
    return runs;
}

std::vector<net::Address> SlotMap::masters() const {
    std::vector<bool> owns(nodes_.size(), false);
    for (const std::uint16_t index : owner_)
        if (index != kNoOwner) owns[index] = true;
    std::vector<net::Address> masters;
    for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (owns[i]) masters.push_back(nodes_[i]);
    return masters;
}

bool SlotMap::covers_every_slot() const {
    return std::find(owner_.begin(), owner_.end(), kNoOwner) == owner_.end();
}

bool SlotMap::empty() const {
    return std::all_of(owner_.begin(), owner_.end(), [](std::uint16_t i) { return i == kNoOwner; });
}

// ---- parsing
// -------------------------------------------------------------------------------------

Result<SlotMap> parse_cluster_slots(const Reply& reply, const net::Address& asked) {
    if (reply.type != ReplyType::Array)
        return Error::because(fmt::format("resp cluster: CLUSTER SLOTS answered {}, not an array",
                                          type_name(reply.type)));
    SlotMap map;
    std::vector<net::Address> seen;
    for (std::size_t i = 0; i < reply.elements.size(); ++i) {
        auto range = parse_entry(reply.elements[i], asked);
        if (!range)
            return Error::because(fmt::format("resp cluster: CLUSTER SLOTS entry {}: {}", i + 1,
                                              range.error().message()));
        if (std::find(seen.begin(), seen.end(), range->master) == seen.end()) {
            if (seen.size() == kRespClusterMaxNodes)
                return Error::because(
                    fmt::format("resp cluster: CLUSTER SLOTS names more than {} "
                                "masters (kRespClusterMaxNodes)",
                                kRespClusterMaxNodes));
            seen.push_back(range->master);
        }
        map.assign(range->first, range->last, range->master);
    }
    return map;
}

bool is_cluster_disabled_error(std::string_view server_text) {
    return server_text.starts_with("ERR") &&
           server_text.find("cluster support disabled") != std::string_view::npos;
}

std::optional<Redirection> parse_redirection(std::string_view text, const net::Address& asked) {
    Redirection redirection;
    if (text.starts_with("MOVED ")) text.remove_prefix(6);
    else if (text.starts_with("ASK ")) {
        text.remove_prefix(4);
        redirection.kind = Redirection::Kind::Ask;
    } else {
        return std::nullopt;
    }
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto slot = number_in(text.substr(0, space), kRespClusterSlots - 1);
    const std::string_view where = text.substr(space + 1);
    const std::size_t colon = where.rfind(':');   // "[::1]:7000" and "::1:7000" both end ":port"
    if (!slot || colon == std::string_view::npos) return std::nullopt;
    const auto port = number_in(where.substr(colon + 1), 65535);
    if (!port || *port == 0) return std::nullopt;
    std::string_view host = where.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    auto node = node_address(host, *port, asked);
    if (!node) return std::nullopt;
    redirection.slot = static_cast<std::uint16_t>(*slot);
    redirection.node = *node;
    return redirection;
}

}   // namespace looplab::resp
