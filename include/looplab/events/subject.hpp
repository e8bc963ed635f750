// looplab/events/subject.hpp
//
// Subject — keeps a list of observers and calls update() on each when it changes.
// Teaches: Observer Pattern, the classic (GoF) shape (lessons/03-observer-pattern).
// Read: notes/03-observer-pattern.md. Compare with event_emitter.hpp.
//
//     class Thermometer : public Subject {
//     public:
//         void set(int celsius) { celsius_ = celsius; notify(); }   // 2. state changes → notify
//         int celsius() const { return celsius_; }
//     private:
//         int celsius_ = 0;
//     };
//     thermometer.attach(display);                                  // 1. observers sign up
//     thermometer.set(21);                                          // 3. display.update() runs now
//
// Contract:
// - Ownership: the subject does NOT own its observers; it holds plain references. An observer
//   must be detached before it is destroyed (or must outlive the subject).
// - notify() calls observers in the order they were attached, on the caller's stack.
// - Attaching or detaching from inside update() is safe. An observer detached during a notify()
//   is not called by it any more (it may be about to be destroyed — the subject only has a
//   reference). One attached during a notify() is first called by the next notify().
//   EventEmitter differs on purpose: it owns copies of its listeners and, like Node, still
//   calls a listener removed during the emit (see event_emitter.hpp).
// - Attaching an observer that is already attached does nothing. One thread only.
#pragma once

#include "looplab/events/observer.hpp"

#include <cstddef>
#include <vector>

namespace looplab::events {

class Subject {
public:
    Subject() = default;
    Subject(const Subject&) = delete;   // whose observers would the copy have?
    Subject& operator=(const Subject&) = delete;
    virtual ~Subject() = default;

    void attach(Observer& observer);

    // Detaching an observer that is not attached does nothing.
    void detach(Observer& observer);

    // Calls update(*this) on every attached observer, in attach order.
    void notify();

    std::size_t observer_count() const;

private:
    void end_notify();   // the outermost notify() sweeps out the holes detach() left

    // Not owned. While notify() runs, detach() only sets the slot to nullptr, so the loop's
    // positions stay valid; the holes are swept when the outermost notify() ends.
    std::vector<Observer*> observers_;
    int notify_depth_ = 0;   // > 1 when an update() calls notify() again
};

}   // namespace looplab::events
