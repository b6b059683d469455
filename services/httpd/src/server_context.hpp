#pragma once

// State shared by all connections of one HttpServer. Everything here is either constant after
// start-up or thread-safe on its own.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "client_address.hpp"
#include "client_limiter.hpp"
#include "config.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/metrics.hpp"
#include "gateway.hpp"
#include "pending_connections.hpp"

namespace gapkit::httpd {

struct StaticFile {
    std::string content_type;
    std::string body;
};

struct ServerMetrics {
    explicit ServerMetrics(common::MetricsRegistry& registry);
    common::Counter& Outcome(std::string_view outcome);
    common::Counter& Rejected(std::string_view reason);

    common::MetricsRegistry& registry;
    common::Gauge& connections;
    common::Gauge& in_flight;
    common::Histogram& latency_seconds;
    common::Counter& http_requests;
};

/// Live WebSocket sessions, so shutdown can reach them. Thread-safe.
class SessionRegistry {
  public:
    using Closer = std::function<void()>;  // Must post to the session's strand itself.
    std::uint64_t Add(Closer closer);
    void Remove(std::uint64_t id);
    void CloseAll();
    bool stopping() const { return stopping_.load(); }

  private:
    std::mutex mutex_;
    std::map<std::uint64_t, Closer> closers_;  // Guarded by mutex_.
    std::uint64_t next_id_ = 0;                // Guarded by mutex_.
    std::atomic<bool> stopping_{false};
};

struct ServerContext {
    /// `max_pending_connections` is the config's cap after clamping to the open-file limit.
    ServerContext(const HttpdConfig& config, ClientAddressPolicy address_policy, int max_pending_connections,
                  MatchmakerGateway& gateway, const common::Clock& clock, common::MetricsRegistry& registry,
                  std::map<std::string, StaticFile> files);

    const HttpdConfig config;
    const ClientAddressPolicy address_policy;
    MatchmakerGateway& gateway;
    const common::Clock& clock;
    ServerMetrics metrics;
    std::shared_ptr<ClientLimiter> limiter;
    const std::map<std::string, StaticFile> files;  // URL path -> file, loaded at start.
    SessionRegistry sessions;
    PendingConnections pending;
};

}  // namespace gapkit::httpd
