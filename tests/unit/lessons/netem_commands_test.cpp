// tests/unit/lessons/netem_commands_test.cpp — lesson 14's --netem path, the part that can be
// checked anywhere: the exact commands it runs (netem_commands.hpp). Running them needs root,
// `ip`, `tc` and a kernel with sch_netem; lessons/14-tcp-vs-udp/README.md says how to try it.
#include "14-tcp-vs-udp/netem_commands.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace lab;
using namespace std::chrono_literals;

TEST_CASE("netem is given the lab's impairments in its own words", "[lessons][netem]") {
    const Impairments path{.loss = 0.1,
                           .duplicate = 0.05,
                           .reorder = 0.025,
                           .corrupt = 0.05,
                           .delay = 5ms,
                           .jitter = 2ms};
    CHECK(netem_arguments(path) == "delay 5ms 2ms loss 10% duplicate 5% reorder 2.5% corrupt 5%");
}

TEST_CASE("the netem path is two namespaces joined by a veth pair, impaired both ways",
          "[lessons][netem]") {
    const NetemNames names = netem_names(4242);
    CHECK(names.device_a.size() <= 15);   // IFNAMSIZ - 1
    const auto commands = netem_set_up_commands(names, Impairments{.loss = 0.1, .delay = 5ms});
    REQUIRE(commands.size() == 11);
    CHECK(commands[0] == "ip netns add looplab14a-4242");
    CHECK(commands[2] == "ip link add ll14a4242 type veth peer name ll14b4242");
    CHECK(commands[5] == "ip -n looplab14a-4242 addr add 10.214.0.1/24 dev ll14a4242");
    CHECK(commands[9] ==
          "tc -n looplab14a-4242 qdisc add dev ll14a4242 root netem delay 5ms 0ms "
          "loss 10% duplicate 0% reorder 0% corrupt 0%");
    CHECK(commands[10].starts_with("tc -n looplab14b-4242 qdisc add dev ll14b4242 root netem "));
}

TEST_CASE("tearing the netem path down removes everything set-up may have left",
          "[lessons][netem]") {
    const auto commands = netem_tear_down_commands(netem_names(7));
    CHECK(commands == std::vector<std::string>{"ip link del ll14a7", "ip netns del looplab14a-7",
                                               "ip netns del looplab14b-7"});
}
