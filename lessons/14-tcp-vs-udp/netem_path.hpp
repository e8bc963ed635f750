// lessons/14-tcp-vs-udp/netem_path.hpp
//
// NetemPath — the private network of netem_commands.hpp, built for one run and removed after.
// Sockets are made inside a namespace by switching this thread into it for the moment of the
// socket() call (setns); a socket stays in the namespace it was made in, and the loop watches
// it like any other.
//
// Contract: Linux, root. set_up() either returns a working path or removes what it built and
// says why. Loop thread only.
#pragma once

#include "lab.hpp"
#include "netem_commands.hpp"

#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/net/address.hpp"

#include <cstdint>
#include <functional>
#include <memory>

namespace lab {

class NetemPath {
public:
    [[nodiscard]] static looplab::Result<std::unique_ptr<NetemPath>> set_up(const Impairments& path);
    ~NetemPath();
    NetemPath(const NetemPath&) = delete;
    NetemPath& operator=(const NetemPath&) = delete;

    // Runs `work` with this thread inside namespace A (the client's side) or B (the server's).
    [[nodiscard]] looplab::Status in_a(const std::function<void()>& work) const { return inside(namespace_a_, work); }
    [[nodiscard]] looplab::Status in_b(const std::function<void()>& work) const { return inside(namespace_b_, work); }
    looplab::net::Address server_address(std::uint16_t port) const;
    // TCP segments namespace B's kernel dropped for a bad checksum (its InCsumErrors counter).
    std::uint64_t checksum_errors_in_b() const;

private:
    explicit NetemPath(NetemNames names) : names_(std::move(names)) {}
    looplab::Status open_namespaces();
    looplab::Status inside(const looplab::UniqueFd& target, const std::function<void()>& work) const;

    NetemNames names_;
    looplab::UniqueFd home_;          // this thread's own namespace, to come back to
    looplab::UniqueFd namespace_a_;
    looplab::UniqueFd namespace_b_;
};

}  // namespace lab
