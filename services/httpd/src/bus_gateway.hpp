#pragma once

// The production MatchmakerGateway: matchmaking requests go out as streamed bus requests on
// `matchmaker.request.<game>.<version>`, webhooks are published on `matchmaker.webhooks.session`.

#include <memory>

#include "gapkit/bus/connection.hpp"
#include "gateway.hpp"

namespace gapkit::httpd {

class BusGateway final : public MatchmakerGateway {
  public:
    /// Borrows `connection`, which must outlive the gateway. `options` bound each request on the
    /// bus side too, so an abandoned inbox never lingers.
    BusGateway(bus::Connection& connection, const bus::StreamOptions& options);

    void Request(const protocol::MatchRequest& request, ReplyHandlers handlers) override;
    bool Ready() const override;
    common::Status RelayWebhook(std::string_view body) override;

  private:
    bus::Connection& connection_;
    const bus::StreamOptions options_;
};

}  // namespace gapkit::httpd
