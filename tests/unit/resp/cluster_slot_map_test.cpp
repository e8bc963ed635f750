// tests/unit/resp/cluster_slot_map_test.cpp — the slot map, CLUSTER SLOTS replies read into
// it (shapes as Redis 7.0.15 sends them, PROTOCOLS-redis-store.md §4), and -MOVED / -ASK.
#include "looplab/resp/cluster_slot_map.hpp"

#include "looplab/resp/parser.hpp"

#include <catch2/catch.hpp>

using namespace looplab;
using namespace looplab::resp;

namespace {

net::Address at(std::uint16_t port) { return net::Address::loopback(port); }

// [ip, port, id, {}] as 7.0.15 prints a node (metadata map empty).
Reply node(std::string ip, std::int64_t port) {
    return Reply::array({Reply::bulk(std::move(ip)), Reply::integer_value(port),
                         Reply::bulk("1f2e3d"), Reply::array({})});
}

Reply range(std::int64_t first, std::int64_t last, Reply master) {
    return Reply::array(
        {Reply::integer_value(first), Reply::integer_value(last), std::move(master)});
}

Reply parsed(std::string_view wire) {
    Parser parser;
    std::vector<Reply> replies;
    REQUIRE_FALSE(parser.feed(wire, replies));
    REQUIRE(replies.size() == 1);
    return replies.front();
}

}   // namespace

TEST_CASE("an empty slot map owns nothing; assign() fills ranges", "[resp][cluster]") {
    SlotMap map;
    CHECK(map.empty());
    CHECK(map.owner(0) == nullptr);
    CHECK(map.owner(16383) == nullptr);
    CHECK(map.owner(16384) == nullptr);   // past the end: no owner, no crash

    map.assign(0, 5460, at(7001));
    map.assign(5461, 10922, at(7002));
    CHECK_FALSE(map.covers_every_slot());
    map.assign(10923, 16383, at(7003));
    CHECK(map.covers_every_slot());
    REQUIRE(map.owner(5460) != nullptr);
    CHECK(*map.owner(5460) == at(7001));
    CHECK(*map.owner(5461) == at(7002));
    CHECK(*map.owner(16383) == at(7003));
    CHECK(map.ranges() == std::vector<SlotRange>{{0, 5460, at(7001)},
                                                 {5461, 10922, at(7002)},
                                                 {10923, 16383, at(7003)}});

    // A MOVED changes one slot: the ranges split around it.
    map.assign(866, 866, at(7003));
    CHECK(*map.owner(866) == at(7003));
    CHECK(map.ranges() == std::vector<SlotRange>{{0, 865, at(7001)},
                                                 {866, 866, at(7003)},
                                                 {867, 5460, at(7001)},
                                                 {5461, 10922, at(7002)},
                                                 {10923, 16383, at(7003)}});
    CHECK(map.masters() ==
          std::vector<net::Address>{at(7001), at(7002), at(7003)});   // first seen first
}

TEST_CASE("a standalone Redis owns every slot", "[resp][cluster]") {
    const SlotMap map = SlotMap::standalone(at(6379));
    CHECK(map.covers_every_slot());
    CHECK(map.ranges() == std::vector<SlotRange>{{0, 16383, at(6379)}});
    CHECK(is_cluster_disabled_error("ERR This instance has cluster support disabled"));
    CHECK_FALSE(is_cluster_disabled_error("ERR unknown command 'CLUSTER'"));
}

TEST_CASE("CLUSTER SLOTS as Redis 7.0.15 sends it, on RESP2 and RESP3", "[resp][cluster]") {
    // One range, master only: *1 [ *3 [ :0 :16383 *4 [ $9 127.0.0.1 :7001 $2 id *0 ] ] ]
    const std::string resp2 =
        "*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:7001\r\n$2\r\nid\r\n*0\r\n";
    const std::string resp3 =   // the metadata is a RESP3 map
        "*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:7001\r\n$2\r\nid\r\n%0\r\n";
    for (const std::string& wire : {resp2, resp3}) {
        auto map = parse_cluster_slots(parsed(wire), at(9999));
        REQUIRE(map);
        CHECK(map->ranges() == std::vector<SlotRange>{{0, 16383, at(7001)}});
    }
}

