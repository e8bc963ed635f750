// tests/unit/net/address_test.cpp — parsing and printing "host:port", IPv4 and IPv6.
#include "looplab/net/address.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <unordered_set>

#include <netinet/in.h>

using looplab::net::Address;

TEST_CASE("an IPv4 address parses and prints back the same", "[net][address]") {
    const auto address = Address::parse("127.0.0.1:8080");
    REQUIRE(address);
    CHECK(address->family() == AF_INET);
    CHECK_FALSE(address->is_ipv6());
    CHECK(address->port() == 8080);
    CHECK(address->ip() == "127.0.0.1");
    CHECK(address->to_string() == "127.0.0.1:8080");
    CHECK(fmt::format("{}", *address) == "127.0.0.1:8080");
    CHECK(address->size() == sizeof(sockaddr_in));
}

TEST_CASE("an IPv6 address needs brackets and prints in its short form", "[net][address]") {
    const auto loopback = Address::parse("[::1]:80");
    REQUIRE(loopback);
    CHECK(loopback->is_ipv6());
    CHECK(loopback->port() == 80);
    CHECK(fmt::format("{}", *loopback) == "[::1]:80");
    CHECK(loopback->size() == sizeof(sockaddr_in6));

    const auto long_form = Address::parse("[2001:0db8:0000:0000:0000:0000:0000:0001]:443");
    REQUIRE(long_form);
    CHECK(long_form->to_string() == "[2001:db8::1]:443");
    CHECK(long_form->ip() == "2001:db8::1");
}

TEST_CASE("the port can be anything from 0 to 65535", "[net][address]") {
    CHECK(Address::parse("0.0.0.0:0")->port() == 0);
    CHECK(Address::parse("10.0.0.1:65535")->port() == 65535);
    CHECK(Address::parse("[::]:1")->to_string() == "[::]:1");
}

TEST_CASE("malformed addresses are errors that say what is wrong", "[net][address]") {
    struct Case {
        const char* text;
        const char* complaint;
    };
    const Case bad = GENERATE(values<Case>({
        {"localhost:80", "names such as \"localhost\" are not resolved"},
        {"example.com:443", "not a numeric IPv4 or IPv6 address"},
        {"127.0.0.1", "missing ':port'"},
        {"127.0.0.1:", "missing port after ':'"},
        {"127.0.0.1:65536", "port must be a number from 0 to 65535"},
        {"127.0.0.1:80x", "port must be a number from 0 to 65535"},
        {"127.0.0.1:-1", "port must be a number from 0 to 65535"},
        {"127.0.0.1: 80", "port must be a number from 0 to 65535"},
        {"256.0.0.1:80", "not a numeric IPv4 or IPv6 address"},
        {"1.2.3:80", "not a numeric IPv4 or IPv6 address"},
        {":80", "not a numeric IPv4 or IPv6 address"},
        {"", "missing ':port'"},
        {"::1:80", "an IPv6 address needs brackets, as in [::1]:80"},
        {"[::1]", "missing ':port' after ']'"},
        {"[::1]80", "missing ':port' after ']'"},
        {"[::1:80", "missing ']'"},
        {"[127.0.0.1]:80", "brackets are for IPv6 addresses only"},
        {"[fe80::1%eth0]:80", "not a numeric IPv4 or IPv6 address"},
        {"[]:80", "not a numeric IPv4 or IPv6 address"},
    }));
    CAPTURE(bad.text);
    const auto parsed = Address::parse(bad.text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code() == 0);
    CHECK_THAT(parsed.error().message(), Catch::Contains(bad.complaint));
    CHECK_THAT(parsed.error().message(), Catch::StartsWith("address \""));
}

TEST_CASE("the named addresses are loopback and any, in both families", "[net][address]") {
    CHECK(Address::loopback(5).to_string() == "127.0.0.1:5");
    CHECK(Address::loopback6(5).to_string() == "[::1]:5");
    CHECK(Address::any(0).to_string() == "0.0.0.0:0");
    CHECK(Address::any6(7).to_string() == "[::]:7");
    CHECK(Address::loopback(9).with_port(10).to_string() == "127.0.0.1:10");
    CHECK(Address::from_ip("::1", 3)->to_string() == "[::1]:3");
}

TEST_CASE("a default Address is unspecified", "[net][address]") {
    const Address nothing;
    CHECK(nothing.family() == AF_UNSPEC);
    CHECK(nothing.to_string() == "unspecified");
    CHECK(nothing.port() == 0);
    CHECK(nothing.size() == 0);
}

TEST_CASE("addresses are equal when family, IP and port are", "[net][address]") {
    CHECK(Address::parse("127.0.0.1:80").value() == Address::loopback(80));
    CHECK_FALSE(Address::loopback(80) == Address::loopback(81));
    CHECK_FALSE(Address::loopback(80) == Address::any(80));
    CHECK_FALSE(Address::loopback(80) == Address::loopback6(80));
    CHECK(Address::parse("[::1]:80").value() == Address::loopback6(80));

    std::unordered_set<Address> seen{Address::loopback(80), Address::loopback(80),
                                     Address::loopback(81), Address::loopback6(80)};
    CHECK(seen.size() == 3);
}

TEST_CASE("an Address survives the trip through a sockaddr", "[net][address]") {
    const Address original = Address::parse("[2001:db8::7]:9000").value();
    const Address copy = Address::from_sockaddr(original.data(), original.size());
    CHECK(copy == original);
    CHECK(copy.to_string() == "[2001:db8::7]:9000");

    sockaddr unknown{};
    unknown.sa_family = AF_UNIX;
    CHECK(Address::from_sockaddr(&unknown, sizeof unknown).family() == AF_UNSPEC);
}

TEST_CASE("an Address is small: it holds an IPv6 socket address at most", "[net][address]") {
    // Every TCP connection keeps two; sockaddr_storage would make each 136 bytes.
    STATIC_REQUIRE(sizeof(Address) <= sizeof(sockaddr_in6) + sizeof(socklen_t));
    const auto v6 = Address::parse("[2001:db8::42]:65535");
    REQUIRE(v6);
    const Address copy = Address::from_sockaddr(v6->data(), v6->size());
    CHECK(copy == *v6);
    CHECK(copy.to_string() == "[2001:db8::42]:65535");
    // A length too short for the family it names gives the unspecified address.
    CHECK(Address::from_sockaddr(v6->data(), sizeof(sockaddr_in)).family() == AF_UNSPEC);
}
