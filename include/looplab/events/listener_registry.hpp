// looplab/events/listener_registry.hpp
//
// ListenerRegistry — the bookkeeping EventEmitter and AnyEmitter share: listeners kept per event
// name, ids, once, prepend, removal, the max-listeners warning, and the snapshot emit walks.
// The two emitters add only the typed part: how one listener is called with the arguments.
// Teaches: Listener (lessons/04-listener). Start at event_emitter.hpp; come here for "how can a
// listener remove itself in the middle of an emit?".
//
// Layout:
//
//   events_    [ "connect" | "message" | "close" ]   one Event per name, in the order the
//                               │                      names got their first listener
//                               ▼
//   listeners      [ #3 | #1 once | #7 ]              one heap Registration per on()/once()
//
// emit walks a snapshot: a copy of the *pointers* of one name's list, taken when it starts (on
// the stack for up to kInlineSnapshot listeners, so an ordinary emit allocates nothing). While
// any emit runs, a removed Registration is parked in retired_ instead of being destroyed, so
// every pointer in every snapshot stays valid; the outermost emit empties retired_ as it ends.
// That is why a listener may remove itself, or a later one, from inside an emit — and why the
// later one still runs in that emit, as in Node, which iterates over a copy of its array.
//
// Contract: one thread only (the loop's). Do not destroy or move an emitter from inside one of
// its own listeners; post the cleanup to the loop instead.
#pragma once

#include "looplab/events/listener_id.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::events {

// More listeners than this on one event name prints one MaxListenersExceededWarning for that
// name (a hint of a leak, like Node's; nothing is refused). set_max_listeners(0) turns it off.
inline constexpr std::size_t kDefaultMaxListeners = 10;

// emit() copies up to this many listener pointers onto the stack; a name with more listeners
// costs one vector allocation per emit.
inline constexpr std::size_t kInlineSnapshot = 16;

// Where warnings go; the default prints the line to stderr. Tests pass a lambda that keeps it.
using WarningSink = std::function<void(std::string_view warning)>;

void print_warning_to_stderr(std::string_view warning);

namespace detail {

// "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 knock listeners
// added to [EventEmitter]. MaxListeners is 10. Use emitter.set_max_listeners() to increase limit"
std::string max_listeners_warning(std::string_view event, std::size_t count, std::size_t max);

enum class Times { EveryEmit, Once };
enum class Position { Last, First };

template <typename Call>
struct Registration {
    ListenerId id;
    bool is_once;
    bool has_fired;   // once listeners: set just before the call, seen by every snapshot
    Call call;
};

template <typename Call>
class ListenerRegistry {
public:
    ListenerId add(std::string_view name, Call call, Times times, Position position) {
        Event& event = find_or_add(name);
        const ListenerId id = next_id_++;
        auto registration = std::make_unique<Registration<Call>>(
            Registration<Call>{id, times == Times::Once, false, std::move(call)});
        if (position == Position::First)
            event.listeners.insert(event.listeners.begin(), std::move(registration));
        else
            event.listeners.push_back(std::move(registration));
        warn_if_too_many(event);
        return id;
    }

    // Each removal below unlinks first and retires last: destroying a listener runs the
    // destructors of what it captured, and the lists must already be consistent by then.
    bool remove(ListenerId id) {
        for (auto event = events_.begin(); event != events_.end(); ++event) {
            auto& listeners = event->listeners;
            const auto found = std::find_if(listeners.begin(), listeners.end(),
                                            [id](const Owned& r) { return r->id == id; });
            if (found == listeners.end()) continue;
            Owned removed = std::move(*found);
            listeners.erase(found);
            if (listeners.empty()) events_.erase(event);
            retire(std::move(removed));
            return true;
        }
        return false;
    }

    void remove_all(std::string_view name) {
        const auto event = std::find_if(events_.begin(), events_.end(),
                                        [name](const Event& e) { return e.name == name; });
        if (event == events_.end()) return;
        std::vector<Owned> removed = std::move(event->listeners);
        events_.erase(event);
        for (Owned& registration : removed) retire(std::move(registration));
    }

    void remove_all() {
        std::vector<Event> removed = std::move(events_);
        events_.clear();
        for (Event& event : removed)
            for (Owned& registration : event.listeners) retire(std::move(registration));
    }

    std::size_t count(std::string_view name) const {
        const Event* event = find(name);
        return event == nullptr ? 0 : event->listeners.size();
    }

    std::vector<std::string> names() const {
        std::vector<std::string> names;
        names.reserve(events_.size());
        for (const Event& event : events_) names.push_back(event.name);
        return names;
    }

