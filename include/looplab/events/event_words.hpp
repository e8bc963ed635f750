// looplab/events/event_words.hpp
//
// The names of the events the library's handles emit: one small type per word, so that
//
//     connection->on(events::data, [&](net::ByteBuffer& input) { ... });
//     socket.on(events::message, [&](const ws::Message& message) { ... });
//
// reads like Node's `socket.on('data', (chunk) => ...)`, and is checked when it compiles. A
// handle lists the words it emits and what each carries (TypedListeners, typed_listeners.hpp):
// a word it does not emit, or a listener that cannot take the arguments, is a compile error at
// on(), never a surprise at emit(). The words are shared, so "close" means the same thing on
// every handle: the last event, exactly once.
// Teaches: Listener, Emit (notes 04-05): the same on/once/off the lessons' EventEmitter uses,
// with the event's name as a type instead of a string.
#pragma once

#include <string_view>

namespace looplab::events {

// Each word is a type that knows its name; the object of that type is what on() takes.

// bytes arrived
struct DataWord {
    static constexpr std::string_view kName = "data";
};
inline constexpr DataWord data;

// the peer will send nothing more (EOF)
struct EndWord {
    static constexpr std::string_view kName = "end";
};
inline constexpr EndWord end;

// it failed; "close" follows
struct ErrorWord {
    static constexpr std::string_view kName = "error";
};
inline constexpr ErrorWord error;

// closed: the last event, exactly once
struct CloseWord {
    static constexpr std::string_view kName = "close";
};
inline constexpr CloseWord close;

// pending output reached the high watermark: stop producing
struct HighWatermarkWord {
    static constexpr std::string_view kName = "high_watermark";
};
inline constexpr HighWatermarkWord high_watermark;

// pending output fell back to the low watermark: produce again
struct DrainWord {
    static constexpr std::string_view kName = "drain";
};
inline constexpr DrainWord drain;

// a whole message arrived
struct MessageWord {
    static constexpr std::string_view kName = "message";
};
inline constexpr MessageWord message;

// a ping arrived (already answered)
struct PingWord {
    static constexpr std::string_view kName = "ping";
};
inline constexpr PingWord ping;

// a pong arrived
struct PongWord {
    static constexpr std::string_view kName = "pong";
};
inline constexpr PongWord pong;

// a frame arrived (the frame inspector's view)
struct FrameWord {
    static constexpr std::string_view kName = "frame";
};
inline constexpr FrameWord frame;

// the client left before it got its answer
struct AbandonedWord {
    static constexpr std::string_view kName = "abandoned";
};
inline constexpr AbandonedWord abandoned;

// a line a user should know about (a Redis connection lost, then ready again)
struct StatusWord {
    static constexpr std::string_view kName = "status";
};
inline constexpr StatusWord status;

}   // namespace looplab::events
