#include "gapkit/client/game_client.hpp"

#include <deque>
#include <optional>
#include <variant>

#include <fmt/core.h>

#include "gapkit/common/clock.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "matchmaker_link.hpp"

namespace gapkit::client {
namespace {

using common::ErrorCode;
using common::MakeError;

constexpr const char* kLog = "client";

// A token lifetime for development connections, as the matchmaker mints them.
constexpr std::int64_t kDirectTokenExpireSeconds = 30;
constexpr std::int32_t kDirectTokenTimeoutSeconds = 15;

// What a netcode handshake that did not reach kConnected means for the player.
FailureReason ReasonFor(netcode::ClientState state) {
    switch (state) {
        case netcode::ClientState::kConnectTokenExpired:
            return FailureReason::kConnectTokenExpired;
        case netcode::ClientState::kInvalidConnectToken:
            return FailureReason::kInvalidConnectToken;
        case netcode::ClientState::kConnectionTimedOut:
        case netcode::ClientState::kConnectionResponseTimedOut:
        case netcode::ClientState::kConnectionRequestTimedOut:
            return FailureReason::kConnectionTimedOut;
        default:
            return FailureReason::kConnectionDenied;
    }
}

bool Handshaking(netcode::ClientState state) {
    return state == netcode::ClientState::kSendingConnectionRequest ||
           state == netcode::ClientState::kSendingConnectionResponse;
}

}  // namespace

struct GameClient::Impl {
    explicit Impl(GameClientConfig config_in, detail::WebSocketUrl url_in)
        : config(std::move(config_in)), url(std::move(url_in)) {}

    // Constant after construction.
    const GameClientConfig config;
    const detail::WebSocketUrl url;

    ClientState state = ClientState::kIdle;
    FailureReason failure = FailureReason::kNone;
    std::deque<ClientEvent> events;
    std::unique_ptr<detail::MatchmakerLink> link;             // Only while matchmaking.
    std::optional<double> deadline_seconds;                   // Of the current step; set by its first Update.
    std::optional<netcode::ConnectTokenBytes> pending_token;  // Not yet handed to `netcode`.
    std::optional<netcode::ConnectTokenBytes> token;          // The latest, for `connection_request()`.
    netcode::Client netcode;
    netcode::Address server_address;
    std::string cert_digest;
    std::vector<detail::LinkMessage> inbox;  // Reused between ticks.

    bool AtRest() const {
        return state == ClientState::kIdle || state == ClientState::kDisconnected || state == ClientState::kFailed ||
               state == ClientState::kServerFound;
    }

    void Enter(ClientState next, FailureReason reason, std::string text) {
        GAPKIT_LOG_INFO(kLog, "{} -> {} ({})", ToString(state), ToString(next), text);
        state = next;
        failure = reason;
        deadline_seconds.reset();
        events.push_back(ClientEvent{ClientEventType::kStateChanged, next, reason, std::move(text), {}});
    }

    // Stops everything under way and enters kFailed. `detail` is for the log, not the player.
    void Fail(FailureReason reason, std::string text, std::string_view detail) {
        GAPKIT_LOG_WARN(kLog, "failed ({}): {}", ToString(reason), detail);
        StopAll();
        Enter(ClientState::kFailed, reason, std::move(text));
    }

    void Fail(FailureReason reason, std::string_view detail) { Fail(reason, std::string(PlayerText(reason)), detail); }

    void StopAll() {
        link.reset();
        pending_token.reset();
        netcode.Disconnect();
    }

    void Progress(std::string text) {
        events.push_back(ClientEvent{ClientEventType::kProgress, state, FailureReason::kNone, std::move(text), {}});
    }

    void StartConnecting(const netcode::ConnectTokenBytes& token, const netcode::Address& address) {
        pending_token = token;
        this->token = token;
        server_address = address;
        Enter(ClientState::kConnecting, FailureReason::kNone, "Connecting to " + address.ToString());
    }

