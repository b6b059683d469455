#pragma once

// Helpers shared by the bus tests (not part of the library).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

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

// Collects what asynchronous calls hand to their completion handlers on library threads.
template <typename T>
class Completions {
  public:
    // A handler that records its argument; `this` must outlive every call.
    std::function<void(T)> Handler() {
        return [this](T value) {
            std::lock_guard lock(mutex_);
            values_.push_back(std::move(value));
            changed_.notify_all();
        };
    }
    // Waits until at least `count` values came (a hang guard: the limit is generous).
    bool WaitFor(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return values_.size() >= count; });
    }
    std::size_t Count() {
        std::lock_guard lock(mutex_);
        return values_.size();
    }
    std::vector<T> Take() {
        std::lock_guard lock(mutex_);
        return std::move(values_);
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<T> values_;
};

}  // namespace gapkit::bus
