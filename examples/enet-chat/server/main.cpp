// enet-chat-server: a chat room on ENet that uses gapkit's matchmaking and scale-to-zero through
// `gapkit::server::SessionGate`, without gapkit owning a socket. See examples/enet-chat/README.md
// and docs/own-transport.md. Exit codes: docs/architecture.md "Programs" (service::ExitCode).
//
// A connection counts only once its first packet, the gapkit connection request, is admitted by
// the gate and the matchmaker confirmed its session (`kPlayerJoined`); until then its packets are
// dropped, and a connection that sends no valid request within `admission_timeout_seconds` is
// closed.

#include <enet/enet.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <map>
#include <memory>

#include <fmt/core.h>

#include "chat_wire.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/server/session_gate.hpp"
#include "gapkit/service/program.hpp"
#include "gapkit/service/stop_signals.hpp"

namespace service = gapkit::service;
using gapkit::server::GateEvent;
using gapkit::server::GateEventType;

namespace {

constexpr const char* kLog = "enet-chat";
// ENet connections beyond the player slots, for clients still presenting their request.
constexpr int kSpareConnections = 8;

struct ChatServerConfig {
    int max_players = 8;        ///< Player slots, 1..64. Default 8.
    std::uint16_t port = 6430;  ///< Local mode: UDP port ENet binds and the gate advertises. Default 6430.
    double self_stop_after_empty_seconds =
        0;  ///< On Edgegap: stop the empty deployment after this (s); 0 never. Default 0.
    double admission_timeout_seconds = 5;  ///< Seconds a new connection has to send its request. Default 5.
    std::string ca_contents;               ///< NATS CA (PEM), as Edgegap passes it; read by the gate.
    std::string log_level = "info";
};

// A connection and what the gate knows of it.
struct Connection {
    double connected_seconds = 0;
    int player_index = -1;  // Admitted: the gate's slot.
    std::uint64_t client_id = 0;
    bool joined = false;
};

double NowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class ChatRoom {
  public:
    ChatRoom(gapkit::server::SessionGate& gate, double admission_timeout_seconds)
        : gate_(gate), admission_timeout_seconds_(admission_timeout_seconds) {}

    void OnEnetEvent(const ENetEvent& event) {
        switch (event.type) {
            case ENET_EVENT_TYPE_CONNECT:
                connections_[event.peer] = Connection{NowSeconds()};
                break;
            case ENET_EVENT_TYPE_RECEIVE:
                OnPacket(event.peer, std::span(event.packet->data, event.packet->dataLength));
                enet_packet_destroy(event.packet);
                break;
            case ENET_EVENT_TYPE_DISCONNECT:
                OnDisconnect(event.peer);
                break;
            case ENET_EVENT_TYPE_NONE:
                break;
        }
    }

    void OnGateEvent(const GateEvent& event) {
        ENetPeer* peer = PeerOf(event.player_index, event.client_id);
        switch (event.type) {
            case GateEventType::kPlayerJoined:
                if (peer == nullptr) return;
                connections_[peer].joined = true;
                enet_chat::SendText(peer, fmt::format("welcome {} players {}", event.client_id, gate_.num_players()));
                Broadcast(fmt::format("+ {} players {}", event.client_id, gate_.num_players()), peer);
                return;
            case GateEventType::kPlayerLeft:
                Broadcast(fmt::format("- {} players {}", event.client_id, gate_.num_players()), nullptr);
                return;
            case GateEventType::kPlayerRefused:
                if (peer == nullptr) return;
                connections_[peer].player_index = -1;  // The slot is the gate's again.
                enet_peer_disconnect(peer, 0);
                return;
            case GateEventType::kSelfStopping:
                GAPKIT_LOG_INFO(kLog, "empty: the deployment is stopping");
                return;
        }
    }

    // Closes connections that did not present a valid request in time.
    void DropSilentConnections(double now_seconds) {
        for (auto& [peer, connection] : connections_) {
            if (connection.player_index < 0 &&
                now_seconds - connection.connected_seconds > admission_timeout_seconds_) {
                connection.connected_seconds = now_seconds;  // Once: the disconnect takes a moment.
                enet_peer_disconnect(peer, 0);
            }
        }
    }

  private:
    void OnPacket(ENetPeer* peer, std::span<const std::uint8_t> bytes) {
        auto found = connections_.find(peer);
        if (found == connections_.end()) return;
        Connection& connection = found->second;
        if (connection.player_index < 0) return Admit(peer, connection, bytes);
        if (!connection.joined) return;  // Not a player until the matchmaker confirmed it.
        Broadcast(fmt::format("{}: {}", connection.client_id, enet_chat::CleanLine(bytes)), peer);
    }

    void Admit(ENetPeer* peer, Connection& connection, std::span<const std::uint8_t> bytes) {
        auto admitted = gate_.Admit(bytes);
        if (!admitted) {
            // Debug, not warn: anyone can knock, and a flood must not flood the log.
            GAPKIT_LOG_DEBUG(kLog, "refused a connection: {}", admitted.error().ToString());
            enet_peer_disconnect(peer, 0);
            return;
        }
        connection.player_index = admitted->player_index;
        connection.client_id = admitted->client_id;
    }

    void OnDisconnect(ENetPeer* peer) {
        auto found = connections_.find(peer);
        if (found == connections_.end()) return;
        if (found->second.player_index >= 0) gate_.Release(found->second.player_index, found->second.client_id);
        connections_.erase(found);
    }

    ENetPeer* PeerOf(int player_index, std::uint64_t client_id) const {
        for (const auto& [peer, connection] : connections_) {
            if (connection.player_index == player_index && connection.client_id == client_id) return peer;
        }
        return nullptr;
    }

    void Broadcast(std::string_view line, ENetPeer* except) {
        for (const auto& [peer, connection] : connections_) {
            if (connection.joined && peer != except) enet_chat::SendText(peer, line);
        }
    }

    gapkit::server::SessionGate& gate_;
    double admission_timeout_seconds_;
    std::map<ENetPeer*, Connection> connections_;
};

int Run(const service::Program& program, const ChatServerConfig& config, int argc, char** argv,
        service::StopSignals& stop_signals) {
    gapkit::server::GameServerConfig gate_config;
    gate_config.max_clients = config.max_players;
    gate_config.local_port = config.port;
    gate_config.self_stop_after_empty_seconds = config.self_stop_after_empty_seconds;
    auto gate = gapkit::server::SessionGate::Start(gate_config, argc, argv);
    if (!gate) {
        GAPKIT_LOG_ERROR(program.log_component, "{}", gate.error().ToString());
        return service::ToInt(service::ExitCode::kFailure);
    }
    if (enet_initialize() != 0) {
        GAPKIT_LOG_ERROR(program.log_component, "ENet did not initialise");
        return service::ToInt(service::ExitCode::kFailure);
    }
    const ENetAddress address{ENET_HOST_ANY, (*gate)->game_port()};
    ENetHost* host =
        enet_host_create(&address, static_cast<std::size_t>(config.max_players + kSpareConnections), 1, 0, 0);
    if (host == nullptr) {
        GAPKIT_LOG_ERROR(program.log_component, "cannot bind ENet on UDP port {}", address.port);
        enet_deinitialize();
        return service::ToInt(service::ExitCode::kFailure);
    }
    host->maximumPacketSize = enet_chat::kMaxPacketBytes;
    GAPKIT_LOG_INFO(program.log_component, "chat on UDP {} (players connect to {})", address.port,
                    (*gate)->advertised_address().ToString());
    {
        ChatRoom room(**gate, config.admission_timeout_seconds);
        while (!stop_signals.Requested()) {
            ENetEvent event;
            // Waits up to 10 ms for the first event: the tick of the gate's Update.
            for (int waited = enet_host_service(host, &event, 10); waited > 0;
                 waited = enet_host_service(host, &event, 0)) {
                room.OnEnetEvent(event);
            }
            const double now = NowSeconds();
            (*gate)->Update(now);
            GateEvent gate_event;
            while ((*gate)->Poll(gate_event)) room.OnGateEvent(gate_event);
            room.DropSilentConnections(now);
        }
    }
    (*gate)->Stop();
    enet_host_destroy(host);
    enet_deinitialize();
    return service::ToInt(service::ExitCode::kOk);
}

}  // namespace

