// lessons/03-observer-pattern/weather_station_demo.cpp
//
// The Observer Pattern in its classic shape: one subject (a thermometer), several observers
// (a display, a logger, an alarm). Observers attach; the subject notifies them when it
// changes; observers detach. Read with notes/03-observer-pattern.md.
#include "thermometer.hpp"
#include "weather_observers.hpp"

#include "looplab/lesson/lesson.hpp"

using namespace looplab;

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-03");
    lesson::TraceSession tracing{options};

    weather::Thermometer thermometer;
    weather::Display display;
    weather::Logger logger;
    weather::HeatAlarm alarm{30};

    // 1. Observers sign up. The subject stores a reference to each, in order.
    options.step("Attach");
    thermometer.attach(display);
    thermometer.attach(logger);
    lesson::say("the thermometer has {} observers", thermometer.observer_count());

    // 2. The state changes and the subject calls update() on each observer, right now, on
    //    this call stack: set() does not return until every observer has run.
    options.step("Notify");
    lesson::say("thermometer.set(21)");
    thermometer.set(21);
    lesson::say("set(21) returned");

    // 3. A new observer can join at any time. This one leaves by itself after its first ring.
    options.step("An observer that detaches itself");
    alarm.watch(thermometer);
    lesson::say("the thermometer has {} observers", thermometer.observer_count());
    lesson::say("thermometer.set(35)");
    thermometer.set(35);
    lesson::say("thermometer.set(36)");
    thermometer.set(36);
    lesson::say("the thermometer has {} observers", thermometer.observer_count());

    // 4. Detach: the display stops hearing about changes; the logger carries on.
    options.step("Detach");
    thermometer.detach(display);
    lesson::say("thermometer.set(18)");
    thermometer.set(18);
    lesson::say("the thermometer has {} observer", thermometer.observer_count());

    // 5. The same call, traced: notify() is a loop over plain function calls.
    options.step("The call stack of a notify");
    {
        lesson::TraceSession shown{options, lesson::TraceSession::When::Always};
        thermometer.attach(display);
        lesson::say("display attached again (so it is now last); thermometer.set(19)");
        thermometer.set(19);
    }
    return 0;
}
