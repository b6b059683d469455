#include "bus_gateway.hpp"

#include <fmt/core.h>

#include "gapkit/bus/names.hpp"

namespace gapkit::httpd {

using common::ErrorCode;

BusGateway::BusGateway(bus::Connection& connection, const bus::StreamOptions& options)
    : connection_(connection), options_(options) {}

void BusGateway::Request(const protocol::MatchRequest& request, ReplyHandlers handlers) {
    auto subject = bus::names::MatchmakerRequestSubject(request.game, request.version);
    if (!subject) {
        handlers.on_end(common::Fail(subject.error()));
        return;
    }
    // The replies are parsed here, once, so a matchmaker that sends garbage fails this request
    // with a clear error instead of confusing the player's client. What parsed is relayed as it
    // came: serializing it again would only spend an allocation to make the same bytes.
    auto on_part = [on_reply = handlers.on_reply, on_end = handlers.on_end](const bus::Message& message) {
        auto reply = protocol::ParseMatchReply(message.data);
        if (!reply) {
            on_end(common::Fail(reply.error()));
            return false;
        }
        on_reply(RelayedReply{KindOf(*reply), message.data});
        return true;
    };
    auto on_end = [on_end = handlers.on_end, game = request.game, version = request.version](common::Status end) {
        if (!end && end.error().code() == ErrorCode::kUnavailable) {
            end = common::MakeError(ErrorCode::kUnavailable,
                                    fmt::format("no matchmaker is running for {} {}, try again later", game, version));
        }
        on_end(std::move(end));
    };
    auto sent = connection_.RequestStreamAsync(*subject, protocol::SerializeMatchRequest(request),
                                               bus::StreamHandlers{std::move(on_part), std::move(on_end)}, options_);
    if (!sent) handlers.on_end(common::Fail(sent.error()));
}

bool BusGateway::Ready() const { return connection_.State() == bus::ConnectionState::kConnected; }

common::Status BusGateway::RelayWebhook(std::string_view body) {
    return connection_.Publish(bus::names::kSessionWebhooks, body);
}

}  // namespace gapkit::httpd
