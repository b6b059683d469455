#include "gapkit/server/session_gate.hpp"

#include <deque>

#include <fmt/core.h>

#include "edgegap_calls.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/connection_request.hpp"
#include "roster.hpp"
#include "startup.hpp"

namespace gapkit::server {

using common::ErrorCode;
using common::MakeError;

std::string_view ToString(GateEventType type) {
    switch (type) {
        case GateEventType::kPlayerJoined:
            return "player joined";
        case GateEventType::kPlayerRefused:
            return "player refused";
        case GateEventType::kPlayerLeft:
            return "player left";
        case GateEventType::kSelfStopping:
            return "self stopping";
    }
    return "unknown";
}

struct SessionGate::Impl {
    // Constant after Start.
    GameServerConfig config;
    std::optional<ArbitriumEnvironment> env;
    GamePort port;
    std::shared_ptr<BusLink> bus;  // Null without a bus.

    // Game thread only.
    netcode::SpentConnectTokens spent;
    std::deque<GateEvent> events;  // The roster's, converted, and refusals, in order.
    bool stopped = false;
    // Declared last: its worker is joined before the members its completions refer to go away.
    Roster roster;

    common::Result<Admission> Admit(std::span<const std::uint8_t> bytes, std::uint64_t now_unix_seconds);
    void TakeRosterEvents();
    void OnRefused(int index, std::uint64_t client_id);
};

// The roster speaks GameServer's events; the gate has no payloads and one more type.
void SessionGate::Impl::TakeRosterEvents() {
    ServerEvent event;
    while (roster.Poll(event)) {
        GateEventType type = GateEventType::kSelfStopping;
        if (event.type == ServerEventType::kPlayerJoined) type = GateEventType::kPlayerJoined;
        if (event.type == ServerEventType::kPlayerLeft) type = GateEventType::kPlayerLeft;
        events.push_back(GateEvent{type, event.client_index, event.client_id, std::move(event.session_id),
                                   event.user_data, event.reason});
    }
}

void SessionGate::Impl::OnRefused(int index, std::uint64_t client_id) {
    TakeRosterEvents();  // What the roster queued before comes first.
    events.push_back(GateEvent{GateEventType::kPlayerRefused, index, client_id});
}

common::Result<Admission> SessionGate::Impl::Admit(std::span<const std::uint8_t> bytes,
                                                   std::uint64_t now_unix_seconds) {
    if (stopped) return MakeError(ErrorCode::kFailedPrecondition, "the session gate is stopped");
    const netcode::Address own[] = {port.advertised};
    auto opened = netcode::OpenConnectionRequest(bytes, config.protocol_id, config.private_key, now_unix_seconds, own);
    if (!opened) return common::Fail(opened.error());
    const netcode::PrivateConnectToken& token = opened->token;
    if (roster.HoldsClient(token.client_id)) {
        return MakeError(ErrorCode::kAlreadyExists, fmt::format("client {} is already here", token.client_id));
    }
    const int index = roster.FreeSlot();
    if (index < 0) {
        return MakeError(ErrorCode::kResourceExhausted,
                         fmt::format("all {} player slots are taken", config.max_clients));
    }
    // Spent only once admitted: a client turned away while the server is full may try again.
    if (auto spent_now = spent.Spend(opened->mac, opened->expire_timestamp, now_unix_seconds); !spent_now) {
        return common::Fail(spent_now.error());
    }
    roster.Connect(index, token.client_id, token.user_data);
    GAPKIT_LOG_INFO("server", "admitted client {} in player slot {}", token.client_id, index);
    return Admission{index,
                     token.client_id,
                     token.user_data,
                     token.timeout_seconds,
                     token.client_to_server_key,
                     token.server_to_client_key};
}

common::Result<std::unique_ptr<SessionGate>> SessionGate::Start(const GameServerConfig& config, int argc,
                                                                const char* const* argv) {
    auto start = ReadStartContext(config, argc, argv);
    if (!start) return common::Fail(start.error());
    auto port = ResolveGamePort(*start);
    if (!port) return common::Fail(port.error());
    auto bus = ConnectServerBus(*start);
    if (!bus) return common::Fail(bus.error());
    auto impl = std::make_unique<Impl>();
    impl->config = start->config;
    impl->env = start->env;
    impl->port = *port;
    impl->bus = std::move(*bus);
    impl->roster.Configure(impl->config, impl->bus, impl->env, [gate = impl.get()](int index, std::uint64_t client_id) {
        gate->OnRefused(index, client_id);
    });
    // No certificate digest: the gate serves no WebTransport.
    if (impl->bus && impl->env) {
        impl->roster.worker().Post([bus = impl->bus, endpoint = ContextEndpoint(*impl->env)] {
            return FetchAndPublishContext(*bus, endpoint);
        });
    }
    GAPKIT_LOG_INFO("server", "{} mode: session gate for the game's port {}, advertising {}",
                    impl->env ? "edgegap" : "local", impl->port.internal_port, impl->port.advertised.ToString());
    return std::unique_ptr<SessionGate>(new SessionGate(std::move(impl)));
}

SessionGate::SessionGate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SessionGate::~SessionGate() { Stop(); }

common::Result<Admission> SessionGate::Admit(std::span<const std::uint8_t> bytes) {
    return impl_->Admit(bytes, common::SystemClock::Instance().UnixSeconds());
}

common::Result<Admission> SessionGate::Admit(std::span<const std::uint8_t> bytes, std::uint64_t now_unix_seconds) {
    return impl_->Admit(bytes, now_unix_seconds);
}

void SessionGate::Release(int player_index, std::uint64_t client_id, LeaveReason reason) {
    if (impl_->stopped || player_index < 0 || player_index >= impl_->roster.num_slots()) return;
    impl_->roster.Disconnect(player_index, client_id, reason);
}

void SessionGate::Update(double now_seconds) {
    if (!impl_->stopped) impl_->roster.Update(now_seconds);
}

bool SessionGate::Poll(GateEvent& event) {
    impl_->TakeRosterEvents();
    if (impl_->events.empty()) return false;
    event = std::move(impl_->events.front());
    impl_->events.pop_front();
    return true;
}

void SessionGate::Stop() {
    if (impl_->stopped) return;
    impl_->stopped = true;
    impl_->roster.Stop();
}

int SessionGate::num_players() const { return impl_->roster.num_players(); }
bool SessionGate::on_edgegap() const { return impl_->env.has_value(); }
const std::optional<ArbitriumEnvironment>& SessionGate::environment() const { return impl_->env; }
std::uint16_t SessionGate::game_port() const { return impl_->port.internal_port; }
netcode::Address SessionGate::advertised_address() const { return impl_->port.advertised; }

}  // namespace gapkit::server
