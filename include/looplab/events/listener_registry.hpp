// looplab/events/listener_registry.hpp
//
// ListenerRegistry — the bookkeeping EventEmitter and AnyEmitter share: listeners kept per event
// name, ids, once, prepend, removal, the max-listeners warning, and the snapshot emit walks.
// The two emitters add only the typed part: how one listener is called with the arguments.
// Teaches: Listener (lessons/04-listener). Start at event_emitter.hpp; come here for "how can a
// listener remove itself in the middle of an emit?".
//
// Layout: one list of listeners, in the order they were added (a prepended one goes before
// the first listener of its name), each knowing its name:
//
//   listeners_   [ #3 "connect" | #1 "message" once | #7 "connect" ]   one heap Registration
//                                                                        per on()/once()
//
// emit("connect") walks #3 then #7. An emitter has a handful of listeners, so a scan of one
// short list beats a map of lists — and it costs a Socket.IO server with 10,000 sockets,
// each with its own listeners, a third less memory than a list per name.
// emit walks a snapshot: a copy of the *pointers* of one name's list, taken when it starts (on
// the stack for up to kEmitterInlineSnapshot listeners, so an ordinary emit allocates nothing).
// While any emit runs, a removed Registration is parked in `retired` instead of being destroyed, so
// every pointer in every snapshot stays valid; the outermost emit empties retired as it ends.
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
inline constexpr std::size_t kEmitterDefaultMaxListeners = 10;

// emit() copies up to this many listener pointers onto the stack; a name with more listeners
// costs one vector allocation per emit.
inline constexpr std::size_t kEmitterInlineSnapshot = 16;

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
    std::string name;
    ListenerId id;
    bool is_once;
    bool has_fired;   // once listeners: set just before the call, seen by every snapshot
    Call call;
};

template <typename Call>
class ListenerRegistry {
public:
    ListenerId add(std::string_view name, Call call, Times times, Position position) {
        const ListenerId id = next_id_++;
        auto registration = std::make_unique<Registration<Call>>(Registration<Call>{
            std::string{name}, id, times == Times::Once, false, std::move(call)});
        // Grown one at a time: most emitters hold a few listeners for life, and doubling would
        // leave up to half of each list unused.
        if (listeners_.size() == listeners_.capacity()) listeners_.reserve(listeners_.size() + 1);
        if (position == Position::First) {
            const auto first = std::find_if(listeners_.begin(), listeners_.end(),
                                            [name](const Owned& r) { return r->name == name; });
            listeners_.insert(first == listeners_.end() ? listeners_.end() : first,
                              std::move(registration));
        } else {
            listeners_.push_back(std::move(registration));
        }
        warn_if_too_many(name);
        return id;
    }

    // Each removal below unlinks first and retires last: destroying a listener runs the
    // destructors of what it captured, and the list must already be consistent by then.
    bool remove(ListenerId id) {
        const auto found = std::find_if(listeners_.begin(), listeners_.end(),
                                        [id](const Owned& r) { return r->id == id; });
        if (found == listeners_.end()) return false;
        Owned removed = std::move(*found);
        listeners_.erase(found);
        forget_warning_if_gone(removed->name);
        retire(std::move(removed));
        return true;
    }

    void remove_all(std::string_view name) {
        std::vector<Owned> removed;
        for (Owned& registration : listeners_)
            if (registration->name == name) removed.push_back(std::move(registration));
        if (removed.empty()) return;
        std::erase(listeners_, nullptr);
        forget_warning_if_gone(name);
        for (Owned& registration : removed) retire(std::move(registration));
    }

    void remove_all() {
        std::vector<Owned> removed = std::move(listeners_);
        listeners_.clear();
        if (rare_) rare_->warned.clear();
        for (Owned& registration : removed) retire(std::move(registration));
    }

    std::size_t count(std::string_view name) const {
        return static_cast<std::size_t>(
            std::count_if(listeners_.begin(), listeners_.end(),
                          [name](const Owned& r) { return r->name == name; }));
    }

    // Every name with a listener, in the order the names got their first one.
    std::vector<std::string> names() const {
        std::vector<std::string> names;
        for (const Owned& registration : listeners_)
            if (std::find(names.begin(), names.end(), registration->name) == names.end())
                names.push_back(registration->name);
        return names;
    }

    void set_max_listeners(std::size_t max) { rare().max_listeners = max; }
    std::size_t max_listeners() const {
        return rare_ ? rare_->max_listeners : kEmitterDefaultMaxListeners;
    }
    void set_warning_sink(WarningSink sink) { rare().warning_sink = std::move(sink); }

    // Calls look(call) for every listener of `name` now, without running any of them
    // (AnyEmitter checks argument types with it before an emit starts).
    template <typename Look>
    void for_each(std::string_view name, Look&& look) const {
        for (const Owned& registration : listeners_)
            if (registration->name == name) look(registration->call);
    }

