// tests/main.cpp — the one Catch2 runner for every C++ test.
//
// It ignores SIGPIPE (a test that writes to a peer that has gone must see EPIPE, not die) and
// ends with the line the Makefile adds up: "catch2: N passed, M failed", counting test cases.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>

namespace {

class CountTestCases final : public Catch::TestEventListenerBase {
public:
    using Catch::TestEventListenerBase::TestEventListenerBase;

    void testRunEnded(const Catch::TestRunStats& stats) override {
        const auto& cases = stats.totals.testCases;
        std::printf("catch2: %llu passed, %llu failed\n",
                    static_cast<unsigned long long>(cases.passed + cases.failedButOk),
                    static_cast<unsigned long long>(cases.failed));
        std::fflush(stdout);
    }
};

}   // namespace

CATCH_REGISTER_LISTENER(CountTestCases)

int main(int argc, char* argv[]) {
    std::signal(SIGPIPE, SIG_IGN);
    return Catch::Session().run(argc, argv);
}
