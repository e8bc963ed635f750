// lessons/14-tcp-vs-udp/netem_path.cpp — see netem_path.hpp.
#include "netem_path.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lab {
namespace {

// Runs one command; an Error with the command and its first line of output if it fails.
looplab::Status run_command(const std::string& command) {
    std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return looplab::Error::from_errno(fmt::format("popen \"{}\"", command));
    std::string output;
    std::array<char, 256> buffer;
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
    const int status = ::pclose(pipe);
    if (status == 0) return looplab::Ok{};
    const std::string first_line = output.substr(0, output.find('\n'));
    return looplab::Error::because(fmt::format("{}: {}", command,
                                               first_line.empty() ? "failed" : first_line));
}

looplab::Result<looplab::UniqueFd> open_namespace(const std::string& path) {
    looplab::UniqueFd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (!fd) return looplab::Error::from_errno(fmt::format("open {}", path));
    return fd;
}

}  // namespace

looplab::Result<std::unique_ptr<NetemPath>> NetemPath::set_up(const Impairments& path) {
    if (::geteuid() != 0)
        return looplab::Error::because("--netem needs root (it creates network namespaces and runs tc)");
    std::unique_ptr<NetemPath> netem{new NetemPath(netem_names(static_cast<int>(::getpid())))};
    for (const std::string& command : netem_set_up_commands(netem->names_, path)) {
        if (auto done = run_command(command); !done) return done.error();   // ~NetemPath cleans up
    }
    if (auto opened = netem->open_namespaces(); !opened) return opened.error();
    return netem;
}

NetemPath::~NetemPath() {
    for (const std::string& command : netem_tear_down_commands(names_)) (void)run_command(command);
}

looplab::Status NetemPath::open_namespaces() {
    auto home = open_namespace("/proc/thread-self/ns/net");
    auto a = open_namespace("/run/netns/" + names_.namespace_a);
    auto b = open_namespace("/run/netns/" + names_.namespace_b);
    if (!home) return home.error();
    if (!a) return a.error();
    if (!b) return b.error();
    home_ = std::move(*home);
    namespace_a_ = std::move(*a);
    namespace_b_ = std::move(*b);
    return looplab::Ok{};
}

looplab::Status NetemPath::inside(const looplab::UniqueFd& target, const std::function<void()>& work) const {
    if (::setns(target.get(), CLONE_NEWNET) == -1) return looplab::Error::from_errno("setns");
    work();   // sockets made now belong to the target namespace, for good
    if (::setns(home_.get(), CLONE_NEWNET) == -1) return looplab::Error::from_errno("setns (back home)");
    return looplab::Ok{};
}

looplab::net::Address NetemPath::server_address(std::uint16_t port) const {
    return looplab::net::Address::from_ip(names_.ip_b, port).value();
}

std::uint64_t NetemPath::checksum_errors_in_b() const {
    std::uint64_t errors = 0;
    (void)inside(namespace_b_, [&errors] {
        // Two "Tcp:" lines: the names, then the values. /proc/thread-self/net is this
        // thread's namespace (B, right now).
        std::ifstream snmp{"/proc/thread-self/net/snmp"};
        std::string names, values, line;
        while (std::getline(snmp, line)) {
            if (!line.starts_with("Tcp:")) continue;
            if (names.empty()) names = line;
            else values = line;
        }
        std::istringstream name_words{names}, value_words{values};
        std::string name, value;
        while (name_words >> name && value_words >> value)
            if (name == "InCsumErrors") errors = std::stoull(value);
    });
    return errors;
}

}  // namespace lab
