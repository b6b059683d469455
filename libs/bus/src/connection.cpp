#include "gapkit/bus/connection.hpp"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <tuple>

#include <fmt/core.h>

#include "connect_settings.hpp"
#include "connection_core.hpp"
#include "gapkit/common/log.hpp"
#include "replicas.hpp"
#include "status.hpp"

namespace gapkit::bus {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

constexpr const char* kLog = "bus";

// nats.c callbacks get a raw closure pointer and may fire after our objects are gone, so their
// context lives for the whole process: interned, one entry per distinct (name, delays).
struct EventContext {
    std::string client_name;
    std::int64_t initial_delay_ms;
    std::int64_t max_delay_ms;
    bool operator<(const EventContext& other) const {
        return std::tie(client_name, initial_delay_ms, max_delay_ms) <
               std::tie(other.client_name, other.initial_delay_ms, other.max_delay_ms);
    }
};

const EventContext* Intern(EventContext context) {
    static std::mutex mutex;
    static std::set<EventContext> contexts;
    std::lock_guard lock(mutex);
    return &*contexts.insert(std::move(context)).first;
}

std::string CurrentUrl(natsConnection* connection) {
    char url[256] = {0};
    if (natsConnection_GetConnectedUrl(connection, url, sizeof url) != NATS_OK) return {};
    return url;
}

void OnDisconnected(natsConnection* connection, void* closure) {
    const auto* context = static_cast<const EventContext*>(closure);
    if (natsConnection_IsClosed(connection)) return;  // Our own Close: nothing will reconnect.
    const char* reason = nullptr;
    natsConnection_GetLastError(connection, &reason);
    GAPKIT_LOG_WARN(kLog, "client '{}' disconnected from NATS ({}); reconnecting", context->client_name,
                    reason && *reason ? reason : "connection lost");
}

void OnReconnected(natsConnection* connection, void* closure) {
    const auto* context = static_cast<const EventContext*>(closure);
    GAPKIT_LOG_INFO(kLog, "client '{}' reconnected to {}", context->client_name, CurrentUrl(connection));
}

void OnClosed(natsConnection*, void* closure) {
    GAPKIT_LOG_DEBUG(kLog, "client '{}' connection closed", static_cast<const EventContext*>(closure)->client_name);
}

// Asynchronous failures (permission violations on subscribe, slow consumers) have no caller to
// return to; the server's text is in the connection's last error.
void OnAsyncError(natsConnection* connection, natsSubscription*, natsStatus status, void* closure) {
    const char* text = nullptr;
    natsConnection_GetLastError(connection, &text);
    GAPKIT_LOG_WARN(kLog, "client '{}': {}", static_cast<const EventContext*>(closure)->client_name,
                    MapNatsStatus(status, text ? text : "", "asynchronous error").message());
}

// Called after each failed round over the server list: exponential back-off with 10 % jitter.
std::int64_t ReconnectDelay(natsConnection*, int attempts, void* closure) {
    const auto* context = static_cast<const EventContext*>(closure);
    std::int64_t delay = context->initial_delay_ms;
    for (int i = 1; i < attempts && delay < context->max_delay_ms; ++i) delay *= 2;
    delay = std::min(delay, context->max_delay_ms);
    thread_local std::minstd_rand random(std::random_device{}());
    return delay + static_cast<std::int64_t>(random() % static_cast<unsigned>(delay / 10 + 1));
}

Status ApplyTls(natsOptions* options, const ConnectSettings& settings) {
    auto status = CheckNats(natsOptions_SetSecure(options, true), "enabling TLS");
    if (status && !settings.ca_file.empty()) {
        status = CheckNats(natsOptions_LoadCATrustedCertificates(options, settings.ca_file.c_str()),
                           fmt::format("loading CA {} ({})", settings.ca_file.string(), settings.ca_source));
    }
    if (status && !settings.tls_host.empty()) {
        status = CheckNats(natsOptions_SetExpectedHostname(options, settings.tls_host.c_str()), "setting TLS host");
    }
    return status;
}

Status ApplyCallbacks(natsOptions* options, const EventContext* context) {
    void* closure = const_cast<EventContext*>(context);  // nats.c takes void*; the callbacks only read.
    for (natsStatus status : {natsOptions_SetDisconnectedCB(options, OnDisconnected, closure),
                              natsOptions_SetReconnectedCB(options, OnReconnected, closure),
                              natsOptions_SetClosedCB(options, OnClosed, closure),
                              natsOptions_SetErrorHandler(options, OnAsyncError, closure),
                              natsOptions_SetCustomReconnectDelay(options, ReconnectDelay, closure)}) {
        if (status != NATS_OK) return common::Fail(NatsError(status, "setting connection callbacks"));
    }
    return common::Ok();
}

// nats.c spins on a busy mutex (2,000 tries by default) before it sleeps. A service shares its cores
// with nats-server and its peers, so a spinning thread mostly delays the one holding the lock; the
// matchmaker spent about a tenth of its CPU per match spinning (docs/benchmarks.md). The count only
// takes effect before the library's first use; a later call changes nothing.
constexpr std::int64_t kLockSpinCount = 0;

Result<OptionsPtr> BuildOptions(const ConnectSettings& settings) {
    (void)nats_Open(kLockSpinCount);  // Any failure resurfaces from natsOptions_Create.
    natsOptions* raw = nullptr;
    if (natsOptions_Create(&raw) != NATS_OK) return MakeError(ErrorCode::kInternal, "natsOptions_Create failed");
    OptionsPtr options(raw);
    std::vector<const char*> urls;
    for (const auto& url : settings.urls) urls.push_back(url.c_str());
    Status status = common::Ok();
    for (natsStatus nats_status :
         {natsOptions_SetServers(raw, urls.data(), static_cast<int>(urls.size())),
          natsOptions_SetName(raw, settings.client_name.c_str()),
          natsOptions_SetUserInfo(raw, settings.user.c_str(), settings.password.c_str()),
          natsOptions_SetTimeout(raw, settings.connect_timeout.count()), natsOptions_SetAllowReconnect(raw, true),
          natsOptions_SetMaxReconnect(raw, -1), natsOptions_SetSendAsap(raw, settings.send_asap),
          natsOptions_SetCustomInboxPrefix(raw, settings.inbox_prefix.c_str())}) {
        if (nats_status != NATS_OK) return common::Fail(NatsError(nats_status, "configuring the connection"));
    }
    if (settings.tls) status = ApplyTls(raw, settings);
    if (status) {
        status = ApplyCallbacks(raw, Intern({settings.client_name, settings.reconnect_initial_delay.count(),
                                             settings.reconnect_max_delay.count()}));
    }
    if (!status) return common::Fail(status.error());
    return options;
}

void LogSettings(const ConnectSettings& settings) {
    std::string hosts;
    for (const auto& url : settings.urls) hosts += (hosts.empty() ? "" : ",") + url;
    GAPKIT_LOG_INFO(kLog, "connecting as client '{}': TLS {}, user '{}' at {}", settings.client_name,
                    settings.tls ? "on" : "off", settings.user, hosts);
    if (settings.tls) {
        GAPKIT_LOG_INFO(kLog, "CA in use: {}{}", settings.ca_source,
                        settings.ca_file.empty() ? "" : " (" + settings.ca_file.string() + ")");
    } else {
        GAPKIT_LOG_WARN(kLog, "NATS_INSECURE is set: TLS is off; use this only for loopback development");
    }
}

Result<ConnectionPtr> Open(const ConnectSettings& settings) {
    auto options = BuildOptions(settings);
    // The CA is in the SSL context now; a copy from NATS_CA_CONTENTS is no longer needed on disk.
    if (settings.ca_file_is_temporary) {
        std::error_code ignored;
        std::filesystem::remove(settings.ca_file, ignored);
    }
    if (!options) return common::Fail(options.error());
    natsConnection* raw = nullptr;
    const natsStatus status = natsConnection_Connect(&raw, options->get());
    if (status != NATS_OK) {
        return common::Fail(NatsError(status, fmt::format("connecting to {}", settings.urls.front())));
    }
    return ConnectionPtr(raw);
}

}  // namespace

