#include "gapkit/server/events.hpp"

namespace gapkit::server {

std::string_view ToString(ServerEventType type) {
    switch (type) {
        case ServerEventType::kPlayerJoined:
            return "player joined";
        case ServerEventType::kPlayerLeft:
            return "player left";
        case ServerEventType::kPayload:
            return "payload";
        case ServerEventType::kSelfStopping:
            return "self stopping";
    }
    return "unknown";
}

std::string_view ToString(LeaveReason reason) {
    switch (reason) {
        case LeaveReason::kClientDisconnected:
            return "client disconnected";
        case LeaveReason::kTimedOut:
            return "timed out";
        case LeaveReason::kServerDisconnected:
            return "server disconnected";
        case LeaveReason::kServerStopped:
            return "server stopped";
    }
    return "unknown";
}

}  // namespace gapkit::server
