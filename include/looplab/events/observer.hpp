// looplab/events/observer.hpp
//
// Observer — the interface of anything that wants to hear when a Subject changes.
// Teaches: Observer Pattern, the classic (GoF) shape (lessons/03-observer-pattern).
// Read: notes/03-observer-pattern.md, then subject.hpp.
//
// update() receives the subject that changed, and the observer asks it for whatever state it
// needs (the "pull" model). That usually takes a cast to the concrete subject:
//
//     void update(const Subject& changed) override {
//         const auto& thermometer = static_cast<const Thermometer&>(changed);
//         fmt::print("now {} °C\n", thermometer.celsius());
//     }
//
// EventEmitter (event_emitter.hpp) is the same pattern with two changes: each notification
// has a name ("knock"), and the data travels in the call's arguments instead of being pulled.
#pragma once

namespace looplab::events {

class Subject;

class Observer {
public:
    virtual ~Observer() = default;

    // Called by Subject::notify(), on the caller's stack, before notify() returns.
    // It may attach or detach observers (itself included) of the same subject.
    virtual void update(const Subject& changed) = 0;
};

}   // namespace looplab::events