    // The body of every emit: invoke(call) for each listener in the snapshot, in order.
    // Returns how many ran. An exception from invoke() skips the rest and propagates.
    template <typename Invoke>
    std::size_t run(std::string_view name, Invoke&& invoke) {
        const Snapshot snapshot{listeners_, name};
        if (snapshot.begin() == snapshot.end()) return 0;
        const EmitScope emitting{*this};
        // From here on listeners can add and remove others: the snapshot's pointers stay valid.
        std::size_t ran = 0;
        for (Registration<Call>* listener : snapshot) {
            if (listener->is_once) {
                if (listener->has_fired) continue;   // a nested emit ran it already
                listener->has_fired = true;
                remove(listener->id);   // first, so a nested emit cannot run it
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

    // The pointers of one name's listeners as they were when the emit started.
    class Snapshot {
    public:
        Snapshot(const std::vector<Owned>& listeners, std::string_view name) {
            for (const Owned& registration : listeners) {
                if (registration->name != name) continue;
                if (size_ == kEmitterInlineSnapshot) {   // rare: copy what we have to the heap
                    spilled_.assign(on_stack_.begin(), on_stack_.end());
                    data_ = nullptr;
                }
                if (data_ != nullptr) on_stack_[size_] = registration.get();
                else spilled_.push_back(registration.get());
                ++size_;
            }
            if (data_ == nullptr) data_ = spilled_.data();
        }
        Snapshot(const Snapshot&) = delete;   // data_ may point into on_stack_
        Snapshot& operator=(const Snapshot&) = delete;

        Registration<Call>* const* begin() const { return data_; }
        Registration<Call>* const* end() const { return data_ + size_; }

    private:
        std::array<Registration<Call>*, kEmitterInlineSnapshot> on_stack_;
        std::vector<Registration<Call>*> spilled_;
        Registration<Call>** data_ = on_stack_.data();   // nullptr while spilling
        std::size_t size_ = 0;
    };

    // Counts the emits in progress (they nest when a listener emits); the last one to end,
    // normally or by an exception, frees the listeners removed meanwhile.
    class EmitScope {
    public:
        explicit EmitScope(ListenerRegistry& registry) : registry_(registry) {
            ++registry_.emit_depth_;
        }
        ~EmitScope() {
            if (--registry_.emit_depth_ > 0 || !registry_.rare_ || registry_.rare_->retired.empty())
                return;
            // Move them out first: a listener's destructor could, in theory, use the emitter.
            const auto dying = std::move(registry_.rare_->retired);
            registry_.rare_->retired.clear();
        }
        EmitScope(const EmitScope&) = delete;
        EmitScope& operator=(const EmitScope&) = delete;

    private:
        ListenerRegistry& registry_;
    };

    // Parks a removed listener until the outermost emit ends; with no emit running, it is
    // simply destroyed when `registration` goes out of scope.
    void retire(Owned registration) {
        if (emit_depth_ > 0) rare().retired.push_back(std::move(registration));
    }

    void warn_if_too_many(std::string_view name) {
        const std::size_t max = max_listeners();
        if (max == 0) return;
        const std::size_t listeners = count(name);
        if (listeners <= max) return;
        std::vector<std::string>& warned = rare().warned;
        if (std::find(warned.begin(), warned.end(), name) != warned.end()) return;
        warned.emplace_back(name);   // the warning is printed once per name
        if (rare_->warning_sink) rare_->warning_sink(max_listeners_warning(name, listeners, max));
    }

    // A name whose last listener went may warn again if it grows again later.
    void forget_warning_if_gone(std::string_view name) {
        if (!rare_ || rare_->warned.empty() || count(name) > 0) return;
        const auto found = std::find(rare_->warned.begin(), rare_->warned.end(), name);
        if (found != rare_->warned.end()) rare_->warned.erase(found);
    }

    // What most emitters never need, made on first use: a server with 10,000 sockets, each
    // with an emitter, keeps 80 bytes per socket fewer.
    struct Rare {
        std::vector<Owned> retired;   // removed during an emit; a snapshot may still point here
        std::vector<std::string> warned;   // names whose max-listeners warning was printed
        std::size_t max_listeners = kEmitterDefaultMaxListeners;
        WarningSink warning_sink = print_warning_to_stderr;
    };
    Rare& rare() {
        if (!rare_) rare_ = std::make_unique<Rare>();
        return *rare_;
    }

    std::vector<Owned> listeners_;
    std::unique_ptr<Rare> rare_;
    ListenerId next_id_ = 1;   // 0 is kNoListener
    int emit_depth_ = 0;
};

}   // namespace detail
}   // namespace looplab::events
