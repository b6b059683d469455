#include "gapkit/server/game_server.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <vector>

#include <fmt/core.h>

#include "bus_link.hpp"
#include "edgegap_calls.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/netcode/server.hpp"
#include "gapkit/protocol/server_facts.hpp"
#include "gapkit/webtransport/endpoint.hpp"
#include "pending_facts.hpp"
#include "worker.hpp"

namespace gapkit::server {

using common::ErrorCode;
using common::MakeError;

namespace {

// A netcode slot as the game sees it: pending until its session is confirmed, then joined.
struct Slot {
    enum class Stage { kEmpty, kPending, kJoined };
    Stage stage = Stage::kEmpty;
    std::uint64_t client_id = 0;
    std::uint64_t serial = 0;  // Tells a slot's connections apart when a lookup answers late.
    std::string session_id;
    netcode::UserData user_data{};
    bool webtransport = false;      // A browser's session, not a UDP client.
    bool transport_closed = false;  // Its WebTransport session ended: the player left.
    netcode::Address address;
};

// Handshakes a WebTransport endpoint allows at once beyond the player slots.
constexpr int kWebTransportHandshakes = 16;

LeaveReason ToLeaveReason(netcode::DisconnectReason reason) {
    switch (reason) {
        case netcode::DisconnectReason::kClientDisconnected:
            return LeaveReason::kClientDisconnected;
        case netcode::DisconnectReason::kTimedOut:
            return LeaveReason::kTimedOut;
        case netcode::DisconnectReason::kServerDisconnected:
            return LeaveReason::kServerDisconnected;
        case netcode::DisconnectReason::kServerStopped:
            return LeaveReason::kServerStopped;
    }
    return LeaveReason::kServerStopped;
}

std::uint64_t UnixNow() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

struct GameServer::Impl {
    // Constant after Start.
    GameServerConfig config;
    std::optional<ArbitriumEnvironment> env;
    std::string public_ip;
    SelfSignedCertificate certificate;
    // Before `netcode`, which sends through it until it stops.
    std::unique_ptr<webtransport::Endpoint> webtransport;
    std::unique_ptr<netcode::Server> netcode;
    netcode::Address advertised;   // What tokens must name: public ip and external port.
    std::shared_ptr<BusLink> bus;  // Null without a bus. Shared with queued jobs.

    // Game thread only.
    std::vector<Slot> slots;
    std::deque<ServerEvent> events;
    std::uint64_t next_serial = 0;
    std::optional<double> empty_since_seconds;
    std::optional<double> next_alive_seconds;
    bool self_stop_requested = false;
    bool stopped = false;
    PendingFacts facts{worker};  // Uses the worker only after construction.

    // Declared last, so it is joined before the members its jobs' completions refer to go away.
    Worker worker;

