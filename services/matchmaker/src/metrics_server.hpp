#pragma once

/// @file
/// A tiny HTTP listener for operators: `GET /metrics` (Prometheus text of a `MetricsRegistry`) and
/// `GET /healthz` ("ok", or 503 "unhealthy" while `healthy` says no). One request per connection,
/// 5 s to send it, 8 KiB at most; anything else gets 404 or 405.
///
/// Threads: `Start` and `Stop` from the owner; connections run as coroutines on the executor.
/// Ownership: the registry and the `healthy` callback are borrowed and must outlive the server.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gapkit/common/metrics.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::matchmaker {

class MetricsServer {
  public:
    MetricsServer(boost::asio::any_io_executor executor, const common::MetricsRegistry& registry,
                  std::function<bool()> healthy);

    /// Binds `bind_address:port` (0: any free port) and starts accepting. Errors name the address.
    common::Status Start(const std::string& bind_address, std::uint16_t port);

    /// The bound port (after `Start`).
    std::uint16_t port() const { return port_; }

    /// Stops accepting (posted to the executor). Idempotent.
    void Stop();

  private:
    struct Shared;
    std::shared_ptr<Shared> shared_;
    std::uint16_t port_ = 0;
};

}  // namespace gapkit::matchmaker
