#pragma once

// Fire-and-forget JSON POSTs for Edgegap webhooks (http:// URLs only; see docs/edgegap-sim.md).

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>

namespace gapkit::edgegap_sim {

/// Starts a POST of `json_body` to `url` on `ioc`; gives up after `timeout` (Edgegap: 10 s).
/// The outcome is only logged, as Edgegap "expects no response".
void PostWebhook(boost::asio::io_context& ioc, std::string url, std::string json_body, std::chrono::seconds timeout);

}  // namespace gapkit::edgegap_sim