    common::Status Open(const std::optional<std::string>& ca_pem);
    common::Status StartNetcode();
    common::Status StartWebTransport();
    void HandleWebTransportEvents(std::uint64_t now_unix_seconds);
    common::Status ConnectBus(const std::optional<std::string>& ca_pem);
    void PostStartupJobs();
    void HandleNetcodeEvents();
    void OnConnected(const netcode::ServerEvent& event);
    void OnJoinAnswer(int index, std::uint64_t serial, std::uint64_t client_id,
                      const common::Result<std::string>& session);
    void Join(int index, std::string session_id);
    void Leave(int index, LeaveReason reason);
    void PostLeft(std::string session_id, std::uint64_t client_id);
    void CheckSelfStop(double now_seconds);
    void SendAliveIfDue(double now_seconds);
    void Stop();
};

common::Status GameServer::Impl::Open(const std::optional<std::string>& ca_pem) {
    public_ip = env ? env->public_ip : config.local_public_ip;
    // Still all zeros only in local mode: ApplyGapkitEnvironment refuses that on Edgegap.
    if (config.private_key == netcode::Key{}) {
        GAPKIT_LOG_WARN("server", "local mode: using the public development key");
        config.private_key = netcode::DevPrivateKey();
    }
    auto cert = CreateSelfSignedCertificate(public_ip);
    if (!cert) return common::Fail(cert.error());
    certificate = std::move(*cert);
    slots.resize(static_cast<std::size_t>(config.max_clients));
    if (auto started = StartNetcode(); !started) return started;
    if (auto started = StartWebTransport(); !started) return started;
    if (auto connected = ConnectBus(ca_pem); !connected) return connected;
    PostStartupJobs();
    return common::Ok();
}

common::Status GameServer::Impl::StartNetcode() {
    int internal_port = config.local_port;
    int external_port = config.local_port;
    if (env) {
        auto port = env->GamePort(config.game_port_name, config.webtransport_port_name);
        if (!port) return common::Fail(port.error());
        internal_port = port->internal;
        external_port = port->external;
    }
    auto advertised_address = netcode::Address::FromIp(public_ip, static_cast<std::uint16_t>(external_port));
    if (!advertised_address) return common::Fail(advertised_address.error());
    netcode::ServerConfig server_config{config.protocol_id,
                                        config.private_key,
                                        netcode::Address::Ipv4(0, 0, 0, 0, static_cast<std::uint16_t>(internal_port)),
                                        {*advertised_address},
                                        config.max_clients};
    netcode = std::make_unique<netcode::Server>(server_config);
    advertised = *advertised_address;
    if (auto started = netcode->Start(); !started) return common::Fail(started.error().WithContext("netcode server"));
    GAPKIT_LOG_INFO("server", "{} mode: listening on UDP {}, advertising {}", env ? "edgegap" : "local",
                    netcode->bound_address().ToString(), advertised.ToString());
    return common::Ok();
}

common::Status GameServer::Impl::StartWebTransport() {
    std::uint16_t port = config.local_webtransport_port;
    if (env) {
        // GamePort("") would pick the game's own port: an empty name turns WebTransport off.
        std::optional<ArbitriumPort> mapped;
        if (!config.webtransport_port_name.empty()) {
            if (auto found = env->GamePort(config.webtransport_port_name)) mapped = *found;
        }
        if (!mapped) {
            GAPKIT_LOG_INFO("server", "no WebTransport port named '{}': browser players cannot connect",
                            config.webtransport_port_name);
            return common::Ok();
        }
        port = static_cast<std::uint16_t>(mapped->internal);
    }
    if (port == 0) return common::Ok();
    webtransport::EndpointConfig endpoint_config;
    endpoint_config.port = port;
    endpoint_config.certificate_pem = certificate.certificate_pem;
    endpoint_config.private_key_pem = certificate.private_key_pem;
    endpoint_config.max_sessions = config.max_clients + kWebTransportHandshakes;
    endpoint_config.max_handshakes = kWebTransportHandshakes;
    auto endpoint = webtransport::Endpoint::Open(endpoint_config);
    if (!endpoint) return common::Fail(endpoint.error().WithContext("WebTransport endpoint"));
    webtransport = std::move(*endpoint);
    netcode->SetLink(webtransport.get());
    GAPKIT_LOG_INFO("server", "WebTransport for browsers on UDP {} (path {})", webtransport->bound_port(),
                    endpoint_config.path);
    return common::Ok();
}

// A browser's datagrams enter netcode as if from the socket; a session that ends frees its slot
// at once instead of after netcode's timeout.
void GameServer::Impl::HandleWebTransportEvents(std::uint64_t now_unix_seconds) {
    webtransport::Event event;
    while (webtransport->Poll(event)) {
        switch (event.type) {
            case webtransport::EventType::kDatagram:
                netcode->ReceiveFromLink(event.address, event.datagram, now_unix_seconds);
                break;
            case webtransport::EventType::kSessionOpened:
                GAPKIT_LOG_DEBUG("server", "WebTransport session {} from {}", event.address.ToString(), event.detail);
                break;
            case webtransport::EventType::kSessionClosed:
                GAPKIT_LOG_DEBUG("server", "WebTransport session {} ended: {}", event.address.ToString(), event.detail);
                for (int i = 0; i < static_cast<int>(slots.size()); ++i) {
                    Slot& slot = slots[static_cast<std::size_t>(i)];
                    if (slot.stage != Slot::Stage::kEmpty && slot.webtransport && slot.address == event.address) {
                        slot.transport_closed = true;
                        netcode->DisconnectClient(i);
                    }
                }
                break;
        }
    }
}

common::Status GameServer::Impl::ConnectBus(const std::optional<std::string>& ca_pem) {
    if (!config.use_bus || (!env && !common::GetEnv("NATS_HOST"))) {
        GAPKIT_LOG_INFO("server", "no bus: clients join without a session check");
        return common::Ok();
    }
    const std::string deployment = env ? env->request_id : std::string(bus::names::kLocalDeployment);
    auto link = BusLink::Connect(fmt::format("gameserver-{}", deployment), ca_pem, deployment);
    if (!link) return common::Fail(link.error());
    bus = std::move(*link);
    return common::Ok();
}

// Local mode states no digest and no context: there is no Edgegap deployment for the matchmaker to
// check them against.
void GameServer::Impl::PostStartupJobs() {
    if (!bus || !env) return;
    facts.Add(
        fmt::format("certificate digest for {}", public_ip),
        [bus = bus, ip = public_ip, digest = certificate.sha256_digest] { return bus->PublishDigest(ip, digest); },
        kDigestRetryPolicy);
    worker.Post([bus = bus, endpoint = ContextEndpoint(*env)] { return FetchAndPublishContext(*bus, endpoint); });
}

void GameServer::Impl::HandleNetcodeEvents() {
    netcode::ServerEvent event;
    while (netcode->Poll(event)) {
        const Slot& slot = slots[static_cast<std::size_t>(event.client_index)];
        switch (event.type) {
            case netcode::ServerEventType::kClientConnected:
                OnConnected(event);
                break;
            case netcode::ServerEventType::kClientDisconnected:
                // A browser whose slot is gone is told at once, not by its idle timeout.
                if (webtransport && webtransport->Serves(event.address)) webtransport->Close(event.address);
                // A slot the library already let go of (refused session) has nothing to report.
                if (slot.stage != Slot::Stage::kEmpty && slot.client_id == event.client_id) {
                    Leave(event.client_index, ToLeaveReason(event.reason));
                }
                break;
            case netcode::ServerEventType::kPayload:
                // Until its session is confirmed a client is not a player: its datagrams are dropped.
                if (slot.stage == Slot::Stage::kJoined) {
                    events.push_back(ServerEvent{ServerEventType::kPayload,
                                                 event.client_index,
                                                 event.client_id,
                                                 {},
                                                 {},
                                                 LeaveReason::kClientDisconnected,
                                                 std::move(event.payload)});
                }
                break;
        }
    }
}

void GameServer::Impl::OnConnected(const netcode::ServerEvent& event) {
    const int index = event.client_index;
    const std::uint64_t serial = ++next_serial;
    const bool browser = webtransport && webtransport->Serves(event.address);
    slots[static_cast<std::size_t>(index)] =
        Slot{Slot::Stage::kPending, event.client_id, serial, {}, event.user_data, browser, false, event.address};
    empty_since_seconds.reset();
    if (!bus) return Join(index, {});
    worker.Post([this, bus = bus, index, serial, client_id = event.client_id]() -> Worker::Completion {
        auto session = bus->Join(client_id);
        return [this, index, serial, client_id, session = std::move(session)] {
            OnJoinAnswer(index, serial, client_id, session);
        };
    });
}

void GameServer::Impl::OnJoinAnswer(int index, std::uint64_t serial, std::uint64_t client_id,
                                    const common::Result<std::string>& session) {
    Slot& slot = slots[static_cast<std::size_t>(index)];
    if (slot.stage != Slot::Stage::kPending || slot.serial != serial) {
        if (session) PostLeft(*session, client_id);  // The client left while the matchmaker checked: undo.
        return;
    }
    if (session) return Join(index, *session);
    const std::string why = session.error().ToString();
    if (!config.require_session) {
        GAPKIT_LOG_WARN("server", "client {} joins without a session ({})", slot.client_id, why);
        return Join(index, {});
    }
    GAPKIT_LOG_WARN("server", "disconnecting client {}: {}", slot.client_id, why);
    slot = Slot{};
    netcode->DisconnectClient(index);
}

void GameServer::Impl::Join(int index, std::string session_id) {
    Slot& slot = slots[static_cast<std::size_t>(index)];
    slot.stage = Slot::Stage::kJoined;
    slot.session_id = std::move(session_id);
    GAPKIT_LOG_INFO("server", "client {} joined (session '{}')", slot.client_id, slot.session_id);
    events.push_back(ServerEvent{ServerEventType::kPlayerJoined,
                                 index,
                                 slot.client_id,
                                 slot.session_id,
                                 slot.user_data,
                                 LeaveReason::kClientDisconnected,
                                 {}});
}

void GameServer::Impl::Leave(int index, LeaveReason reason) {
    Slot& slot = slots[static_cast<std::size_t>(index)];
    if (slot.transport_closed) reason = LeaveReason::kClientDisconnected;
    if (slot.stage == Slot::Stage::kJoined) {
        GAPKIT_LOG_INFO("server", "client {} left: {}", slot.client_id, ToString(reason));
        events.push_back(
            ServerEvent{ServerEventType::kPlayerLeft, index, slot.client_id, slot.session_id, {}, reason, {}});
        if (!slot.session_id.empty() && bus) PostLeft(slot.session_id, slot.client_id);
    }
    slot = Slot{};
}

void GameServer::Impl::PostLeft(std::string session_id, std::uint64_t client_id) {
    std::string what = fmt::format("left of session {}", session_id);
    facts.Add(
        std::move(what),
        [bus = bus, session_id = std::move(session_id), client_id] { return bus->Left(session_id, client_id); },
        kLeftRetryPolicy);
}

// A plain publish from the worker: a lost one is covered by the next, and the matchmaker waits 3
// intervals before it counts a player as gone. Players joined without a session (no bus, or a
// development server) have nothing for the matchmaker to keep.
void GameServer::Impl::SendAliveIfDue(double now_seconds) {
    if (!bus) return;
    if (!next_alive_seconds) next_alive_seconds = now_seconds + config.alive_interval_seconds;
    if (now_seconds < *next_alive_seconds) return;
    next_alive_seconds = now_seconds + config.alive_interval_seconds;
    std::vector<protocol::AliveEntry> joined;
    for (const Slot& slot : slots) {
        if (slot.stage == Slot::Stage::kJoined && !slot.session_id.empty()) {
            joined.push_back({slot.session_id, slot.client_id});
        }
    }
    for (protocol::AliveFact& fact : protocol::ChunkAliveEntries(joined)) {
        worker.Post([bus = bus, fact = std::move(fact)]() -> Worker::Completion {
            if (auto sent = bus->PublishAlive(fact); !sent) {
                GAPKIT_LOG_WARN("server", "alive of {} player(s): {}", fact.sessions.size(), sent.error().ToString());
            }
            return {};
        });
    }
}

void GameServer::Impl::CheckSelfStop(double now_seconds) {
    if (!env || config.self_stop_after_empty_seconds <= 0 || self_stop_requested) return;
    const bool empty =
        std::all_of(slots.begin(), slots.end(), [](const Slot& s) { return s.stage == Slot::Stage::kEmpty; });
    if (!empty) return;
    if (!empty_since_seconds) empty_since_seconds = now_seconds;
    if (now_seconds - *empty_since_seconds < config.self_stop_after_empty_seconds) return;
    self_stop_requested = true;
    GAPKIT_LOG_INFO("server", "no players for {} s: stopping the deployment", config.self_stop_after_empty_seconds);
    events.push_back(ServerEvent{ServerEventType::kSelfStopping});
    worker.Post([endpoint = SelfStopEndpoint(*env)] { return RequestSelfStop(endpoint); });
}

void GameServer::Impl::Stop() {
    if (stopped) return;
    stopped = true;
    netcode->Stop();
    netcode->SetLink(nullptr);
    webtransport.reset();
    HandleNetcodeEvents();
    for (int i = 0; i < static_cast<int>(slots.size()); ++i) Leave(i, LeaveReason::kServerStopped);
    facts.Finish();
    // Late joins may still be recorded for clients now gone; their completions undo that.
    for (;;) {
        worker.WaitIdle();
        auto completions = worker.TakeCompletions();
        if (completions.empty()) break;
        for (auto& completion : completions) completion();
    }
    worker.Join();
}

common::Result<std::unique_ptr<GameServer>> GameServer::Start(const GameServerConfig& config, int argc,
                                                              const char* const* argv) {
    if (auto valid = config.Validate(); !valid) return common::Fail(valid.error());
    const EnvLookup lookup = ProcessEnvironment();
    auto env = ParseArbitriumEnvironment(lookup);
    if (!env) return common::Fail(env.error());
    auto ca_pem = ParseCaContentsFlag(argc, argv);
    if (!ca_pem) return common::Fail(ca_pem.error());
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    if (auto applied = ApplyGapkitEnvironment(lookup, impl->config); !applied) return common::Fail(applied.error());
    impl->env = std::move(*env);
    if (auto opened = impl->Open(*ca_pem); !opened) return common::Fail(opened.error());
    return std::unique_ptr<GameServer>(new GameServer(std::move(impl)));
}

GameServer::GameServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GameServer::~GameServer() { Stop(); }

void GameServer::Update(double now_seconds) { Update(now_seconds, UnixNow()); }

void GameServer::Update(double now_seconds, std::uint64_t now_unix_seconds) {
    if (impl_->stopped) return;
    impl_->netcode->Update(now_seconds, now_unix_seconds);
    if (impl_->webtransport) {
        impl_->webtransport->Update(now_seconds);
        impl_->HandleWebTransportEvents(now_unix_seconds);
    }
    impl_->HandleNetcodeEvents();
    for (auto& completion : impl_->worker.TakeCompletions()) completion();
    impl_->facts.SendDue(now_seconds);
    impl_->SendAliveIfDue(now_seconds);
    impl_->CheckSelfStop(now_seconds);
}

bool GameServer::Poll(ServerEvent& event) {
    if (impl_->events.empty()) return false;
    event = std::move(impl_->events.front());
    impl_->events.pop_front();
    return true;
}

common::Status GameServer::SendPayload(int client_index, std::span<const std::uint8_t> payload) {
    if (client_index < 0 || client_index >= static_cast<int>(impl_->slots.size()) ||
        impl_->slots[static_cast<std::size_t>(client_index)].stage != Slot::Stage::kJoined) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("client index {} is not a joined player", client_index));
    }
    if (impl_->slots[static_cast<std::size_t>(client_index)].webtransport &&
        payload.size() > kMaxWebTransportPayloadBytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("a payload of {} bytes is over the {} a browser player can receive",
                                     payload.size(), kMaxWebTransportPayloadBytes));
    }
    return impl_->netcode->SendPayload(client_index, payload);
}

void GameServer::Disconnect(int client_index) {
    if (client_index < 0 || client_index >= static_cast<int>(impl_->slots.size()) || impl_->stopped) return;
    impl_->netcode->DisconnectClient(client_index);
}

void GameServer::Stop() { impl_->Stop(); }

int GameServer::num_players() const {
    return static_cast<int>(std::count_if(impl_->slots.begin(), impl_->slots.end(),
                                          [](const Slot& s) { return s.stage == Slot::Stage::kJoined; }));
}

bool GameServer::on_edgegap() const { return impl_->env.has_value(); }
const std::optional<ArbitriumEnvironment>& GameServer::environment() const { return impl_->env; }
std::uint16_t GameServer::bound_port() const { return impl_->netcode->bound_address().port; }
std::uint16_t GameServer::webtransport_port() const {
    return impl_->webtransport ? impl_->webtransport->bound_port() : 0;
}

netcode::Address GameServer::advertised_address() const { return impl_->advertised; }
const SelfSignedCertificate& GameServer::certificate() const { return impl_->certificate; }

}  // namespace gapkit::server
