// looplab/net/lifetime_flag.hpp
//
// LifetimeFlag — lets an event handler find out that a callback it just ran destroyed the
// object the handler belongs to.
// Teaches: why "delete this from inside a callback" is the classic event-loop crash, and the
// cheapest cure. A server typically owns its connections in a map and erases one from inside
// that connection's own close or data listener; when the callback returns, the handler that
// called it is running on an object that no longer exists.
//
//     void TcpConnection::handle(const Ready& ready) {
//         LifetimeFlag::Scope alive{lifetime_};     // a bool on the handler's stack
//         on_data_(input_);                         // may destroy *this
//         if (alive.was_destroyed()) return;       // touch nothing: *this is gone
//         ...
//     }
//
// The destructor of the owner's LifetimeFlag sets the bool on the stack of every Scope still
// open (scopes nest: the innermost one passes it outwards as it closes).
//
// Work the loop runs LATER (post_next, post_close) cannot use a stack bool; it captures an
// alive_token() instead: a shared "still alive?" bool that outlives the owner. It does not
// keep the owner alive (that would be shared ownership); it only says whether it still is.
//
//     loop.post_close([this, alive = lifetime_.alive_token()] {
//         if (*alive) emit_close_events();
//     });
//
// The third piece is for the listener that destroyed its owner: it is still running, and its
// lambda may still read its captures when the owner's destructor returns. So the owner keeps
// its listeners on the heap and its destructor hands them to retire(), which frees them at
// once, or, while a Scope is open, in the loop's close phase, after this turn's callbacks.
// Together they are the one lifetime rule of include/looplab/README.md.
//
// Contract: one thread. A member of the object it guards; not copyable or movable.
#pragma once

#include "looplab/loop/event_loop.hpp"

#include <memory>

namespace looplab::net {

class LifetimeFlag {
public:
    LifetimeFlag() = default;
    ~LifetimeFlag() {
        if (innermost_ != nullptr) *innermost_ = true;
        if (token_) *token_ = false;
    }
    LifetimeFlag(const LifetimeFlag&) = delete;
    LifetimeFlag& operator=(const LifetimeFlag&) = delete;

    // Open while a handler runs callbacks; ask was_destroyed() after each one.
    class Scope {
    public:
        // Out of line (lifetime_flag.cpp): g++ 12 cannot see that the destructor takes the
        // address back, and would warn about a dangling pointer.
        explicit Scope(LifetimeFlag& flag);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

        bool was_destroyed() const { return destroyed_; }

    private:
        LifetimeFlag* flag_;
        bool* outer_;
        bool destroyed_ = false;
    };

    // True while some handler of the owner is running (a Scope is open).
    bool is_in_handler() const { return innermost_ != nullptr; }

    // true while the owner lives, false once it is destroyed. Made on first use.
    std::shared_ptr<const bool> alive_token() {
        if (!token_) token_ = std::make_shared<bool>(true);
        return token_;
    }

    // Frees the owner's listeners now, or in `loop`'s close phase if one of them may still
    // be running (see above). Call it from the owner's destructor.
    template <class Listeners>
    void retire(loop::EventLoop& loop, std::unique_ptr<Listeners> listeners) const {
        if (listeners && is_in_handler())
            loop.post_close([kept = std::shared_ptr<Listeners>(std::move(listeners))] {});
    }

private:
    bool* innermost_ = nullptr;
    std::shared_ptr<bool> token_;
};

}   // namespace looplab::net
