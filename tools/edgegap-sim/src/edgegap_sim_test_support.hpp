#pragma once

// Test helpers: a blocking HTTP client, a UDP round trip, a webhook receiver and polling.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include "gapkit/testing/wait.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim::testing {

/// examples/echo.json with fast starting states, no rate limits and a 1 s grace period.
SimulatorConfig EchoConfig();

struct TestResponse {
    bool answered = false;  // False when the connection closed without an answer.
    unsigned status = 0;
    std::string body;
    std::string retry_after;
    std::string content_type;
    /// The body as JSON; null when it does not parse.
    boost::json::value Json() const;
};

/// One request on a fresh connection to 127.0.0.1:`port`, with a 10 s socket timeout.
TestResponse Call(std::uint16_t port, boost::beast::http::verb method, const std::string& target,
                  const std::string& body = "", const std::string& authorization = "token devkey");

/// Sends `payload` over UDP to 127.0.0.1:`port`; returns the reply, or nothing after `timeout`.
std::optional<std::string> UdpRoundTrip(std::uint16_t port, const std::string& payload,
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

using gapkit::testing::WaitFor;

/// An HTTP server on 127.0.0.1 that records the bodies POSTed to it and answers 200, one
/// connection at a time. With `keep_alive` it serves a connection until the sender closes it;
/// without, it closes each connection after one answer (that still says keep-alive, as a
/// receiver whose idle timeout passed would have).
class WebhookReceiver {
  public:
    explicit WebhookReceiver(bool keep_alive = false);
    ~WebhookReceiver();
    std::string url() const;
    std::vector<std::string> bodies() const;
    int connections() const;  ///< Connections accepted so far.

  private:
    void Serve();
    const bool keep_alive_;
    int connections_ = 0;  // Guarded by mutex_.
    int serving_fd_ = -1;  // The connection being served, for the destructor. Guarded by mutex_.
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    mutable std::mutex mutex_;
    std::vector<std::string> bodies_;
    std::thread thread_;
};

}  // namespace gapkit::edgegap_sim::testing
