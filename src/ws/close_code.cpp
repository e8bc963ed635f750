// looplab/ws/close_code.cpp
#include "looplab/ws/close_code.hpp"

namespace looplab::ws {

std::string_view describe(CloseCode code) {
    switch (code) {
        case CloseCode::Normal: return "normal";
        case CloseCode::GoingAway: return "going away";
        case CloseCode::ProtocolError: return "protocol error";
        case CloseCode::UnsupportedData: return "unsupported data";
        case CloseCode::NoStatusReceived: return "no status received";
        case CloseCode::AbnormalClosure: return "abnormal closure";
        case CloseCode::InvalidPayload: return "invalid payload";
        case CloseCode::PolicyViolation: return "policy violation";
        case CloseCode::MessageTooBig: return "message too big";
        case CloseCode::MandatoryExtension: return "mandatory extension";
        case CloseCode::InternalError: return "internal error";
        case CloseCode::ServiceRestart: return "service restart";
        case CloseCode::TryAgainLater: return "try again later";
        case CloseCode::BadGateway: return "bad gateway";
        case CloseCode::TlsHandshakeFailed: return "TLS handshake failed";
    }
    const auto number = static_cast<std::uint16_t>(code);
    return number >= 3000 && number <= 4999 ? "application" : "unknown";
}

}   // namespace looplab::ws
