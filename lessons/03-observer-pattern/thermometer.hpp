// lessons/03-observer-pattern/thermometer.hpp
//
// The SUBJECT of this lesson: a thermometer. It keeps a list of observers (that part comes
// from looplab::events::Subject) and notifies them whenever its reading changes. It does not
// know what a display or an alarm is: it only knows "something that has update()".
#pragma once

#include "looplab/events/subject.hpp"
#include "looplab/trace/call_stack.hpp"

namespace weather {

class Thermometer final : public looplab::events::Subject {
public:
    // A new reading: store it, then tell every observer, now, one after the other.
    void set(int celsius) {
        LOOPLAB_TRACE_SCOPE("Thermometer::set", "{}", celsius);
        celsius_ = celsius;
        notify();
    }

    int celsius() const { return celsius_; }

private:
    int celsius_ = 0;
};

}  // namespace weather