std::string_view ToString(ConnectionState state) {
    switch (state) {
        case ConnectionState::kDisconnected:
            return "disconnected";
        case ConnectionState::kConnecting:
            return "connecting";
        case ConnectionState::kConnected:
            return "connected";
        case ConnectionState::kReconnecting:
            return "reconnecting";
        case ConnectionState::kDraining:
            return "draining";
        case ConnectionState::kClosed:
            return "closed";
    }
    return "unknown";
}

Result<std::unique_ptr<Connection>> Connection::Connect(std::string client_name, const ConnectOptions& options) {
    auto settings = ResolveConnectSettings(std::move(client_name), options);
    if (!settings) return common::Fail(settings.error());
    LogSettings(*settings);
    auto connection = Open(*settings);
    if (!connection) return common::Fail(connection.error());
    jsCtx* js = nullptr;
    if (natsConnection_JetStream(&js, connection->get(), nullptr) != NATS_OK) {
        return MakeError(ErrorCode::kInternal, "cannot create a JetStream context");
    }
    const int replicas = ResolveReplicas(settings->replicas, connection->get(), settings->client_name);
    auto core = std::make_shared<ConnectionCore>(ConnectionCore{settings->client_name, settings->inbox_prefix, replicas,
                                                                std::move(*connection), JsContextPtr(js)});
    core->mux = std::make_unique<RequestMux>(core->connection.get(), core->inbox_prefix);
    GAPKIT_LOG_INFO(kLog, "client '{}' connected to {}", core->client_name, CurrentUrl(core->connection.get()));
    return std::unique_ptr<Connection>(new Connection(std::move(core)));
}

