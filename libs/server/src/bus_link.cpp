#include "bus_link.hpp"

#include <boost/json.hpp>

#include "gapkit/bus/names.hpp"

namespace gapkit::server {

namespace names = bus::names;

namespace {

common::Result<std::unique_ptr<bus::KeyValue>> Bind(bus::Connection& connection, const bus::KeyValueConfig& config) {
    auto bucket = connection.KeyValueBucket(config);
    if (!bucket) return common::Fail(bucket.error().WithContext("bucket " + config.bucket));
    return bucket;
}

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
                                                          const std::optional<std::string>& ca_pem) {
    bus::ConnectOptions options;
    options.ca_pem = ca_pem;
    auto connection = bus::Connection::Connect(std::move(client_name), options);
    if (!connection) return common::Fail(connection.error().WithContext("bus"));
    std::unique_ptr<BusLink> link(new BusLink());
    link->connection_ = std::move(*connection);
    for (auto [target, config] : {std::pair{&link->sessions_, names::SessionsLy2EgConfig()},
                                  std::pair{&link->active_, names::ActiveConnectionsConfig()},
                                  std::pair{&link->digests_, names::CertDigestsConfig()}}) {
        auto bucket = Bind(*link->connection_, config);
        if (!bucket) return common::Fail(bucket.error());
        *target = std::move(*bucket);
    }
    return link;
}

common::Result<std::optional<std::string>> BusLink::SessionOf(std::uint64_t client_id) {
    auto entry = sessions_->Get(std::to_string(client_id));
    if (!entry) return common::Fail(entry.error());
    if (!entry->has_value() || (*entry)->value.empty()) return std::optional<std::string>();
    return std::optional<std::string>((*entry)->value);
}

common::Status BusLink::RecordConnection(std::string_view session_id, std::uint64_t client_id) {
    auto put = active_->Put(session_id, std::to_string(client_id));
    if (!put) return common::Fail(put.error());
    return common::Ok();
}

common::Status BusLink::ClearConnection(std::string_view session_id) { return active_->Delete(session_id); }

common::Status BusLink::PublishDigest(std::string_view public_ip, std::string_view digest) {
    auto put = digests_->Put(public_ip, digest);
    if (!put) return common::Fail(put.error());
    return common::Ok();
}

common::Status BusLink::PublishContext(const edgegap::Context& context) {
    if (auto sent = connection_->Publish(names::kGameServerContexts, ContextToJson(context)); !sent) return sent;
    return connection_->Flush();
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
