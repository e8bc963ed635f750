// looplab/resp/cluster_commands.cpp — a command's way through the cluster: the slot map
// names the master, the master's Client sends it, and a -MOVED / -ASK / -TRYAGAIN answer
// sends it again somewhere else (at most kRespClusterMaxRedirections times).
//
//   command_for_key ─► route: map.owner(slot) ─► send_to(node) ─► reply
//                         ▲                         ▲   │
//                         │ TRYAGAIN (after 25 ms)  │   ├─ MOVED: map.assign(slot, node), refresh
//                         └─────────────────────────┴───┴─ ASK:   ASKING + the command, there
#include "looplab/resp/cluster_client.hpp"

#include <fmt/format.h>

#include <cerrno>

namespace looplab::resp {

void ClusterClient::command_for_key(std::string_view key,
                                    std::initializer_list<std::string_view> args,
                                    Callback on_reply) {
    const std::vector<std::string> owned{args.begin(), args.end()};
    command_for_slot(slot_of(key), owned, std::move(on_reply));
}

void ClusterClient::command_for_key(std::string_view key, std::span<const std::string> args,
                                    Callback on_reply) {
    command_for_slot(slot_of(key), args, std::move(on_reply));
}

void ClusterClient::command_for_slot(std::uint16_t slot, std::span<const std::string> args,
                                     Callback on_reply) {
    LOOPLAB_ASSERT(!args.empty(), "command_for_slot() needs at least the command's name");
    LOOPLAB_ASSERT(slot < kRespClusterSlots, "slots are 0..16383");
    if (is_closed_)
        return deliver_later(std::move(on_reply), Error::because("resp cluster: client closed"));
    auto request = std::make_shared<Request>();
    request->args.assign(args.begin(), args.end());
    request->slot = slot;
    request->callback = on_reply;
    if (!when_map_known([this, request] { route(request); }, std::move(on_reply)))
        request->callback = {};
}

void ClusterClient::spublish(std::string_view channel, std::string_view payload,
                             Callback on_reply) {
    command_for_key(channel, {"SPUBLISH", channel, payload}, std::move(on_reply));
}

void ClusterClient::pubsub_shardnumsub(std::string_view channel, CountCallback on_reply) {
    command_for_key(
        channel, {"PUBSUB", "SHARDNUMSUB", channel},
        [on_reply = std::move(on_reply)](Result<Reply> reply) {
            if (!reply) return on_reply(reply.error());
            // [channel, count], flat on RESP2 and RESP3 alike.
            if (reply->elements.size() != 2 || reply->elements[1].type != ReplyType::Integer)
                return on_reply(Error::because(
                    fmt::format("resp cluster: PUBSUB SHARDNUMSUB answered {}", describe(*reply))));
            on_reply(reply->elements[1].integer);
        });
}

// ---- routing
// -------------------------------------------------------------------------------------

void ClusterClient::route(std::shared_ptr<Request> request) {
    if (is_closed_) return fail(request, Error::because("resp cluster: client closed"));
    const net::Address* owner = map_.owner(request->slot);
    if (owner == nullptr) {
        request_refresh_later();
        return fail(request, Error::because(fmt::format(
                                 "resp cluster: no node owns slot {} (the cluster is down for it)",
                                 request->slot)));
    }
    send_to(*owner, std::move(request), /*asking=*/false);
}

void ClusterClient::send_to(const net::Address& address, std::shared_ptr<Request> request,
                            bool asking) {
    Node& node = node_at(address);
    if (node.is_down) {
        request_refresh();   // maybe another node knows a new owner (a replica promoted)
        const Error& why = *node.down_because;
        return fail(request,
                    Error{why.code(), fmt::format("resp cluster: node {} is unreachable, the slot "
                                                  "map will be refreshed; {}",
                                                  address, why.context())});
    }
    if (asking) node.commands->command({"ASKING"});   // pipelined: it reaches the node just before
    node.commands->command(request->args, [this, address, request](Result<Reply> reply) {
        on_routed_reply(address, request, std::move(reply));
    });
}

void ClusterClient::on_routed_reply(const net::Address& address, std::shared_ptr<Request> request,
                                    Result<Reply> reply) {
    if (!reply) {
        const Error& why = reply.error();
        if (why.code() == 0 && follow(address, request, why.message())) return;
        // Lost mid-command (not a mere timeout): the node may be gone for good.
        if (why.code() != 0 && why.code() != ETIMEDOUT) request_refresh();
    }
    if (request->callback) std::exchange(request->callback, {})(std::move(reply));
}

// A redirection, followed: true when the request went on (or failed at the limit).
bool ClusterClient::follow(const net::Address& address, const std::shared_ptr<Request>& request,
                           std::string_view server_text) {
    const auto redirection = parse_redirection(server_text, address);
    const bool is_try_again = server_text.starts_with("TRYAGAIN");
    if (!redirection && !is_try_again) return false;
    if (++request->redirections > kRespClusterMaxRedirections) {
        fail(request, Error::because(fmt::format(
                          "resp cluster: {} gave up after {} redirections; the last: {}",
                          request->args.front(), kRespClusterMaxRedirections, server_text)));
        return true;
    }
    if (is_try_again) {
        loop_.set_timeout(kRespClusterTryAgainDelay,
                          [this, request, alive = lifetime_.alive_token()] {
                              if (*alive) route(request);
                          });
        return true;
    }
    if (redirection->kind == Redirection::Kind::Moved) {
        map_.assign(redirection->slot, redirection->slot, redirection->node);
        request_refresh();
    }
    send_to(redirection->node, request, redirection->kind == Redirection::Kind::Ask);
    return true;
}

void ClusterClient::fail(const std::shared_ptr<Request>& request, Error why) {
    deliver_later(std::exchange(request->callback, {}), std::move(why));
}

}   // namespace looplab::resp
