// lessons/14-tcp-vs-udp/netem_commands.hpp
//
// The commands that give TCP a bad path (--netem). User space cannot lose or damage TCP
// segments: they are made, checked and resent inside the kernel. The kernel's own tool can:
// `tc qdisc ... netem` impairs every packet that leaves an interface. To keep the machine's
// real interfaces untouched, the lab builds a small private network:
//
//   namespace A (the TCP client)               namespace B (the TCP server)
//   [ veth A, 10.214.0.1 ] ◄──── a cable ────► [ veth B, 10.214.0.2 ]
//        netem on the way out                       netem on the way out (the acks)
//
// Needs root (or CAP_NET_ADMIN), the `ip` and `tc` tools, and a kernel with sch_netem. These
// are pure functions that only spell out the commands; netem_path.cpp runs them.
#pragma once

#include "looplab/lesson/lossy_link.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace lab {

using looplab::lesson::Impairments;   // the lossy link's settings, which netem mirrors

struct NetemNames {
    std::string namespace_a;   // "looplab14a-1234" (the process id keeps two runs apart)
    std::string namespace_b;
    std::string device_a;      // "ll14a1234": interface names have at most 15 characters
    std::string device_b;
    std::string ip_a = "10.214.0.1";
    std::string ip_b = "10.214.0.2";
};

inline NetemNames netem_names(int process_id) {
    return NetemNames{fmt::format("looplab14a-{}", process_id), fmt::format("looplab14b-{}", process_id),
                      fmt::format("ll14a{}", process_id), fmt::format("ll14b{}", process_id)};
}

// "delay 5ms 5ms loss 10% duplicate 5% reorder 5% corrupt 5%": the lab's impairments in
// netem's words. (netem reorders by sending some packets at once while the rest wait out
// the delay, so reordering needs a delay.)
inline std::string netem_arguments(const Impairments& path) {
    return fmt::format("delay {}ms {}ms loss {:g}% duplicate {:g}% reorder {:g}% corrupt {:g}%",
                       path.delay.count(), path.jitter.count(), path.loss * 100, path.duplicate * 100,
                       path.reorder * 100, path.corrupt * 100);
}

inline std::vector<std::string> netem_set_up_commands(const NetemNames& n, const Impairments& path) {
    const std::string impair = netem_arguments(path);
    return {
        fmt::format("ip netns add {}", n.namespace_a),
        fmt::format("ip netns add {}", n.namespace_b),
        fmt::format("ip link add {} type veth peer name {}", n.device_a, n.device_b),
        fmt::format("ip link set {} netns {}", n.device_a, n.namespace_a),
        fmt::format("ip link set {} netns {}", n.device_b, n.namespace_b),
        fmt::format("ip -n {} addr add {}/24 dev {}", n.namespace_a, n.ip_a, n.device_a),
        fmt::format("ip -n {} addr add {}/24 dev {}", n.namespace_b, n.ip_b, n.device_b),
        fmt::format("ip -n {} link set {} up", n.namespace_a, n.device_a),
        fmt::format("ip -n {} link set {} up", n.namespace_b, n.device_b),
        fmt::format("tc -n {} qdisc add dev {} root netem {}", n.namespace_a, n.device_a, impair),
        fmt::format("tc -n {} qdisc add dev {} root netem {}", n.namespace_b, n.device_b, impair),
    };
}

// Deleting a namespace deletes its end of the veth pair, and with it the other end. (The
// first command is for a set-up that failed before the pair was moved into the namespaces;
// it fails harmlessly otherwise.)
inline std::vector<std::string> netem_tear_down_commands(const NetemNames& n) {
    return {fmt::format("ip link del {}", n.device_a), fmt::format("ip netns del {}", n.namespace_a),
            fmt::format("ip netns del {}", n.namespace_b)};
}

}  // namespace lab
