#pragma once

// Fire-and-forget JSON POSTs for Edgegap webhooks (http:// URLs only; see docs/edgegap-sim.md).

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace gapkit::edgegap_sim {

/// Sends webhooks on an io_context, keeping connections alive between them: one process stands in
/// for Edgegap on the same cores as the system under test, so a TCP connection opened and closed
/// for each status change would be measured as gapkit's cost. Thread-safe; the io_context must
/// outlive the sender's pending posts (the simulator runs it until it stops).
class WebhookSender {
  public:
    /// Each POST gives up after `timeout` (Edgegap: 10 s).
    WebhookSender(boost::asio::io_context& ioc, std::chrono::seconds timeout);
    ~WebhookSender();
    WebhookSender(const WebhookSender&) = delete;
    WebhookSender& operator=(const WebhookSender&) = delete;

    /// Starts a POST of `json_body` to `url`. The outcome is only logged, as Edgegap "expects no
    /// response"; a kept-alive connection the receiver had closed is retried once on a new one.
    void Post(std::string url, std::string json_body);

    /// Connections kept alive now, over every host (for tests and diagnostics).
    std::size_t idle_connections() const;

    struct Pool;  ///< Idle connections by origin; opaque, shared with the posts in flight.

  private:
    boost::asio::io_context& ioc_;
    const std::chrono::seconds timeout_;
    const std::shared_ptr<Pool> pool_;
};

}  // namespace gapkit::edgegap_sim