int main(int argc, char** argv) {
    const service::Program program{"enet-chat-server", "enet-chat"};
    service::StopSignals stop_signals;
    service::ProtectMemory(program);
    CLI::App app{"enet-chat-server: a chat room on ENet with gapkit's matchmaking (gapkit::server::SessionGate)",
                 program.name};
    app.footer(std::string(gapkit::bus::kEnvironmentHelp));
    ChatServerConfig config;
    service::AddOption(app, "--max-players", config.max_players, "ENET_CHAT_MAX_PLAYERS", "Player slots")
        ->check(CLI::Range(1, 64));
    service::AddOption(app, "--port", config.port, "ENET_CHAT_PORT", "Local mode: UDP port to bind and advertise")
        ->check(CLI::Range(1, 65535));
    service::AddOption(app, "--self-stop-after-empty-seconds", config.self_stop_after_empty_seconds,
                       "ENET_CHAT_SELF_STOP_AFTER_EMPTY_SECONDS",
                       "On Edgegap: stop the deployment after this long without players (0: never)")
        ->check(CLI::Range(0.0, 86400.0));
    service::AddOption(app, "--admission-timeout-seconds", config.admission_timeout_seconds,
                       "ENET_CHAT_ADMISSION_TIMEOUT_SECONDS", "Seconds a new connection has to present its token")
        ->check(CLI::Range(0.1, 60.0));
    app.add_option("--ca_contents", config.ca_contents, "NATS CA certificate (PEM), as Edgegap passes it");
    service::AddLogLevelOption(app, config.log_level);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(config.log_level);
    return Run(program, config, argc, argv, stop_signals);
}
