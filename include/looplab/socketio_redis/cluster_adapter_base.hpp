// looplab/socketio_redis/cluster_adapter_base.hpp
//
// ClusterAdapterBase — what the two Redis adapters (redis_adapter.hpp, sharded_redis_adapter.hpp)
// do the same way, whatever their wire format: the questions this server asked the others
// and the answers it waits for, and the broadcasts with acks it published. Each adapter says
// how to publish and how to read a message; this keeps the bookkeeping:
//
//     requests_       request id -> what was asked, how many answers are due, what came,
//                     and a timer: a server that never answers ends the question at
//                     requests_timeout, with what did arrive (and a status line saying so)
//     ack_requests_   request id -> the namespace's callbacks for a broadcast with acks:
//                     each other server's recipient count and each recipient's answer
//
// Contract: loop thread only. Callbacks never run after the adapter is gone.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio/adapter.hpp"
#include "looplab/socketio/in_memory_adapter.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace looplab::socketio_redis {

namespace json = codec::json;

class ClusterAdapterBase : public socketio::InMemoryAdapter {
protected:
    using StatusReport = std::function<void(std::string_view line)>;

    ClusterAdapterBase(socketio::Namespace& nsp, loop::EventLoop& loop, Millis requests_timeout,
                       StatusReport report);
    ~ClusterAdapterBase() override;

    // A question to the other servers, waiting for their answers.
    struct PendingRequest {
        std::string_view what;      // "fetch_sockets": for the status line
        std::size_t servers = 0;    // counted when it was asked
        std::size_t expected = 0;   // answers wanted
        std::size_t received = 0;
        std::vector<std::string> ids;               // sockets (all), fetch (this server's)
        std::vector<socketio::SocketInfo> remote;   // fetch: the other servers' sockets
        std::vector<socketio::Room> rooms;          // all_rooms
        json::Array responses;                      // server-side emit's answers
        std::function<void(PendingRequest&, bool timed_out)> finish;
        loop::TimerId timer = 0;
    };

    // The two kinds of question both adapters ask, ready to be sent: fetch_sockets (this
    // server's ids now; at the end, those still here plus the remote ones) and
    // server_side_emit_with_ack (every answer, or kAckTimedOut with those that came).
    PendingRequest fetch_request(const socketio::BroadcastOptions& opts,
                                 std::function<void(std::vector<socketio::SocketInfo>)> done);
    static PendingRequest server_side_request(socketio::BroadcastAckCallback done);

    // Keeps `pending` under `id` until pending.expected answers came (answer()) or
    // requests_timeout passed; then calls its finish.
    void wait_for_answers(const std::string& id, PendingRequest pending);
    // The question `id` is waiting for, or nullptr (unknown, or already ended).
    PendingRequest* waiting(const std::string& id);
    // Counts one answer to `id` (after the caller added what it brought); ends it when complete.
    void answered(const std::string& id);

    // A broadcast with acks this server published: the other servers' counts and answers go
    // to the namespace's callbacks until `timeout` (then late ones are dropped).
    void remember_broadcast_ack(const std::string& id,
                                const std::function<void(std::size_t)>& client_count,
                                const std::function<void(const socketio::Args&)>& on_answer,
                                Millis timeout);
    bool is_our_broadcast_ack(const std::string& id) const { return ack_requests_.contains(id); }
    void on_remote_client_count(const std::string& id, std::size_t count);
    void on_remote_ack(const std::string& id, const json::Value& answer);

    void report(std::string_view line) const {
        if (report_) report_(line);
    }
    loop::EventLoop& loop() const { return loop_; }
    Millis requests_timeout() const { return requests_timeout_; }
    std::shared_ptr<const bool> alive_token() { return lifetime_.alive_token(); }

private:
    struct AckRequest {
        std::function<void(std::size_t)> client_count;
        std::function<void(const socketio::Args&)> on_answer;
        loop::TimerId timer = 0;
    };

    void end_request(const std::string& id, bool timed_out);

    loop::EventLoop& loop_;
    Millis requests_timeout_;
    StatusReport report_;
    std::unordered_map<std::string, PendingRequest> requests_;
    std::unordered_map<std::string, AckRequest> ack_requests_;
    net::LifetimeFlag lifetime_;
};

}   // namespace looplab::socketio_redis
