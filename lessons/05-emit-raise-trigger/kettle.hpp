// lessons/05-emit-raise-trigger/kettle.hpp
//
// A kettle that EMITS events. "Emit", "raise", "trigger" and "fire" all mean the same thing:
// call the listeners of an event now. looplab uses one word for it, emit.
#pragma once

#include "looplab/events/event_emitter.hpp"
#include "looplab/lesson/say.hpp"
#include "looplab/trace/call_stack.hpp"

#include <string>
#include <string_view>

namespace kitchen {

class Kettle {
public:
    // Listeners sign up here: kettle.events.on("boiled", ...). Every event carries one string.
    looplab::events::EventEmitter<std::string> events;

    void boil() {
        LOOPLAB_TRACE_SCOPE("Kettle::boil");
        looplab::lesson::say("Kettle::boil: the water boils; emitting \"boiled\"");
        emit("boiled", "100 C");
        looplab::lesson::say("Kettle::boil: emit returned; every listener has already run");
    }

    void run_dry() {
        LOOPLAB_TRACE_SCOPE("Kettle::run_dry");
        emit("error", "the kettle is empty");
    }

private:
    // The frame "emit <name>" makes the emit visible in the trace: the listeners' frames
    // appear INSIDE it, on top of whoever called emit.
    void emit(std::string_view name, const std::string& value) {
        LOOPLAB_TRACE_SCOPE("emit", "\"{}\"", name);
        events.emit(name, value);
    }
};

}  // namespace kitchen