    void OnReady(const protocol::SessionReady& ready);
    void OnReply(const protocol::MatchReply& reply);
    void UpdateMatchmaking(double now_seconds);
    void UpdateConnecting(double now_seconds);
    void UpdateConnected(double now_seconds);
    void DrainPayloads();
};

void GameClient::Impl::OnReady(const protocol::SessionReady& ready) {
    link.reset();  // The answer is in; the worker has nothing left to do.
    auto address = netcode::Address::FromIp(ready.ip, ready.port);
    if (!address) return Fail(FailureReason::kMalformedReply, address.error().message());
    auto token = netcode::DecodeConnectTokenBase64(ready.token);
    if (!token) return Fail(FailureReason::kInvalidConnectToken, token.error().message());
    auto parsed = netcode::ReadConnectToken(*token);
    if (!parsed) return Fail(FailureReason::kInvalidConnectToken, parsed.error().message());
    if (config.protocol_id != 0 && parsed->protocol_id != config.protocol_id) {
        return Fail(FailureReason::kInvalidConnectToken,
                    fmt::format("token protocol id {} is not {}", parsed->protocol_id, config.protocol_id));
    }
    cert_digest = ready.cert_digest;
    if (!config.own_transport) return StartConnecting(*token, *address);
    this->token = *token;
    server_address = *address;
    Enter(ClientState::kServerFound, FailureReason::kNone, "Found a server at " + address->ToString());
}

void GameClient::Impl::OnReply(const protocol::MatchReply& reply) {
    if (std::holds_alternative<protocol::Acknowledged>(reply)) return Progress("Looking for a server");
    if (std::holds_alternative<protocol::SessionRequestAccepted>(reply)) return Progress("Starting a server session");
    if (auto* progress = std::get_if<protocol::ProgressReport>(&reply)) return Progress(progress->text);
    if (auto* ready = std::get_if<protocol::SessionReady>(&reply)) return OnReady(*ready);
    const auto& error = std::get<protocol::MatchError>(reply);
    Fail(FailureReason::kMatchmakerError,
         fmt::format("{} {} ({})", PlayerText(FailureReason::kMatchmakerError), error.message, error.code),
         fmt::format("matchmaker error {}: {}", error.code, error.message));
}

void GameClient::Impl::UpdateMatchmaking(double now_seconds) {
    if (!deadline_seconds) deadline_seconds = now_seconds + config.matchmaking_timeout_seconds;
    inbox.clear();
    link->Take(inbox);
    for (const auto& message : inbox) {
        if (state != ClientState::kMatchmaking) break;
        if (auto* failure_message = std::get_if<detail::LinkFailure>(&message)) {
            Fail(failure_message->reason, failure_message->detail);
        } else {
            OnReply(std::get<protocol::MatchReply>(message));
        }
    }
    if (state == ClientState::kMatchmaking && now_seconds >= *deadline_seconds) {
        Fail(FailureReason::kMatchmakingTimedOut,
             fmt::format("no final reply within {} s", config.matchmaking_timeout_seconds));
    }
}

void GameClient::Impl::UpdateConnecting(double now_seconds) {
    if (pending_token) {
        auto started = netcode.Connect(*pending_token, now_seconds);
        pending_token.reset();
        if (!started) {
            const bool bad_token = netcode.state() == netcode::ClientState::kInvalidConnectToken;
            return Fail(bad_token ? FailureReason::kInvalidConnectToken : FailureReason::kLocalNetworkError,
                        started.error().message());
        }
        deadline_seconds = now_seconds + config.connect_timeout_seconds;
    }
    netcode.Update(now_seconds);
    const netcode::ClientState net_state = netcode.state();
    if (net_state == netcode::ClientState::kConnected) {
        return Enter(ClientState::kConnected, FailureReason::kNone, "Connected to " + server_address.ToString());
    }
    if (!Handshaking(net_state)) return Fail(ReasonFor(net_state), ToString(net_state));
    if (now_seconds >= *deadline_seconds) {
        Fail(FailureReason::kConnectionTimedOut,
             fmt::format("not connected within {} s", config.connect_timeout_seconds));
    }
}

void GameClient::Impl::DrainPayloads() {
    std::vector<std::uint8_t> payload;
    while (netcode.Poll(payload)) {
        events.push_back(ClientEvent{ClientEventType::kPayload, state, FailureReason::kNone, {}, std::move(payload)});
        payload = {};
    }
}

void GameClient::Impl::UpdateConnected(double now_seconds) {
    netcode.Update(now_seconds);
    DrainPayloads();
    const netcode::ClientState net_state = netcode.state();
    if (net_state == netcode::ClientState::kConnected) return;
    if (net_state == netcode::ClientState::kConnectionTimedOut) {
        return Enter(ClientState::kDisconnected, FailureReason::kConnectionLost,
                     std::string(PlayerText(FailureReason::kConnectionLost)));
    }
    Enter(ClientState::kDisconnected, FailureReason::kNone, "The server closed the connection.");
}

common::Result<std::unique_ptr<GameClient>> GameClient::Create(GameClientConfig config) {
    const bool from_env = common::GetEnv(kMatchmakerUrlEnv).value_or("") != "";
    config = ApplyEnvOverrides(std::move(config));
    auto valid = config.Validate();
    if (!valid) return common::Fail(from_env ? valid.error().WithContext("with MATCHMAKER_URL set") : valid.error());
    auto url = detail::ParseWebSocketUrl(config.matchmaker_url);
    if (!url) return common::Fail(url.error());
    auto init = netcode::Initialize();
    if (!init) return common::Fail(init.error());
    return std::unique_ptr<GameClient>(new GameClient(std::make_unique<Impl>(std::move(config), std::move(*url))));
}

GameClient::GameClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GameClient::~GameClient() { impl_->StopAll(); }

common::Status GameClient::FindServer(std::string_view game, std::string_view version) {
    if (!impl_->AtRest()) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("FindServer: the client is {}; Cancel first", ToString(impl_->state)));
    }
    if (!protocol::IsValidName(game) || !protocol::IsValidName(version)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("FindServer: '{}' / '{}' must match ^[A-Za-z0-9_-]{{1,30}}$", game, version));
    }
    impl_->StopAll();
    impl_->cert_digest.clear();
    impl_->server_address = {};
    impl_->token.reset();
    const std::string request = protocol::SerializeMatchRequest({std::string(game), std::string(version), {}});
    const auto connect_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(impl_->config.matchmaker_connect_timeout_seconds * 1000));
    impl_->link = std::make_unique<detail::MatchmakerLink>(
        impl_->url, request, detail::LinkOptions{connect_timeout, impl_->config.max_message_bytes});
    impl_->Enter(ClientState::kMatchmaking, FailureReason::kNone,
                 fmt::format("Finding a server for {} {}", game, version));
    return common::Ok();
}