Connection::Connection(std::shared_ptr<ConnectionCore> core) : core_(std::move(core)) {}

Connection::~Connection() = default;

ConnectionState Connection::State() const {
    switch (natsConnection_Status(core_->connection.get())) {
        case NATS_CONN_STATUS_DISCONNECTED:
            return ConnectionState::kDisconnected;
        case NATS_CONN_STATUS_CONNECTING:
            return ConnectionState::kConnecting;
        case NATS_CONN_STATUS_CONNECTED:
            return ConnectionState::kConnected;
        case NATS_CONN_STATUS_RECONNECTING:
            return ConnectionState::kReconnecting;
        case NATS_CONN_STATUS_DRAINING_SUBS:
        case NATS_CONN_STATUS_DRAINING_PUBS:
            return ConnectionState::kDraining;
        case NATS_CONN_STATUS_CLOSED:
            return ConnectionState::kClosed;
    }
    return ConnectionState::kClosed;
}

std::string Connection::ConnectedUrl() const { return CurrentUrl(core_->connection.get()); }

int Connection::Replicas() const { return core_->replicas; }

Status Connection::Publish(std::string_view subject, std::string_view data) {
    const std::string subject_text(subject);
    return CheckNats(natsConnection_Publish(core_->connection.get(), subject_text.c_str(), data.data(),
                                            static_cast<int>(data.size())),
                     fmt::format("publishing on {}", subject));
}

Status Connection::Flush(std::chrono::milliseconds timeout) {
    return CheckNats(natsConnection_FlushTimeout(core_->connection.get(), timeout.count()), "flushing");
}

Result<Message> Connection::Request(std::string_view subject, std::string_view data,
                                    std::chrono::milliseconds timeout) {
    const std::string subject_text(subject);
    natsMsg* raw = nullptr;
    const natsStatus status = natsConnection_Request(&raw, core_->connection.get(), subject_text.c_str(), data.data(),
                                                     static_cast<int>(data.size()), timeout.count());
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("request on {}", subject)));
    MsgPtr reply(raw);
    return ToMessage(reply.get());
}

Status Connection::RequestAsync(std::string_view subject, std::string_view data, ReplyHandler done,
                                std::chrono::milliseconds timeout) {
    if (!done) return MakeError(ErrorCode::kInvalidArgument, "request: empty reply handler");
    auto action = std::make_shared<const std::string>(fmt::format("request on {}", subject));
    auto handler = std::make_shared<ReplyHandler>(std::move(done));
    MuxCall call{[action, handler](natsMsg* msg) {
                     if (natsMsg_IsNoResponders(msg)) {
                         (*handler)(common::Fail(MapNatsStatus(NATS_NO_RESPONDERS, "", *action)));
                     } else {
                         (*handler)(ToMessage(msg));
                     }
                     return false;
                 },
                 [action, handler](bool) { (*handler)(common::Fail(MapNatsStatus(NATS_TIMEOUT, "", *action))); }, false,
                 std::chrono::milliseconds(0), timeout};
    return core_->mux->Start(subject, data, std::move(call), *action);
}

namespace {

Status CheckIsRequest(const Message& request) {
    if (!request.reply.empty()) return common::Ok();
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("message on {} is not a request (no reply inbox)", request.subject));
}

}  // namespace

Status Connection::Respond(const Message& request, std::string_view data) {
    if (auto checked = CheckIsRequest(request); !checked) return checked;
    return Publish(request.reply, data);
}

Status Connection::RespondLast(const Message& request, std::string_view data) {
    if (auto checked = CheckIsRequest(request); !checked) return checked;
    natsMsg* raw = nullptr;
    natsStatus status =
        natsMsg_Create(&raw, request.reply.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
    MsgPtr msg(raw);
    if (status == NATS_OK) status = natsMsgHeader_Set(msg.get(), kStreamHeader, kLastPartValue.data());
    if (status == NATS_OK) status = natsConnection_PublishMsg(core_->connection.get(), msg.get());
    return CheckNats(status, fmt::format("publishing on {}", request.reply));
}

Status Connection::EndStream(const Message& request) { return Respond(request, {}); }

Status CloseLibrary(std::chrono::milliseconds timeout) {
    const natsStatus status = nats_CloseAndWait(timeout.count());
    if (status == NATS_NOT_INITIALIZED) return common::Ok();  // Never opened: nothing to close.
    return CheckNats(status, "closing the NATS library");
}

}  // namespace gapkit::bus
