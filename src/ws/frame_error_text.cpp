// looplab/ws/frame_error_text.cpp
//
// What each way of breaking RFC 6455 is called, in the words a close frame's reason and a log
// line use: "unmasked frame from a client (clients must mask every frame)". Kept apart from
// the parser, which only decides *that* a rule is broken.
#include "looplab/ws/frame_parser.hpp"

namespace looplab::ws {

std::string_view describe(FrameError error) {
    switch (error) {
        case FrameError::ReservedBitsSet:
            return "reserved bits set (no extension was negotiated, so RSV1-3 must be 0)";
        case FrameError::UnknownOpcode: return "unknown opcode (3-7 and 11-15 are reserved)";
        case FrameError::FragmentedControlFrame:
            return "fragmented control frame (close, ping and pong must have FIN=1)";
        case FrameError::ControlPayloadTooLong:
            return "control frame payload longer than 125 bytes";
        case FrameError::UnmaskedClientFrame:
            return "unmasked frame from a client (clients must mask every frame)";
        case FrameError::MaskedServerFrame:
            return "masked frame from a server (servers never mask)";
        case FrameError::LengthHighBitSet:
            return "64-bit payload length with its most significant bit set";
        case FrameError::UnexpectedContinuation:
            return "continuation frame with no fragmented message open";
        case FrameError::InterleavedMessage:
            return "new text/binary frame while a fragmented message is still open";
        case FrameError::CloseFrameTooShort: return "close frame with a 1-byte payload";
        case FrameError::InvalidCloseCode: return "close code that may not be sent on the wire";
        case FrameError::MessageTooBig: return "message larger than the configured maximum";
        case FrameError::InvalidUtf8: return "text message that is not valid UTF-8";
        case FrameError::InvalidCloseReason: return "close reason that is not valid UTF-8";
    }
    return "unknown frame error";
}

}   // namespace looplab::ws