common::Status GameClient::ConnectDirect(std::string_view address, std::uint64_t protocol_id,
                                         const netcode::Key& dev_key) {
    if (!impl_->AtRest()) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("ConnectDirect: the client is {}; Cancel first", ToString(impl_->state)));
    }
    auto server = netcode::Address::Parse(address);
    if (!server) return common::Fail(server.error().WithContext("ConnectDirect"));
    netcode::ConnectTokenParams params;
    params.protocol_id = protocol_id;
    params.private_key = dev_key;
    netcode::RandomBytes(std::span(reinterpret_cast<std::uint8_t*>(&params.client_id), sizeof(params.client_id)));
    params.expire_seconds = kDirectTokenExpireSeconds;
    params.timeout_seconds = kDirectTokenTimeoutSeconds;
    params.public_server_addresses = {*server};
    // The server checks expiry against its wall clock, so the token must carry real Unix time.
    auto token = netcode::GenerateConnectToken(params, common::SystemClock::Instance().UnixSeconds());
    if (!token) return common::Fail(token.error().WithContext("ConnectDirect"));
    impl_->StopAll();
    impl_->cert_digest.clear();
    impl_->StartConnecting(*token, *server);
    return common::Ok();
}

void GameClient::Cancel() {
    switch (impl_->state) {
        case ClientState::kMatchmaking:
        case ClientState::kConnecting:
            impl_->StopAll();
            impl_->Enter(ClientState::kIdle, FailureReason::kNone, "Cancelled");
            return;
        case ClientState::kConnected:
            return Disconnect();
        default:
            return;
    }
}

void GameClient::Disconnect() {
    switch (impl_->state) {
        case ClientState::kMatchmaking:
            return Cancel();
        case ClientState::kConnecting:
        case ClientState::kConnected:
            impl_->StopAll();
            impl_->Enter(ClientState::kDisconnected, FailureReason::kNone, "Disconnected");
            return;
        default:
            return;
    }
}

void GameClient::Update(double now_seconds) {
    if (impl_->state == ClientState::kMatchmaking) impl_->UpdateMatchmaking(now_seconds);
    // A SessionReady handled just above starts the handshake in the same tick.
    if (impl_->state == ClientState::kConnecting) {
        impl_->UpdateConnecting(now_seconds);
    } else if (impl_->state == ClientState::kConnected) {
        impl_->UpdateConnected(now_seconds);
    }
}

bool GameClient::Poll(ClientEvent& event) {
    if (impl_->events.empty()) return false;
    event = std::move(impl_->events.front());
    impl_->events.pop_front();
    return true;
}

common::Status GameClient::SendPayload(std::span<const std::uint8_t> payload) {
    if (impl_->state != ClientState::kConnected) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("SendPayload: the client is {}, not connected", ToString(impl_->state)));
    }
    return impl_->netcode.SendPayload(payload);
}

ClientState GameClient::State() const { return impl_->state; }
FailureReason GameClient::failure_reason() const { return impl_->failure; }
netcode::Address GameClient::server_address() const { return impl_->server_address; }
common::Result<netcode::ConnectionRequestBytes> GameClient::connection_request() const {
    if (!impl_->token) {
        return MakeError(
            ErrorCode::kFailedPrecondition,
            fmt::format("connection_request: the client is {} and holds no token", ToString(impl_->state)));
    }
    return netcode::MakeConnectionRequest(*impl_->token);
}

common::Result<netcode::ConnectToken> GameClient::connect_token() const {
    if (!impl_->token) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("connect_token: the client is {} and holds no token", ToString(impl_->state)));
    }
    return netcode::ReadConnectToken(*impl_->token);
}

const std::string& GameClient::cert_digest() const { return impl_->cert_digest; }
const std::string& GameClient::matchmaker_url() const { return impl_->config.matchmaker_url; }

}  // namespace gapkit::client
