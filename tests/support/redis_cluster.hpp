// tests/support/redis_cluster.hpp — a real 3-master Redis Cluster for tests: three
// redis-servers (RedisServer, the lesson kit's looplab/lesson/redis_server.hpp: own temp dir,
// persistence off, killed with the test binary) with --cluster-enabled yes, joined by
// `redis-cli --cluster create`, ready once every node says cluster_state:ok.
//
//     testing::RedisCluster& cluster = testing::shared_redis_cluster();   // one per test run
//     resp::ClusterClient redis{loop, cluster.addresses()};
//     cluster.move_slot(866, 2);    // MIGRATING / IMPORTING, MIGRATE the keys, SETSLOT NODE
//     cluster.kill(1);              // SIGKILL one master...
//     cluster.restart(1);           // ...and back, same port, same nodes.conf
//
// Starting a cluster costs about 1-2 s, so tests share one (shared_redis_cluster()); a test
// that moves a slot or kills a node puts it back before it ends (each test must leave the
// cluster as it found it: 3 masters, cluster_state:ok, any slot layout).
// Failures (redis-server or redis-cli missing, a cluster that never says ok) throw
// std::runtime_error with a sentence saying why.
#pragma once

#include "looplab/lesson/quiet_child.hpp"
#include "looplab/lesson/redis_server.hpp"
#include "looplab/net/address.hpp"
#include "looplab/resp/cluster_slot_map.hpp"
#include "looplab/resp/reply.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace looplab::testing {

