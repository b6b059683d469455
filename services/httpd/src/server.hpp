#pragma once

// gapkit-httpd: the public HTTP/WebSocket front of the matchmaker.
//
// Routes:
//   GET  /matchmaker/ws               WebSocket: one MatchRequest in, streamed MatchReplies out
//   POST /edgegap/webhook/<secret>    Edgegap session webhooks, relayed to the matchmakers
//   GET  /healthz  /readyz  /metrics  process up / bus connected / Prometheus text
//   GET  /  (and files of the web root) the operator's test page
//
// Threads: `Start` runs `config.threads` I/O threads of its own; every connection lives on its own
// strand (with one thread, the default, that thread orders everything and no strand is made). `Stop` may be called from
// any thread but its own I/O threads (main calls it on SIGTERM). Ownership: the server borrows the gateway, the metrics
// registry and the clock; they must outlive it.

#include <cstdint>
#include <memory>

#include "config.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/metrics.hpp"
#include "gapkit/common/result.hpp"
#include "gateway.hpp"

namespace gapkit::httpd {

struct ServerDependencies {
    MatchmakerGateway& gateway;
    common::MetricsRegistry& metrics;
    const common::Clock& clock;
};

class HttpServer {
  public:
    /// Validates the config, loads the web root, binds and starts serving.
    static common::Result<std::unique_ptr<HttpServer>> Start(const HttpdConfig& config, ServerDependencies deps);

    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// The bound port (useful with port 0).
    std::uint16_t port() const;

    /// Stops accepting, tells matchmaking clients the server is going away, gives them
    /// `shutdown_grace_seconds` to hear it, closes every connection left and joins the I/O
    /// threads. Idempotent.
    void Stop();

    struct Impl;

  private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::httpd
