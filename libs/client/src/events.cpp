#include "gapkit/client/events.hpp"

namespace gapkit::client {

std::string_view ToString(ClientState state) {
    switch (state) {
        case ClientState::kIdle:
            return "idle";
        case ClientState::kMatchmaking:
            return "matchmaking";
        case ClientState::kConnecting:
            return "connecting";
        case ClientState::kConnected:
            return "connected";
        case ClientState::kDisconnected:
            return "disconnected";
        case ClientState::kFailed:
            return "failed";
        case ClientState::kServerFound:
            return "server_found";
    }
    return "unknown";
}

std::string_view ToString(FailureReason reason) {
    switch (reason) {
        case FailureReason::kNone:
            return "none";
        case FailureReason::kMatchmakerUnreachable:
            return "matchmaker_unreachable";
        case FailureReason::kMatchmakerError:
            return "matchmaker_error";
        case FailureReason::kMalformedReply:
            return "malformed_reply";
        case FailureReason::kMatchmakerClosed:
            return "matchmaker_closed";
        case FailureReason::kMatchmakingTimedOut:
            return "matchmaking_timed_out";
        case FailureReason::kInvalidConnectToken:
            return "invalid_connect_token";
        case FailureReason::kConnectTokenExpired:
            return "connect_token_expired";
        case FailureReason::kConnectionDenied:
            return "connection_denied";
        case FailureReason::kConnectionTimedOut:
            return "connection_timed_out";
        case FailureReason::kConnectionLost:
            return "connection_lost";
        case FailureReason::kLocalNetworkError:
            return "local_network_error";
        case FailureReason::kMatchmakerBusy:
            return "matchmaker_busy";
    }
    return "unknown";
}

std::string_view PlayerText(FailureReason reason) {
    switch (reason) {
        case FailureReason::kNone:
            return "";
        case FailureReason::kMatchmakerUnreachable:
            return "Cannot reach the matchmaker. Check your connection and try again.";
        case FailureReason::kMatchmakerError:
            return "The matchmaker could not find a server.";
        case FailureReason::kMalformedReply:
            return "The matchmaker sent an answer this game does not understand. Is the game up to date?";
        case FailureReason::kMatchmakerClosed:
            return "The matchmaker hung up before finding a server. Try again.";
        case FailureReason::kMatchmakingTimedOut:
            return "Finding a server took too long. Try again.";
        case FailureReason::kInvalidConnectToken:
            return "The server ticket is not valid for this game.";
        case FailureReason::kConnectTokenExpired:
            return "The server ticket expired before the connection was made. Try again.";
        case FailureReason::kConnectionDenied:
            return "The game server refused the connection.";
        case FailureReason::kConnectionTimedOut:
            return "The game server did not answer.";
        case FailureReason::kConnectionLost:
            return "The connection to the game server was lost.";
        case FailureReason::kLocalNetworkError:
            return "This computer could not open a network connection.";
        case FailureReason::kMatchmakerBusy:
            return "The matchmaker is busy. Try again in a moment.";
    }
    return "";
}

std::string_view ToString(ClientEventType type) {
    switch (type) {
        case ClientEventType::kStateChanged:
            return "state_changed";
        case ClientEventType::kProgress:
            return "progress";
        case ClientEventType::kPayload:
            return "payload";
    }
    return "unknown";
}

}  // namespace gapkit::client