// How long `redis-cli --cluster create`, or a restarted node, may take to reach
// cluster_state:ok (about 1-2 s here).
inline constexpr std::chrono::milliseconds kRedisClusterReadyTimeout{20'000};

class RedisCluster {
public:
    static constexpr std::size_t kMasters = 3;   // redis-cli refuses fewer

    RedisCluster() {
        for (std::size_t i = 0; i < kMasters; ++i)
            nodes_.push_back(std::make_unique<lesson::RedisServer>(
                std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-config-file",
                                         "nodes.conf", "--cluster-node-timeout", "2000"},
                cluster_port()));
        create();
        wait_until_ok();
    }

    std::size_t size() const { return nodes_.size(); }
    lesson::RedisServer& node(std::size_t i) { return *nodes_.at(i); }
    net::Address address(std::size_t i) const { return nodes_.at(i)->address(); }
    std::vector<net::Address> addresses() const {
        std::vector<net::Address> all;
        for (const auto& node : nodes_) all.push_back(node->address());
        return all;
    }
    // Which node (0..2) has this address; throws for a stranger.
    std::size_t index_of(const net::Address& address) const {
        for (std::size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i]->address() == address) return i;
        throw std::runtime_error(fmt::format("{} is no node of this cluster", address));
    }

    resp::Reply query(std::size_t i, std::initializer_list<std::string_view> args) const {
        return nodes_.at(i)->query(args);
    }
    std::string id(std::size_t i) const { return query(i, {"CLUSTER", "MYID"}).text; }

    // The slot map as node `asked` sees it.
    resp::SlotMap slot_map(std::size_t asked = 0) const {
        auto map = resp::parse_cluster_slots(query(asked, {"CLUSTER", "SLOTS"}), address(asked));
        if (!map) throw std::runtime_error(map.error().message());
        return std::move(map).value();
    }
    std::size_t owner_index(std::uint16_t slot) const {
        const resp::SlotMap map = slot_map();
        const net::Address* owner = map.owner(slot);
        if (owner == nullptr) throw std::runtime_error(fmt::format("slot {} has no owner", slot));
        return index_of(*owner);
    }

    // A migration in two halves, as redis-cli --cluster reshard does it:
    //   begin: the target IMPORTING, the source MIGRATING (now the source answers -ASK for
    //          keys it no longer holds);
    //   migrate_key: MIGRATE one key to the target;
    //   finish: every key left is migrated, then SETSLOT NODE on every node (the target
    //           first); the source unsubscribes the slot's shard channels itself.
    void begin_migration(std::uint16_t slot, std::size_t to) {
        wait_until_settled(slot);
        const std::size_t from = owner_index(slot);
        expect_ok(query(to, {"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", id(from)}));
        expect_ok(query(from, {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", id(to)}));
    }
    void migrate_key(std::string_view key, std::size_t from, std::size_t to) {
        const resp::Reply done = query(
            from, {"MIGRATE", "127.0.0.1", std::to_string(nodes_[to]->port()), key, "0", "5000"});
        if (done.is_error()) throw std::runtime_error("MIGRATE: " + done.text);
    }
    void finish_migration(std::uint16_t slot, std::size_t from, std::size_t to) {
        for (;;) {
            const resp::Reply keys =
                query(from, {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), "100"});
            if (keys.elements.empty()) break;
            for (const resp::Reply& key : keys.elements) migrate_key(key.text, from, to);
        }
        const std::string target = id(to);
        expect_ok(query(to, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", target}));
        for (std::size_t i = 0; i < nodes_.size(); ++i)
            if (i != to)
                expect_ok(query(i, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", target}));
        wait_until_settled(slot);
    }
    // All of it: `slot` (and its keys) now belongs to node `to`.
    void move_slot(std::uint16_t slot, std::size_t to) {
        const std::size_t from = owner_index(slot);
        if (from == to) return;
        begin_migration(slot, to);
        finish_migration(slot, from, to);
    }

    void kill(std::size_t i) { nodes_.at(i)->kill(); }
    // Starts node i again (same port, same nodes.conf: same identity and slots) and waits
    // until the whole cluster says ok. That takes 2 s: a restarted master waits that long
    // before it calls itself ok (CLUSTER_WRITABLE_DELAY in Redis's cluster.c).
    void restart(std::size_t i) {
        nodes_.at(i)->start();
        wait_until_ok();
    }

    // Polls until every node names the same owner for `slot` and the same current epoch.
    // Why: SETSLOT NODE on the importing node bumps its config epoch, and the news travels
    // by gossip. A second migration of the slot started before every node has heard it can
    // bump to an epoch another node already claims, and a stale ping of the old owner then
    // hands the slot back to it on some nodes: two masters each answering -MOVED to the
    // other, for as long as it takes the cluster to sort it out. redis-cli --cluster
    // reshard is slow enough never to meet this; a test moving a slot there and back is not.
    void wait_until_settled(std::uint16_t slot) const {
        const auto deadline = std::chrono::steady_clock::now() + kRedisClusterReadyTimeout;
        for (;;) {
            std::vector<std::string> owners;
            std::vector<std::string> epochs;
            for (std::size_t i = 0; i < nodes_.size(); ++i) {
                const resp::SlotMap map = slot_map(i);   // kept: owner() points into it
                const net::Address* owner = map.owner(slot);
                owners.push_back(owner ? owner->to_string() : "none");
                const std::string info = query(i, {"CLUSTER", "INFO"}).text;
                const auto at = info.find("cluster_current_epoch:");
                epochs.push_back(
                    at == std::string::npos ? "" : info.substr(at, info.find('\r', at) - at));
            }
            const auto all_same = [](const std::vector<std::string>& v) {
                return std::all_of(v.begin(), v.end(),
                                   [&](const std::string& x) { return x == v.front(); });
            };
            if (owners.front() != "none" && all_same(owners) && all_same(epochs)) return;
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error(
                    fmt::format("slot {}: the nodes did not agree on its owner and epoch within "
                                "20 s (owners {}, {})",
                                slot, fmt::join(owners, " "), fmt::join(epochs, " ")));
            std::this_thread::sleep_for(std::chrono::milliseconds{5});
        }
    }

    // Polls CLUSTER INFO on every node until each says cluster_state:ok with every slot
    // served; a bounded wait, then a clear error.
    void wait_until_ok() {
        const auto deadline = std::chrono::steady_clock::now() + kRedisClusterReadyTimeout;
        for (;;) {
            std::string last;
            bool all_ok = true;
            for (std::size_t i = 0; i < nodes_.size() && all_ok; ++i) {
                try {
                    last = query(i, {"CLUSTER", "INFO"}).text;
                } catch (const std::runtime_error& e) {
                    last = e.what();
                }
                all_ok = last.find("cluster_state:ok") != std::string::npos &&
                         last.find("cluster_slots_ok:16384") != std::string::npos;
            }
            if (all_ok) return;
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error(
                    "the Redis Cluster did not reach cluster_state:ok within 20 s; "
                    "last CLUSTER INFO:\n" +
                    last);
            // Other processes have no event we could wait for: poll, briefly.
            std::this_thread::sleep_for(std::chrono::milliseconds{20});
        }
    }

private:
    static void expect_ok(const resp::Reply& reply) {
        if (reply.is_error()) throw std::runtime_error("CLUSTER SETSLOT: " + reply.text);
    }

    // A cluster node also listens on port + 10000 (the cluster bus), so both must be free,
    // and port + 10000 must be a port at all.
    static std::uint16_t cluster_port() {
        for (int tries = 0; tries < 100; ++tries) {
            const std::uint16_t port = lesson::RedisServer::free_port();
            const auto bus = static_cast<std::uint32_t>(port) + 10'000;
            if (bus > 65'535) {
                const auto low = static_cast<std::uint16_t>(port - 30'000);   // 2768..35535
                if (low > 1024 && is_free(low) && is_free(static_cast<std::uint16_t>(low + 10'000)))
                    return low;
                continue;
            }
            if (is_free(static_cast<std::uint16_t>(bus))) return port;
        }
        throw std::runtime_error("no free TCP port pair (port, port + 10000) for a cluster node");
    }

    static bool is_free(std::uint16_t port) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in where{};
        where.sin_family = AF_INET;
        where.sin_port = htons(port);
        where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool ok =
            fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&where), sizeof where) == 0;
        if (fd >= 0) ::close(fd);
        return ok;
    }

    // redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes, bounded in time.
    void create() {
        std::vector<std::string> args{"redis-cli", "--cluster", "create"};
        for (const auto& node : nodes_) args.push_back(fmt::format("127.0.0.1:{}", node->port()));
        args.insert(args.end(), {"--cluster-replicas", "0", "--cluster-yes"});
        const pid_t pid = lesson::spawn_quiet_child(std::move(args), "run redis-cli");
        const auto deadline = std::chrono::steady_clock::now() + kRedisClusterReadyTimeout;
        int status = 0;
        while (::waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                throw std::runtime_error("redis-cli --cluster create did not finish within 20 s");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds{20});
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            throw std::runtime_error(
                WIFEXITED(status) && WEXITSTATUS(status) == lesson::kChildCannotExec
                    ? "redis-cli is not installed (Debian: apt-get install redis-tools)"
                    : "redis-cli --cluster create failed");
    }

    std::vector<std::unique_ptr<lesson::RedisServer>> nodes_;
};

// One cluster for the whole test run, started by the first test that asks (a
// function-local static: made once, stopped when the test binary exits).
inline RedisCluster& shared_redis_cluster() {
    static RedisCluster cluster;
    return cluster;
}

}   // namespace looplab::testing
