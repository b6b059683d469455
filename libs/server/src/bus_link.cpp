#include "bus_link.hpp"

#include <fmt/core.h>
#include <boost/json.hpp>

#include "gapkit/bus/names.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::server {

namespace names = bus::names;
using common::ErrorCode;
using common::MakeError;

namespace {

boost::json::object PortsJson(const edgegap::Context& context) {
    boost::json::object ports;
    for (const auto& [name, port] : context.ports) {
        ports[name] = {{"name", port.name},         {"external", port.external}, {"internal", port.internal},
                       {"protocol", port.protocol}, {"link", port.link},         {"tls_upgrade", port.tls_upgrade}};
    }
    return ports;
}

}  // namespace

common::Result<std::unique_ptr<BusLink>> BusLink::Connect(std::string client_name,
                                                          const std::optional<std::string>& ca_pem,
                                                          std::string deployment) {
    if (auto subject = names::GameServerSubject(deployment, names::kJoinFact); !subject) {
        return common::Fail(subject.error().WithContext("bus"));
    }
    bus::ConnectOptions options;
    options.ca_pem = ca_pem;
    options.inbox_prefix = std::string(names::kGameServerInboxPrefix);
    auto connection = bus::Connection::Connect(std::move(client_name), options);
    if (!connection) return common::Fail(connection.error().WithContext("bus"));
    std::unique_ptr<BusLink> link(new BusLink());
    link->connection_ = std::move(*connection);
    link->deployment_ = std::move(deployment);
    return link;
}

// Returns the accepted reply's session id (empty for facts other than join).
common::Result<std::string> BusLink::Ask(std::string_view fact, const std::string& payload) {
    auto subject = names::GameServerSubject(deployment_, fact);
    if (!subject) return common::Fail(subject.error());
    auto answer = connection_->Request(*subject, payload, kFactTimeout);
    if (!answer) return common::Fail(answer.error().WithContext(*subject));
    auto reply = protocol::ParseFactReply(answer->data);
    if (!reply) {
        return MakeError(ErrorCode::kProtocol,
                         fmt::format("{}: unreadable answer: {}", *subject, reply.error().message()));
    }
    switch (reply->outcome) {
        case protocol::FactReply::Outcome::kAccepted:
            return std::move(reply->session_id);
        case protocol::FactReply::Outcome::kRefused:
            return MakeError(ErrorCode::kPermissionDenied, fmt::format("{} refused: {}", *subject, reply->reason));
        case protocol::FactReply::Outcome::kFailed:
            break;
    }
    return MakeError(ErrorCode::kUnavailable, fmt::format("{} not checked: {}", *subject, reply->reason));
}

common::Result<std::string> BusLink::Join(std::uint64_t client_id) {
    auto session = Ask(names::kJoinFact, protocol::SerializeJoinFact({client_id}));
    if (session && session->empty()) return MakeError(ErrorCode::kProtocol, "join accepted without a session id");
    return session;
}

common::Status BusLink::Left(std::string_view session_id, std::uint64_t client_id) {
    auto answered = Ask(names::kLeftFact, protocol::SerializeLeftFact({std::string(session_id), client_id}));
    if (!answered) return common::Fail(answered.error());
    return common::Ok();
}

common::Status BusLink::PublishDigest(std::string_view public_ip, std::string_view digest) {
    auto answered =
        Ask(names::kCertDigestFact, protocol::SerializeCertDigestFact({std::string(public_ip), std::string(digest)}));
    if (!answered) return common::Fail(answered.error());
    return common::Ok();
}

common::Status BusLink::Publish(std::string_view fact, const std::string& payload) {
    auto subject = names::GameServerSubject(deployment_, fact);
    if (!subject) return common::Fail(subject.error());
    if (auto sent = connection_->Publish(*subject, payload); !sent) return sent;
    return connection_->Flush();
}

common::Status BusLink::PublishAlive(const protocol::AliveFact& fact) {
    return Publish(names::kAliveFact, protocol::SerializeAliveFact(fact));
}

common::Status BusLink::PublishContext(const edgegap::Context& context) {
    return Publish(names::kContextFact, ContextToJson(context));
}

std::string ContextToJson(const edgegap::Context& context) {
    boost::json::object json{{"request_id", context.request_id},
                             {"public_ip", context.public_ip},
                             {"fqdn", context.fqdn},
                             {"status", context.current_status},
                             {"ready", context.running},
                             {"ports", PortsJson(context)},
                             {"tags", boost::json::value_from(context.tags)}};
    if (context.location) {
        const auto& l = *context.location;
        json["location"] = {{"city", l.city},
                            {"country", l.country},
                            {"continent", l.continent},
                            {"timezone", l.timezone},
                            {"latitude", l.latitude},
                            {"longitude", l.longitude},
                            {"administrative_division", l.administrative_division}};
    }
    if (context.sockets) json["sockets"] = *context.sockets;
    if (context.sockets_usage) json["sockets_usage"] = *context.sockets_usage;
    if (context.is_joinable_by_session) json["is_joinable_by_session"] = *context.is_joinable_by_session;
    return boost::json::serialize(json);
}

}  // namespace gapkit::server