TEST_CASE("CLUSTER SLOTS: three masters, replicas ignored, empty endpoint = the node asked",
          "[resp][cluster]") {
    const Reply reply = Reply::array({
        range(0, 5460, node("127.0.0.1", 7001)),
        Reply::array({Reply::integer_value(5461), Reply::integer_value(10922), node("", 7002),
                      node("127.0.0.9", 7102)}),   // a replica: not used
        range(10923, 16383,
              Reply::array({Reply::null(), Reply::integer_value(7003)})),   // null endpoint
    });
    auto map = parse_cluster_slots(reply, net::Address::loopback(7001).with_port(1));
    REQUIRE(map);
    CHECK(map->ranges() == std::vector<SlotRange>{{0, 5460, at(7001)},
                                                  {5461, 10922, at(7002)},
                                                  {10923, 16383, at(7003)}});
    CHECK(map->masters().size() == 3);
}

TEST_CASE("CLUSTER SLOTS: every malformed reply is a clear error", "[resp][cluster]") {
    struct Case {
        const char* what;
        Reply reply;
        const char* message;
    };
    const Case cases[] = {
        {"not an array", Reply::simple("OK"),
         "resp cluster: CLUSTER SLOTS answered simple string, not an array"},
        {"short entry", Reply::array({Reply::array({Reply::integer_value(0)})}),
         "resp cluster: CLUSTER SLOTS entry 1: not an array [start, end, master, replicas...]"},
        {"range backwards", Reply::array({range(10, 5, node("127.0.0.1", 7001))}),
         "resp cluster: CLUSTER SLOTS entry 1: bad slot range (integer) 10..(integer) 5"},
        {"slot 16384", Reply::array({range(0, 16384, node("127.0.0.1", 7001))}),
         "resp cluster: CLUSTER SLOTS entry 1: bad slot range (integer) 0..(integer) 16384"},
        {"host name", Reply::array({range(0, 1, node("redis-1", 7001))}),
         "resp cluster: CLUSTER SLOTS entry 1: the master's endpoint 'redis-1' is not a numeric IP "
         "(looplab resolves no host names on the loop)"},
        {"unknown endpoint", Reply::array({range(0, 1, node("?", 7001))}),
         "resp cluster: CLUSTER SLOTS entry 1: the master's endpoint '?' is not a numeric IP "
         "(looplab resolves no host names on the loop)"},
        {"port 0", Reply::array({range(0, 1, node("127.0.0.1", 0))}),
         "resp cluster: CLUSTER SLOTS entry 1: the master's port 0 is out of range"},
        {"master not an array", Reply::array({range(0, 1, Reply::bulk("x"))}),
         "resp cluster: CLUSTER SLOTS entry 1: the master is not [ip, port, ...]"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        auto map = parse_cluster_slots(c.reply, at(1));
        REQUIRE_FALSE(map);
        CHECK(map.error().message() == c.message);
    }
}

TEST_CASE("CLUSTER SLOTS naming more than kRespClusterMaxNodes masters is refused",
          "[resp][cluster]") {
    std::vector<Reply> entries;
    for (std::size_t i = 0; i <= kRespClusterMaxNodes; ++i)
        entries.push_back(range(static_cast<std::int64_t>(i), static_cast<std::int64_t>(i),
                                node("127.0.0.1", static_cast<std::int64_t>(2000 + i))));
    auto map = parse_cluster_slots(Reply::array(std::move(entries)), at(1));
    REQUIRE_FALSE(map);
    CHECK(map.error().message() ==
          "resp cluster: CLUSTER SLOTS names more than 1000 masters (kRespClusterMaxNodes)");
}

TEST_CASE("MOVED and ASK are read into redirections; anything else is not one", "[resp][cluster]") {
    const net::Address asked = at(7001);
    CHECK(parse_redirection("MOVED 3999 127.0.0.1:6381", asked) ==
          Redirection{Redirection::Kind::Moved, 3999, at(6381)});
    CHECK(parse_redirection("ASK 105 127.0.0.1:17002", asked) ==
          Redirection{Redirection::Kind::Ask, 105, at(17002)});
    // An empty host means the host we asked.
    CHECK(parse_redirection("MOVED 0 :6380", asked) ==
          Redirection{Redirection::Kind::Moved, 0, at(6380)});
    auto v6 = parse_redirection("MOVED 16383 [::1]:7000", asked);
    REQUIRE(v6);
    CHECK(v6->node == net::Address::loopback6(7000));

    for (const char* text : {"ERR wrong", "MOVED", "MOVED 3999", "MOVED 16384 127.0.0.1:1",
                             "MOVED -1 127.0.0.1:1", "MOVED x 127.0.0.1:1", "MOVED 1 127.0.0.1",
                             "MOVED 1 127.0.0.1:0", "MOVED 1 127.0.0.1:65536", "MOVED 1 host:7000",
                             "ASK 1 127.0.0.1:x", "moved 1 127.0.0.1:1"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_redirection(text, asked));
    }
}
