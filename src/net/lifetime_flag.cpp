#include "looplab/net/lifetime_flag.hpp"

namespace looplab::net {

LifetimeFlag::Scope::Scope(LifetimeFlag& flag) : flag_(&flag), outer_(flag.innermost_) {
    flag.innermost_ = &destroyed_;
}

LifetimeFlag::Scope::~Scope() {
    if (destroyed_) {
        if (outer_ != nullptr) *outer_ = true;   // the flag is gone: tell the outer scope
    } else {
        flag_->innermost_ = outer_;
    }
}

}   // namespace looplab::net
