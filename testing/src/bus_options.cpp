#include "gapkit/testing/bus_options.hpp"

namespace gapkit::testing {

bus::ConnectOptions BusOptionsFor(const NatsServer& server) {
    bus::ConnectOptions options;
    options.host = server.HostPort();
    if (!server.users().empty()) {
        options.user = server.users().front().name;
        options.password = server.users().front().password;
    }
    options.insecure = !server.tls();
    options.ca_pem = "";  // Explicitly empty: ignore NATS_CA_CONTENTS from the environment.
    if (server.tls()) options.ca_file = server.CaFile().string();
    return options;
}

}  // namespace gapkit::testing
