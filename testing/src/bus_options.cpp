#include "gapkit/testing/bus_options.hpp"

namespace gapkit::testing {

bus::ConnectOptions BusOptionsFor(const NatsServer& server) {
    return BusOptionsFor(server, server.users().empty() ? std::string_view() : server.users().front().name);
}

bus::ConnectOptions BusOptionsFor(const NatsServer& server, std::string_view user_name) {
    bus::ConnectOptions options;
    options.host = server.HostPort();
    options.user = std::string(user_name);
    const NatsUser* user = server.User(user_name);
    options.password = user ? user->password : std::string("not-a-user-of-this-server");
    options.insecure = !server.tls();
    options.ca_pem = "";   // Explicitly empty: ignore NATS_CA_CONTENTS from the environment.
    options.replicas = 0;  // Auto, whatever NATS_REPLICAS says.
    if (server.tls()) options.ca_file = server.CaFile().string();
    return options;
}

bus::ConnectOptions BusOptionsFor(const NatsCluster& cluster, std::string_view user_name) {
    auto options = user_name.empty() ? BusOptionsFor(cluster.node(0)) : BusOptionsFor(cluster.node(0), user_name);
    options.host = cluster.HostList();
    return options;
}

}  // namespace gapkit::testing
