// lessons/03-observer-pattern/weather_observers.hpp
//
// The OBSERVERS of this lesson. Each one implements update(); the thermometer calls it, and
// the observer "pulls" the state it needs from the subject it was handed.
#pragma once

#include "thermometer.hpp"

#include "looplab/events/observer.hpp"
#include "looplab/lesson/say.hpp"

namespace weather {

using looplab::events::Observer;
using looplab::events::Subject;

inline const Thermometer& as_thermometer(const Subject& changed) {
    return static_cast<const Thermometer&>(changed);   // every subject here is a Thermometer
}

// Shows the latest reading.
class Display final : public Observer {
public:
    void update(const Subject& changed) override {
        LOOPLAB_TRACE_SCOPE("Display::update");
        looplab::lesson::say("display: {} C", as_thermometer(changed).celsius());
    }
};

// Numbers every reading it sees.
class Logger final : public Observer {
public:
    void update(const Subject& changed) override {
        LOOPLAB_TRACE_SCOPE("Logger::update");
        looplab::lesson::say("logger:  reading #{} = {} C", ++readings_,
                             as_thermometer(changed).celsius());
    }

private:
    int readings_ = 0;
};

// Rings once when it gets too hot, then detaches itself (from inside update(): allowed).
class HeatAlarm final : public Observer {
public:
    explicit HeatAlarm(int threshold) : threshold_(threshold) {}

    void update(const Subject& changed) override {
        LOOPLAB_TRACE_SCOPE("HeatAlarm::update");
        const int celsius = as_thermometer(changed).celsius();
        if (celsius < threshold_) return;
        looplab::lesson::say("alarm:   {} C is too hot! (ringing once, then detaching myself)",
                             celsius);
        // A const Subject& was handed in; detaching needs the thermometer itself, which the
        // alarm was told about when it was attached.
        thermometer_->detach(*this);
    }

    void watch(Thermometer& thermometer) {
        thermometer_ = &thermometer;
        thermometer.attach(*this);
    }

private:
    int threshold_;
    Thermometer* thermometer_ = nullptr;
};

}  // namespace weather
