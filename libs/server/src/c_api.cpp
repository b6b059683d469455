#include "gapkit/server.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "gapkit/server/game_server.hpp"
#include "gapkit/server/session_gate.hpp"

struct gapkit_server {
    std::unique_ptr<gapkit::server::GameServer> server;
    std::vector<std::uint8_t> payload;  // Backs the last polled event's payload pointer.
    std::string last_error;
};

struct gapkit_gate {
    std::unique_ptr<gapkit::server::SessionGate> gate;
    std::string last_error;
};

namespace {

using gapkit::server::GameServerConfig;
using gapkit::server::ServerEvent;

static_assert(static_cast<int>(gapkit::server::ServerEventType::kPlayerJoined) + 1 ==
              GAPKIT_SERVER_EVENT_PLAYER_JOINED);
static_assert(static_cast<int>(gapkit::server::ServerEventType::kSelfStopping) + 1 ==
              GAPKIT_SERVER_EVENT_SELF_STOPPING);
static_assert(static_cast<int>(gapkit::server::GateEventType::kPlayerRefused) + 1 == GAPKIT_GATE_EVENT_PLAYER_REFUSED);
static_assert(static_cast<int>(gapkit::server::GateEventType::kSelfStopping) + 1 == GAPKIT_GATE_EVENT_SELF_STOPPING);
static_assert(gapkit::netcode::kConnectionRequestPacketBytes == GAPKIT_CONNECTION_REQUEST_BYTES);
static_assert(static_cast<int>(gapkit::server::LeaveReason::kClientDisconnected) ==
              GAPKIT_SERVER_LEAVE_CLIENT_DISCONNECTED);
static_assert(static_cast<int>(gapkit::server::LeaveReason::kServerStopped) == GAPKIT_SERVER_LEAVE_SERVER_STOPPED);

void CopyText(const std::string& text, char* out, std::size_t out_bytes) {
    if (out == nullptr || out_bytes == 0) return;
    const std::size_t n = std::min(text.size(), out_bytes - 1);
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

// As snprintf: the whole address's length, -1 on failure.
int CopyAddress(const gapkit::netcode::Address& address, char* buffer, std::size_t buffer_bytes) {
    // Only allocation can throw; an address is at most GAPKIT_SERVER_ADDRESS_BYTES long.
    try {
        const std::string text = address.ToString();
        CopyText(text, buffer, buffer_bytes);
        return static_cast<int>(text.size());
    } catch (const std::exception&) {
        CopyText("", buffer, buffer_bytes);
        return -1;
    }
}

GameServerConfig FromC(const gapkit_server_config& c) {
    GameServerConfig config;
    config.protocol_id = c.protocol_id;
    std::copy(std::begin(c.private_key), std::end(c.private_key), config.private_key.begin());
    config.max_clients = c.max_clients;
    config.local_port = c.local_port;
    if (c.local_public_ip != nullptr) config.local_public_ip = c.local_public_ip;
    if (c.game_port_name != nullptr) config.game_port_name = c.game_port_name;
    if (c.webtransport_port_name != nullptr) config.webtransport_port_name = c.webtransport_port_name;
    config.local_webtransport_port = c.local_webtransport_port;
    config.require_session = c.require_session != 0;
    config.self_stop_after_empty_seconds = c.self_stop_after_empty_seconds;
    config.use_bus = c.use_bus != 0;
    return config;
}

void ToC(ServerEvent& event, gapkit_server& handle, gapkit_server_event& out) {
    out = gapkit_server_event{};
    // The C values count from 1 in the same order.
    out.type = static_cast<gapkit_server_event_type>(static_cast<int>(event.type) + 1);
    out.client_index = event.client_index;
    out.client_id = event.client_id;
    CopyText(event.session_id, out.session_id, sizeof(out.session_id));
    std::copy(event.user_data.begin(), event.user_data.end(), out.user_data);
    out.leave_reason = static_cast<gapkit_server_leave_reason>(event.reason);
    handle.payload = std::move(event.payload);
    out.payload = handle.payload.empty() ? nullptr : handle.payload.data();
    out.payload_bytes = handle.payload.size();
}

void ToC(const gapkit::server::GateEvent& event, gapkit_gate_event& out) {
    out = gapkit_gate_event{};
    // The C values count from 1 in the same order.
    out.type = static_cast<gapkit_gate_event_type>(static_cast<int>(event.type) + 1);
    out.player_index = event.player_index;
    out.client_id = event.client_id;
    CopyText(event.session_id, out.session_id, sizeof(out.session_id));
    std::copy(event.user_data.begin(), event.user_data.end(), out.user_data);
    out.leave_reason = static_cast<gapkit_server_leave_reason>(event.reason);
}

// gapkit_server_create and gapkit_gate_create: `Library::Start` behind a C handle whose first
// member holds it; the reason of a failure goes into `error`.
template <typename Handle, typename Library>
Handle* Create(const char* function, const gapkit_server_config* config, int argc, const char* const* argv, char* error,
               std::size_t error_bytes) {
    if (config == nullptr) {
        CopyText(std::string(function) + ": config is NULL", error, error_bytes);
        return nullptr;
    }
    // No exception may cross into C; allocation failure is the only one the library can raise.
    try {
        auto started = Library::Start(FromC(*config), argc, argv);
        if (!started) {
            CopyText(started.error().ToString(), error, error_bytes);
            return nullptr;
        }
        return new Handle{std::move(*started)};
    } catch (const std::exception& e) {
        CopyText(std::string(function) + ": " + e.what(), error, error_bytes);
        return nullptr;
    }
}

}  // namespace

extern "C" {

void gapkit_server_config_init(gapkit_server_config* config) {
    if (config == nullptr) return;
    const GameServerConfig defaults;
    *config = gapkit_server_config{};
    config->max_clients = defaults.max_clients;
    config->local_port = defaults.local_port;
    config->require_session = defaults.require_session ? 1 : 0;
    config->self_stop_after_empty_seconds = defaults.self_stop_after_empty_seconds;
    config->use_bus = defaults.use_bus ? 1 : 0;
    static const std::string kWebTransportPortName = defaults.webtransport_port_name;
    config->webtransport_port_name = kWebTransportPortName.c_str();
    config->local_webtransport_port = defaults.local_webtransport_port;
}

gapkit_server* gapkit_server_create(const gapkit_server_config* config, int argc, const char* const* argv, char* error,
                                    std::size_t error_bytes) {
    return Create<gapkit_server, gapkit::server::GameServer>("gapkit_server_create", config, argc, argv, error,
                                                             error_bytes);
}

void gapkit_server_update(gapkit_server* server, double now_seconds) {
    if (server != nullptr) server->server->Update(now_seconds);
}

int gapkit_server_poll(gapkit_server* server, gapkit_server_event* event) {
    ServerEvent polled;
    if (server == nullptr || event == nullptr || !server->server->Poll(polled)) return 0;
    ToC(polled, *server, *event);
    return 1;
}

int gapkit_server_send(gapkit_server* server, int client_index, const uint8_t* data, std::size_t bytes) {
    if (server == nullptr) return -1;
    if (data == nullptr && bytes != 0) {
        server->last_error = "gapkit_server_send: data is NULL";
        return -1;
    }
    auto sent = server->server->SendPayload(client_index, std::span<const std::uint8_t>(data, bytes));
    if (sent) return 0;
    server->last_error = sent.error().ToString();
    return -1;
}

void gapkit_server_disconnect(gapkit_server* server, int client_index) {
    if (server != nullptr) server->server->Disconnect(client_index);
}

int gapkit_server_num_players(const gapkit_server* server) {
    return server == nullptr ? 0 : server->server->num_players();
}

uint16_t gapkit_server_bound_port(const gapkit_server* server) {
    return server == nullptr ? 0 : server->server->bound_port();
}

uint16_t gapkit_server_webtransport_port(const gapkit_server* server) {
    return server == nullptr ? 0 : server->server->webtransport_port();
}

int gapkit_server_advertised_address(const gapkit_server* server, char* buffer, std::size_t buffer_bytes) {
    return server == nullptr ? -1 : CopyAddress(server->server->advertised_address(), buffer, buffer_bytes);
}

const char* gapkit_server_certificate_digest(const gapkit_server* server) {
    return server == nullptr ? "" : server->server->certificate().sha256_digest.c_str();
}

const char* gapkit_server_certificate_pem(const gapkit_server* server) {
    return server == nullptr ? "" : server->server->certificate().certificate_pem.c_str();
}

const char* gapkit_server_last_error(const gapkit_server* server) {
    return server == nullptr ? "" : server->last_error.c_str();
}

void gapkit_server_destroy(gapkit_server* server) { delete server; }

gapkit_gate* gapkit_gate_create(const gapkit_server_config* config, int argc, const char* const* argv, char* error,
                                std::size_t error_bytes) {
    return Create<gapkit_gate, gapkit::server::SessionGate>("gapkit_gate_create", config, argc, argv, error,
                                                            error_bytes);
}

int gapkit_gate_admit(gapkit_gate* gate, const uint8_t* bytes, std::size_t byte_count,
                      gapkit_gate_admission* admission) {
    if (gate == nullptr) return -1;
    if ((bytes == nullptr && byte_count != 0) || admission == nullptr) {
        gate->last_error = "gapkit_gate_admit: bytes or admission is NULL";
        return -1;
    }
    auto admitted = gate->gate->Admit(std::span<const std::uint8_t>(bytes, byte_count));
    if (!admitted) {
        gate->last_error = admitted.error().ToString();
        return -1;
    }
    *admission = gapkit_gate_admission{};
    admission->player_index = admitted->player_index;
    admission->client_id = admitted->client_id;
    std::copy(admitted->user_data.begin(), admitted->user_data.end(), admission->user_data);
    admission->timeout_seconds = admitted->timeout_seconds;
    std::copy(admitted->client_to_server_key.begin(), admitted->client_to_server_key.end(),
              admission->client_to_server_key);
    std::copy(admitted->server_to_client_key.begin(), admitted->server_to_client_key.end(),
              admission->server_to_client_key);
    return 0;
}

void gapkit_gate_release(gapkit_gate* gate, int player_index, uint64_t client_id, gapkit_server_leave_reason reason) {
    if (gate == nullptr || reason < GAPKIT_SERVER_LEAVE_CLIENT_DISCONNECTED ||
        reason > GAPKIT_SERVER_LEAVE_SERVER_STOPPED) {
        return;
    }
    gate->gate->Release(player_index, client_id, static_cast<gapkit::server::LeaveReason>(reason));
}

void gapkit_gate_update(gapkit_gate* gate, double now_seconds) {
    if (gate != nullptr) gate->gate->Update(now_seconds);
}

int gapkit_gate_poll(gapkit_gate* gate, gapkit_gate_event* event) {
    gapkit::server::GateEvent polled;
    if (gate == nullptr || event == nullptr || !gate->gate->Poll(polled)) return 0;
    ToC(polled, *event);
    return 1;
}

int gapkit_gate_num_players(const gapkit_gate* gate) { return gate == nullptr ? 0 : gate->gate->num_players(); }

uint16_t gapkit_gate_game_port(const gapkit_gate* gate) { return gate == nullptr ? 0 : gate->gate->game_port(); }

int gapkit_gate_advertised_address(const gapkit_gate* gate, char* buffer, std::size_t buffer_bytes) {
    return gate == nullptr ? -1 : CopyAddress(gate->gate->advertised_address(), buffer, buffer_bytes);
}

const char* gapkit_gate_last_error(const gapkit_gate* gate) { return gate == nullptr ? "" : gate->last_error.c_str(); }

void gapkit_gate_destroy(gapkit_gate* gate) { delete gate; }

}  // extern "C"
