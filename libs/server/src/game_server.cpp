#include "gapkit/server/game_server.hpp"

#include <chrono>
#include <vector>

#include <fmt/core.h>

#include "edgegap_calls.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/server.hpp"
#include "gapkit/webtransport/endpoint.hpp"
#include "roster.hpp"
#include "startup.hpp"

namespace gapkit::server {

using common::ErrorCode;
using common::MakeError;

namespace {

// How a netcode slot's client reaches the server; who it is lives in the roster.
struct Transport {
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
    std::vector<Transport> transports;  // Per netcode slot.
    bool stopped = false;
    // Declared last: its worker is joined before the members its completions refer to go away.
    Roster roster;

    common::Status Open(const StartContext& start);
    common::Status StartNetcode(const StartContext& start);
    common::Status StartWebTransport();
    void HandleWebTransportEvents(std::uint64_t now_unix_seconds);
    void PostStartupJobs();
    void HandleNetcodeEvents();
    void OnConnected(const netcode::ServerEvent& event);
    void Stop();
};

common::Status GameServer::Impl::Open(const StartContext& start) {
    config = start.config;
    env = start.env;
    public_ip = start.public_ip;
    auto cert = CreateSelfSignedCertificate(public_ip);
    if (!cert) return common::Fail(cert.error());
    certificate = std::move(*cert);
    transports.resize(static_cast<std::size_t>(config.max_clients));
    if (auto started = StartNetcode(start); !started) return started;
    if (auto started = StartWebTransport(); !started) return started;
    auto link = ConnectServerBus(start);
    if (!link) return common::Fail(link.error());
    bus = std::move(*link);
    roster.Configure(config, bus, env, [this](int index, std::uint64_t) { netcode->DisconnectClient(index); });
    PostStartupJobs();
    return common::Ok();
}

common::Status GameServer::Impl::StartNetcode(const StartContext& start) {
    auto port = ResolveGamePort(start);
    if (!port) return common::Fail(port.error());
    netcode::ServerConfig server_config{config.protocol_id,
                                        config.private_key,
                                        netcode::Address::Ipv4(0, 0, 0, 0, port->internal_port),
                                        {port->advertised},
                                        config.max_clients};
    netcode = std::make_unique<netcode::Server>(server_config);
    advertised = port->advertised;
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
                for (int i = 0; i < static_cast<int>(transports.size()); ++i) {
                    Transport& transport = transports[static_cast<std::size_t>(i)];
                    if (!roster.IsFree(i) && transport.webtransport && transport.address == event.address) {
                        transport.transport_closed = true;
                        netcode->DisconnectClient(i);
                    }
                }
                break;
        }
    }
}

// Local mode states no digest and no context: there is no Edgegap deployment for the matchmaker to
// check them against.
void GameServer::Impl::PostStartupJobs() {
    if (!bus || !env) return;
    roster.facts().Add(
        fmt::format("certificate digest for {}", public_ip),
        [bus = bus, ip = public_ip, digest = certificate.sha256_digest] { return bus->PublishDigest(ip, digest); },
        kDigestRetryPolicy);
    roster.worker().Post(
        [bus = bus, endpoint = ContextEndpoint(*env)] { return FetchAndPublishContext(*bus, endpoint); });
}

void GameServer::Impl::HandleNetcodeEvents() {
    netcode::ServerEvent event;
    while (netcode->Poll(event)) {
        const Transport& transport = transports[static_cast<std::size_t>(event.client_index)];
        switch (event.type) {
            case netcode::ServerEventType::kClientConnected:
                OnConnected(event);
                break;
            case netcode::ServerEventType::kClientDisconnected:
                // A browser whose slot is gone is told at once, not by its idle timeout.
                if (webtransport && webtransport->Serves(event.address)) webtransport->Close(event.address);
                roster.Disconnect(
                    event.client_index, event.client_id,
                    transport.transport_closed ? LeaveReason::kClientDisconnected : ToLeaveReason(event.reason));
                break;
            case netcode::ServerEventType::kPayload:
                // Until its session is confirmed a client is not a player: its datagrams are dropped.
                if (roster.IsJoined(event.client_index)) {
                    roster.PushEvent(ServerEvent{ServerEventType::kPayload,
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
    const bool browser = webtransport && webtransport->Serves(event.address);
    transports[static_cast<std::size_t>(event.client_index)] = Transport{browser, false, event.address};
    roster.Connect(event.client_index, event.client_id, event.user_data);
}

void GameServer::Impl::Stop() {
    if (stopped) return;
    stopped = true;
    netcode->Stop();
    netcode->SetLink(nullptr);
    webtransport.reset();
    HandleNetcodeEvents();
    roster.Stop();
}

common::Result<std::unique_ptr<GameServer>> GameServer::Start(const GameServerConfig& config, int argc,
                                                              const char* const* argv) {
    auto start = ReadStartContext(config, argc, argv);
    if (!start) return common::Fail(start.error());
    auto impl = std::make_unique<Impl>();
    if (auto opened = impl->Open(*start); !opened) return common::Fail(opened.error());
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
    impl_->roster.Update(now_seconds);
}

bool GameServer::Poll(ServerEvent& event) { return impl_->roster.Poll(event); }

common::Status GameServer::SendPayload(int client_index, std::span<const std::uint8_t> payload) {
    if (!impl_->roster.IsJoined(client_index)) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("client index {} is not a joined player", client_index));
    }
    if (impl_->transports[static_cast<std::size_t>(client_index)].webtransport &&
        payload.size() > kMaxWebTransportPayloadBytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("a payload of {} bytes is over the {} a browser player can receive",
                                     payload.size(), kMaxWebTransportPayloadBytes));
    }
    return impl_->netcode->SendPayload(client_index, payload);
}

void GameServer::Disconnect(int client_index) {
    if (client_index < 0 || client_index >= static_cast<int>(impl_->transports.size()) || impl_->stopped) return;
    impl_->netcode->DisconnectClient(client_index);
}

void GameServer::Stop() { impl_->Stop(); }

int GameServer::num_players() const { return impl_->roster.num_players(); }

bool GameServer::on_edgegap() const { return impl_->env.has_value(); }
const std::optional<ArbitriumEnvironment>& GameServer::environment() const { return impl_->env; }
std::uint16_t GameServer::bound_port() const { return impl_->netcode->bound_address().port; }
std::uint16_t GameServer::webtransport_port() const {
    return impl_->webtransport ? impl_->webtransport->bound_port() : 0;
}

netcode::Address GameServer::advertised_address() const { return impl_->advertised; }
const SelfSignedCertificate& GameServer::certificate() const { return impl_->certificate; }

}  // namespace gapkit::server
