// The C API: a thin translation onto GameClient. No exception crosses it; misuse such as a NULL
// handle is refused with -1 rather than crashing inside the library.
#include "gapkit/client.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "gapkit/client/game_client.hpp"

namespace client = gapkit::client;

struct gapkit_client {
    std::unique_ptr<client::GameClient> game_client;
    client::ClientEvent event;  // The last polled event; `gapkit_client_event` points into it.
    std::string last_error;
};

namespace {

static_assert(GAPKIT_CLIENT_FAILED == static_cast<int>(client::ClientState::kFailed));
static_assert(GAPKIT_CLIENT_SERVER_FOUND == static_cast<int>(client::ClientState::kServerFound));
static_assert(GAPKIT_FAILURE_LOCAL_NETWORK_ERROR == static_cast<int>(client::FailureReason::kLocalNetworkError));
static_assert(GAPKIT_FAILURE_MATCHMAKER_BUSY == static_cast<int>(client::FailureReason::kMatchmakerBusy));
static_assert(GAPKIT_EVENT_PAYLOAD == static_cast<int>(client::ClientEventType::kPayload));

void CopyError(const std::string& text, char* error, size_t error_bytes) {
    if (error == nullptr || error_bytes == 0) return;
    const size_t n = std::min(text.size(), error_bytes - 1);
    std::memcpy(error, text.data(), n);
    error[n] = '\0';
}

int Report(gapkit_client* handle, const gapkit::common::Status& status) {
    if (status) {
        handle->last_error.clear();
        return 0;
    }
    handle->last_error = status.error().ToString();
    return -1;
}

}  // namespace

extern "C" {

void gapkit_client_config_init(gapkit_client_config* config) {
    if (config == nullptr) return;
    static const client::GameClientConfig kDefaults;
    config->matchmaker_url = kDefaults.matchmaker_url.c_str();
    config->protocol_id = kDefaults.protocol_id;
    config->matchmaking_timeout_seconds = kDefaults.matchmaking_timeout_seconds;
    config->matchmaker_connect_timeout_seconds = kDefaults.matchmaker_connect_timeout_seconds;
    config->connect_timeout_seconds = kDefaults.connect_timeout_seconds;
    config->own_transport = kDefaults.own_transport ? 1 : 0;
}

gapkit_client* gapkit_client_create(const gapkit_client_config* config, char* error, size_t error_bytes) {
    try {
        client::GameClientConfig cpp_config;
        if (config != nullptr) {
            if (config->matchmaker_url != nullptr) cpp_config.matchmaker_url = config->matchmaker_url;
            cpp_config.protocol_id = config->protocol_id;
            cpp_config.matchmaking_timeout_seconds = config->matchmaking_timeout_seconds;
            cpp_config.matchmaker_connect_timeout_seconds = config->matchmaker_connect_timeout_seconds;
            cpp_config.connect_timeout_seconds = config->connect_timeout_seconds;
            cpp_config.own_transport = config->own_transport != 0;
        }
        auto created = client::GameClient::Create(std::move(cpp_config));
        if (!created) {
            CopyError(created.error().ToString(), error, error_bytes);
            return nullptr;
        }
        auto handle = std::make_unique<gapkit_client>();
        handle->game_client = std::move(*created);
        return handle.release();
    } catch (const std::exception& e) {
        CopyError(std::string("internal: ") + e.what(), error, error_bytes);
        return nullptr;
    }
}

void gapkit_client_destroy(gapkit_client* handle) { delete handle; }

int gapkit_client_find_server(gapkit_client* handle, const char* game, const char* version) {
    if (handle == nullptr || game == nullptr || version == nullptr) return -1;
    return Report(handle, handle->game_client->FindServer(game, version));
}

int gapkit_client_connect_direct(gapkit_client* handle, const char* address, uint64_t protocol_id,
                                 const uint8_t dev_key[32]) {
    if (handle == nullptr || address == nullptr || dev_key == nullptr) return -1;
    gapkit::netcode::Key key;
    std::memcpy(key.data(), dev_key, key.size());
    return Report(handle, handle->game_client->ConnectDirect(address, protocol_id, key));
}

void gapkit_client_cancel(gapkit_client* handle) {
    if (handle != nullptr) handle->game_client->Cancel();
}

void gapkit_client_disconnect(gapkit_client* handle) {
    if (handle != nullptr) handle->game_client->Disconnect();
}

void gapkit_client_update(gapkit_client* handle, double now_seconds) {
    if (handle != nullptr) handle->game_client->Update(now_seconds);
}

int gapkit_client_poll(gapkit_client* handle, gapkit_client_event* event) {
    if (handle == nullptr || event == nullptr || !handle->game_client->Poll(handle->event)) return 0;
    const client::ClientEvent& polled = handle->event;
    event->type = static_cast<gapkit_client_event_type>(polled.type);
    event->state = static_cast<gapkit_client_state>(polled.state);
    event->reason = static_cast<gapkit_client_failure>(polled.reason);
    event->text = polled.text.c_str();
    event->payload = polled.payload.empty() ? nullptr : polled.payload.data();
    event->payload_bytes = polled.payload.size();
    return 1;
}

int gapkit_client_send(gapkit_client* handle, const uint8_t* payload, size_t payload_bytes) {
    if (handle == nullptr || (payload == nullptr && payload_bytes > 0)) return -1;
    return Report(handle, handle->game_client->SendPayload({payload, payload_bytes}));
}

int gapkit_client_connection_request(gapkit_client* handle, uint8_t* out, size_t out_bytes) {
    if (handle == nullptr) return -1;
    auto request = handle->game_client->connection_request();
    if (!request) return Report(handle, gapkit::common::Fail(request.error()));
    if (out == nullptr || out_bytes < request->size()) {
        handle->last_error = "gapkit_client_connection_request: out needs 1078 bytes";
        return -1;
    }
    std::memcpy(out, request->data(), request->size());
    handle->last_error.clear();
    return 0;
}

int gapkit_client_server_address(const gapkit_client* handle, char* buffer, size_t buffer_bytes) {
    if (handle == nullptr) return -1;
    try {
        const std::string address = handle->game_client->server_address().ToString();
        CopyError(address, buffer, buffer_bytes);
        return static_cast<int>(address.size());
    } catch (const std::exception&) {
        CopyError("", buffer, buffer_bytes);
        return -1;
    }
}

gapkit_client_state gapkit_client_get_state(const gapkit_client* handle) {
    return handle == nullptr ? GAPKIT_CLIENT_IDLE : static_cast<gapkit_client_state>(handle->game_client->State());
}

gapkit_client_failure gapkit_client_get_failure(const gapkit_client* handle) {
    return handle == nullptr ? GAPKIT_FAILURE_NONE
                             : static_cast<gapkit_client_failure>(handle->game_client->failure_reason());
}

const char* gapkit_client_last_error(const gapkit_client* handle) {
    return handle == nullptr ? "null handle" : handle->last_error.c_str();
}

// The names are string literals, hence NUL-terminated.
const char* gapkit_client_state_name(gapkit_client_state state) {
    return client::ToString(static_cast<client::ClientState>(state)).data();
}

const char* gapkit_client_failure_name(gapkit_client_failure reason) {
    return client::ToString(static_cast<client::FailureReason>(reason)).data();
}

}  // extern "C"
