#pragma once

// Helpers shared by the bus tests (not part of the library).

#include <gtest/gtest.h>

#include <memory>

#include "gapkit/bus/connection.hpp"
#include "gapkit/testing/bus_options.hpp"
#include "gapkit/testing/nats_server.hpp"

namespace gapkit::bus {

using gapkit::testing::BusOptionsFor;

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
        auto connection = Connection::Connect("gapkit_bus_test", BusOptionsFor(*server_));
        ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
        connection_ = std::move(*connection);
    }

    static inline std::unique_ptr<gapkit::testing::NatsServer> server_;
    std::unique_ptr<Connection> connection_;
};

}  // namespace gapkit::bus
