// TypedListeners: the on/once/off of the library's handles (events/typed_listeners.hpp), alone,
// with no loop. What the compiler refuses (a word the handle does not emit, a listener that
// cannot take the arguments) is checked by a concept, without compiling the refusal.
#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace events = looplab::events;
using events::Event;
using Log = std::vector<std::string>;

namespace {

// A handle's declaration, as TcpConnection writes it: a buffer a listener may consume, a
// read-only error, a count by value, and an event with nothing.
struct Buffer {
    std::string bytes;
};
struct Failure {
    std::string what;
};
using Listeners =
    events::TypedListeners<Event<events::DataWord, Buffer&>,
                           Event<events::ErrorWord, const Failure&>,
                           Event<events::HighWatermarkWord, std::size_t>, Event<events::CloseWord>>;

// A tiny handle with the listener words, as every net/ws/http handle gets them.
class Door : public events::Listenable<Door> {
public:
    std::size_t ring() { return listeners_ ? listeners_->emit(events::close) : 0; }
    Listeners* made() { return listeners_.get(); }

private:
    friend class events::Listenable<Door>;
    Listeners& listeners() {
        if (!listeners_) listeners_ = std::make_unique<Listeners>();
        return *listeners_;
    }
    Listeners* existing_listeners() { return listeners_.get(); }
    std::unique_ptr<Listeners> listeners_;
};

// Whether on() and once() take `F` for `Word` (they share one constraint).
template <typename Word, typename F>
concept Accepted = requires(Listeners listeners, Word word, F listener) {
    listeners.on(word, listener);
    listeners.once(word, listener);
};

}   // namespace

TEST_CASE("typed listeners run in order, each with the event's own arguments", "[events]") {
    Listeners listeners;
    Log log;
    listeners.on(events::data, [&](Buffer& input) { log.push_back("A " + input.bytes); });
    listeners.on(events::error,
                 [&](const Failure& failure) { log.push_back("E " + failure.what); });
    listeners.on(events::data, [&](Buffer& input) { log.push_back("B " + input.bytes); });
    listeners.on(events::high_watermark, [&](std::size_t n) { log.push_back(std::to_string(n)); });

    Buffer input{"hi"};
    CHECK(listeners.emit(events::data, input) == 2);
    CHECK(listeners.emit(events::high_watermark, std::size_t{7}) == 1);
    CHECK(listeners.emit(events::error, Failure{"reset"}) == 1);
    CHECK(listeners.emit(events::close) == 0);   // no listener: nothing ran, nothing thrown
    CHECK(log == Log{"A hi", "B hi", "7", "E reset"});
}

TEST_CASE("data listeners share one buffer: what one consumes, the next does not see", "[events]") {
    Listeners listeners;
    std::string second_saw = "(not called)";
    listeners.on(events::data, [](Buffer& input) { input.bytes.erase(0, 3); });
    listeners.on(events::data, [&](Buffer& input) { second_saw = input.bytes; });
    Buffer input{"onetwo"};
    listeners.emit(events::data, input);
    CHECK(second_saw == "two");
}

TEST_CASE("once runs a listener one time; off removes by id; listener_count counts per word",
          "[events]") {
    Listeners listeners;
    int every = 0;
    int first = 0;
    const events::ListenerId id = listeners.on(events::close, [&] { ++every; });
    listeners.once(events::close, [&] { ++first; });
    CHECK(listeners.listener_count(events::close) == 2);
    CHECK(listeners.listener_count(events::data) == 0);

    listeners.emit(events::close);
    listeners.emit(events::close);
    CHECK(every == 2);
    CHECK(first == 1);
    CHECK(listeners.listener_count(events::close) == 1);

    CHECK(listeners.off(id));
    CHECK_FALSE(listeners.off(id));   // twice is harmless
    listeners.emit(events::close);
    CHECK(every == 2);
}

TEST_CASE("a listener may remove itself or a later one during an emit, as in Node", "[events]") {
    Listeners listeners;
    Log log;
    events::ListenerId later = events::kNoListener;
    events::ListenerId self = events::kNoListener;
    self = listeners.on(events::close, [&] {
        log.push_back("self");
        listeners.off(self);
        listeners.off(later);
    });
    later = listeners.on(events::close, [&] { log.push_back("later"); });
    listeners.emit(events::close);
    CHECK(log == Log{"self", "later"});   // the snapshot of this emit still runs it
    listeners.emit(events::close);
    CHECK(log == Log{"self", "later"});   // gone from the next emit on
}

TEST_CASE("silence() stops an emit at once: nothing fires for a handle that is gone",
          "[events][lifetime]") {
    Listeners listeners;
    Log log;
    listeners.on(events::close, [&] {
        log.push_back("first, destroys its handle");
        listeners.silence();   // what the handle's destructor does
    });
    listeners.on(events::close, [&] { log.push_back("second"); });
    listeners.emit(events::close);
    CHECK(log == Log{"first, destroys its handle"});
    CHECK(listeners.emit(events::close) == 0);
}

TEST_CASE("Listenable gives a handle on/once/off and makes its listeners on first use",
          "[events]") {
    Door door;
    CHECK(door.made() == nullptr);   // a handle nobody listens to holds no list
    CHECK_FALSE(door.off(1));
    CHECK(door.listener_count(events::close) == 0);
    int rings = 0;
    const events::ListenerId id = door.on(events::close, [&] { ++rings; });
    door.once(events::close, [&] { rings += 10; });
    CHECK(door.made() != nullptr);
    CHECK(door.ring() == 2);
    CHECK(door.ring() == 1);
    CHECK(rings == 12);
    CHECK(door.off(id));
    CHECK(door.ring() == 0);
}

TEST_CASE("a word the handle does not emit, or a listener of the wrong shape, does not compile",
          "[events]") {
    using DataListener = void (*)(Buffer&);
    using TextListener = void (*)(const std::string&);
    using NoArguments = void (*)();
    STATIC_REQUIRE(Accepted<events::DataWord, DataListener>);
    STATIC_REQUIRE_FALSE(Accepted<events::MessageWord, DataListener>);   // not declared here
    STATIC_REQUIRE_FALSE(Accepted<events::DataWord, TextListener>);      // wrong argument
    STATIC_REQUIRE_FALSE(Accepted<events::DataWord, NoArguments>);       // must take the buffer
    STATIC_REQUIRE(Accepted<events::CloseWord, NoArguments>);
}
