#pragma once

// Helpers shared by the bus tests (not part of the library).

#include <gtest/gtest.h>

#include <memory>

#include "gapkit/bus/connection.hpp"
#include "gapkit/testing/nats_server.hpp"

namespace gapkit::bus {

// Connect options that reach `server` as its first user without reading the environment.
inline ConnectOptions OptionsFor(const gapkit::testing::NatsServer& server) {
    ConnectOptions options;
    options.host = server.HostPort();
    options.user = "gapkit";
    options.password = "gapkit-test-password";
    options.insecure = !server.tls();
    options.ca_pem = "";  // Explicitly empty: ignore NATS_CA_CONTENTS from the environment.
    if (server.tls()) options.ca_file = server.CaFile().string();
    return options;
}

// A suite with one server (TLS and JetStream) shared by its tests, and a connection per test.
class BusServerTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!gapkit::testing::NatsServer::Installed()) return;
        auto server = gapkit::testing::NatsServer::Start();
        ASSERT_TRUE(server.has_value()) << server.error().ToString();
        server_ = std::move(*server);
    }
    static void TearDownTestSuite() { server_.reset(); }

    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        ASSERT_NE(server_, nullptr);
        auto connection = Connection::Connect("gapkit_bus_test", OptionsFor(*server_));
        ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
        connection_ = std::move(*connection);
    }

    static inline std::unique_ptr<gapkit::testing::NatsServer> server_;
    std::unique_ptr<Connection> connection_;
};

}  // namespace gapkit::bus
