#include "looplab/events/subject.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using looplab::events::Observer;
using looplab::events::Subject;

namespace {

// The lesson's concrete subject: state plus notify() when it changes.
class Thermometer final : public Subject {
public:
    void set(int celsius) {
        celsius_ = celsius;
        notify();
    }
    int celsius() const { return celsius_; }

private:
    int celsius_ = 0;
};

// Records "<name> <celsius>" for every update, then runs an optional extra action.
class Display final : public Observer {
public:
    Display(std::string name, std::vector<std::string>& log) : name_(std::move(name)), log_(log) {}

    void update(const Subject& changed) override {
        const auto& thermometer = static_cast<const Thermometer&>(changed);   // the "pull"
        log_.push_back(name_ + " " + std::to_string(thermometer.celsius()));
        if (then) then();
    }

    std::function<void()> then;

private:
    std::string name_;
    std::vector<std::string>& log_;
};

using Log = std::vector<std::string>;

}   // namespace

TEST_CASE("notify calls every attached observer in attach order", "[events]") {
    Log log;
    Thermometer thermometer;
    Display a{"a", log}, b{"b", log};
    thermometer.attach(a);
    thermometer.attach(b);

    thermometer.set(21);
    CHECK(log == Log{"a 21", "b 21"});
    CHECK(thermometer.observer_count() == 2);
}

TEST_CASE("a detached observer is not notified", "[events]") {
    Log log;
    Thermometer thermometer;
    Display a{"a", log}, b{"b", log};
    thermometer.attach(a);
    thermometer.attach(b);
    thermometer.detach(a);
    thermometer.detach(a);   // detaching twice does nothing

    thermometer.set(5);
    CHECK(log == Log{"b 5"});
    CHECK(thermometer.observer_count() == 1);
}

TEST_CASE("attaching an observer twice notifies it once", "[events]") {
    Log log;
    Thermometer thermometer;
    Display a{"a", log};
    thermometer.attach(a);
    thermometer.attach(a);
    thermometer.set(1);
    CHECK(log == Log{"a 1"});
}

TEST_CASE("an observer may detach itself during notify", "[events]") {
    Log log;
    Thermometer thermometer;
    Display a{"a", log}, b{"b", log};
    a.then = [&] { thermometer.detach(a); };
    thermometer.attach(a);
    thermometer.attach(b);

    thermometer.set(1);
    thermometer.set(2);
    CHECK(log == Log{"a 1", "b 1", "b 2"});
    CHECK(thermometer.observer_count() == 1);
}

TEST_CASE("an observer detached during notify by an earlier one is not called", "[events]") {
    // Unlike EventEmitter: the subject holds only a reference, and a detached observer may be
    // about to be destroyed, so it must not be called again.
    Log log;
    Thermometer thermometer;
    Display a{"a", log}, b{"b", log}, c{"c", log};
    a.then = [&] { thermometer.detach(b); };
    thermometer.attach(a);
    thermometer.attach(b);
    thermometer.attach(c);

    thermometer.set(7);
    CHECK(log == Log{"a 7", "c 7"});
    CHECK(thermometer.observer_count() == 2);
}

TEST_CASE("an observer attached during notify waits for the next notify", "[events]") {
    Log log;
    Thermometer thermometer;
    Display a{"a", log}, late{"late", log};
    a.then = [&] { thermometer.attach(late); };
    thermometer.attach(a);

    thermometer.set(1);
    CHECK(log == Log{"a 1"});
    thermometer.set(2);
    CHECK(log == Log{"a 1", "a 2", "late 2"});
}

TEST_CASE("a nested notify sees the same observers and the list is tidied after", "[events]") {
    Log log;
    Thermometer thermometer;
    Display a{"a", log}, b{"b", log};
    bool nested = false;
    a.then = [&] {
        if (nested) return;
        nested = true;
        thermometer.detach(b);
        thermometer.set(2);   // notify inside notify
    };
    thermometer.attach(a);
    thermometer.attach(b);

    thermometer.set(1);
    CHECK(log == Log{"a 1", "a 2"});
    CHECK(thermometer.observer_count() == 1);
}

TEST_CASE("an exception from update leaves notify and the subject stays usable", "[events]") {
    Log log;
    Thermometer thermometer;
    Display a{"a", log}, b{"b", log};
    a.then = [&] {
        thermometer.detach(a);
        throw std::runtime_error{"display broke"};
    };
    thermometer.attach(a);
    thermometer.attach(b);

    CHECK_THROWS_WITH(thermometer.set(1), "display broke");
    CHECK(log == Log{"a 1"});
    CHECK(thermometer.observer_count() == 1);
    thermometer.set(2);
    CHECK(log == Log{"a 1", "b 2"});
}