    void set_max_listeners(std::size_t max) { max_listeners_ = max; }
    std::size_t max_listeners() const { return max_listeners_; }
    void set_warning_sink(WarningSink sink) { warning_sink_ = std::move(sink); }

    // Calls look(call) for every listener of `name` now, without running any of them
    // (AnyEmitter checks argument types with it before an emit starts).
    template <typename Look>
    void for_each(std::string_view name, Look&& look) const {
        if (const Event* event = find(name))
            for (const Owned& registration : event->listeners) look(registration->call);
    }

    // The body of every emit: invoke(call) for each listener in the snapshot, in order.
    // Returns how many ran. An exception from invoke() skips the rest and propagates.
    template <typename Invoke>
    std::size_t run(std::string_view name, Invoke&& invoke) {
        const Event* event = find(name);
        if (event == nullptr) return 0;
        const EmitScope emitting{*this};
        const Snapshot snapshot{event->listeners};
        // From here on `event` may dangle: listeners can add and remove whole names.
        std::size_t ran = 0;
        for (Registration<Call>* listener : snapshot) {
            if (listener->is_once) {
                if (listener->has_fired) continue;   // a nested emit ran it already
                listener->has_fired = true;
                remove(listener->id);                // first, so a nested emit cannot run it
            }
            ++ran;
            // No trace frame here on purpose: emit is on every hot path, and lessons 05 and 06
            // push their own "emit" frame so students see exactly the scopes they wrote.
            invoke(listener->call);
        }
        return ran;
    }

private:
    using Owned = std::unique_ptr<Registration<Call>>;

    struct Event {
        std::string name;
        std::vector<Owned> listeners;   // never empty: the last removal erases the Event
        bool has_warned = false;        // the max-listeners warning is printed once per name
    };

    // The pointers of one name's list as they were when the emit started.
    class Snapshot {
    public:
        explicit Snapshot(const std::vector<Owned>& listeners) : size_(listeners.size()) {
            if (size_ > kInlineSnapshot) spilled_.resize(size_);
            data_ = size_ > kInlineSnapshot ? spilled_.data() : on_stack_.data();
            for (std::size_t i = 0; i < size_; ++i) data_[i] = listeners[i].get();
        }
        Snapshot(const Snapshot&) = delete;              // data_ may point into on_stack_
        Snapshot& operator=(const Snapshot&) = delete;

        Registration<Call>* const* begin() const { return data_; }
        Registration<Call>* const* end() const { return data_ + size_; }

    private:
        std::array<Registration<Call>*, kInlineSnapshot> on_stack_;
        std::vector<Registration<Call>*> spilled_;
        Registration<Call>** data_;
        std::size_t size_;
    };

    // Counts the emits in progress (they nest when a listener emits); the last one to end,
    // normally or by an exception, frees the listeners removed meanwhile.
    class EmitScope {
    public:
        explicit EmitScope(ListenerRegistry& registry) : registry_(registry) {
            ++registry_.emit_depth_;
        }
        ~EmitScope() {
            if (--registry_.emit_depth_ > 0 || registry_.retired_.empty()) return;
            // Move them out first: a listener's destructor could, in theory, use the emitter.
            const auto dying = std::move(registry_.retired_);
            registry_.retired_.clear();
        }
        EmitScope(const EmitScope&) = delete;
        EmitScope& operator=(const EmitScope&) = delete;

    private:
        ListenerRegistry& registry_;
    };

    const Event* find(std::string_view name) const {
        // A short scan: emitters have a handful of names, and comparing a few short strings
        // beats hashing one.
        for (const Event& event : events_)
            if (event.name == name) return &event;
        return nullptr;
    }

    Event& find_or_add(std::string_view name) {
        for (Event& event : events_)
            if (event.name == name) return event;
        return events_.emplace_back(Event{std::string{name}, {}, false});
    }

    // Parks a removed listener until the outermost emit ends; with no emit running, it is
    // simply destroyed when `registration` goes out of scope.
    void retire(Owned registration) {
        if (emit_depth_ > 0) retired_.push_back(std::move(registration));
    }

    void warn_if_too_many(Event& event) {
        if (max_listeners_ == 0 || event.listeners.size() <= max_listeners_ || event.has_warned)
            return;
        event.has_warned = true;
        if (warning_sink_)
            warning_sink_(max_listeners_warning(event.name, event.listeners.size(), max_listeners_));
    }

    std::vector<Event> events_;
    std::vector<Owned> retired_;   // removed during an emit; a snapshot may still point here
    std::size_t max_listeners_ = kDefaultMaxListeners;
    WarningSink warning_sink_ = print_warning_to_stderr;
    ListenerId next_id_ = 1;       // 0 is kNoListener
    int emit_depth_ = 0;
};

}  // namespace detail
}  // namespace looplab::events
