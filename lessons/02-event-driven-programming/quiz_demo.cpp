// lessons/02-event-driven-programming/quiz_demo.cpp
//
// The same quiz twice: first asking in order (quiz_in_order.cpp), then reacting to events
// (quiz_event_driven.cpp). Read with notes/02-event-driven-programming.md.
#include "quiz.hpp"

using namespace looplab;

namespace quiz {

std::chrono::milliseconds time_limit(const lesson::Options& options) {
    return options.demo ? kDemoLimit : std::chrono::milliseconds{options.number("limit-ms")};
}

}  // namespace quiz

int main(int argc, char** argv) {
    const auto options =
        lesson::parse(argc, argv, "lesson-02",
                      lesson::number("limit-ms", "N", "time per question when run by hand", 5000));
    lesson::TraceSession tracing{options};
    if (!options.demo) lesson::say("(type your answers and press Enter)");

    // 1. The program is in charge: ask, block until the answer, ask the next one.
    options.step("Ask in order");
    quiz::run_in_order(options);

    // 2. The events are in charge: the loop calls us when the keyboard or the timer is ready.
    options.step("React to input and a timer");
    quiz::run_event_driven(options);
    return 0;
}
