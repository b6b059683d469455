#include "gapkit/testing/nats_cluster.hpp"

#include <gtest/gtest.h>

#include "gapkit/bus/connection.hpp"
#include "gapkit/testing/bus_options.hpp"

namespace gapkit::testing {
namespace {

// True when a message published on node `from` reaches a subscriber on node `to`: their route is up.
bool Routes(const NatsCluster& cluster, int from, int to) {
    auto options = BusOptionsFor(cluster);
    options.host = cluster.node(to).HostPort();
    auto subscriber = bus::Connection::Connect("gapkit_testing_cluster", options);
    if (!subscriber) return false;
    auto subscription = (*subscriber)->SubscribeSync("cluster.hello");
    if (!subscription || !(*subscriber)->Flush()) return false;
    options.host = cluster.node(from).HostPort();
    auto publisher = bus::Connection::Connect("gapkit_testing_cluster", options);
    if (!publisher) return false;
    for (int attempt = 0; attempt < 50; ++attempt) {  // interest crosses the route asynchronously
        if (!(*publisher)->Publish("cluster.hello", "hi") || !(*publisher)->Flush()) return false;
        auto message = subscription->NextMessage(std::chrono::milliseconds(100));
        if (message && *message) return true;
    }
    return false;
}

TEST(TestingNatsCluster, StartsThreeRoutedNodesThatShareUsers) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto cluster = NatsCluster::Start();
    ASSERT_TRUE(cluster.has_value()) << cluster.error().ToString();
    ASSERT_EQ((*cluster)->size(), 3);
    EXPECT_EQ((*cluster)->HostList(), (*cluster)->node(0).HostPort() + "," + (*cluster)->node(1).HostPort() + "," +
                                          (*cluster)->node(2).HostPort());
    EXPECT_EQ((*cluster)->ClientEnv().at("NATS_HOST"), (*cluster)->HostList());
    EXPECT_EQ((*cluster)->ClientEnv("nobody").at("NATS_USER"), "nobody");
    EXPECT_TRUE(std::filesystem::exists((*cluster)->CaFile()));
    EXPECT_TRUE(Routes(**cluster, 2, 0));
}

TEST(TestingNatsCluster, RestartsAKilledNodeIntoTheCluster) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto cluster = NatsCluster::Start();
    ASSERT_TRUE(cluster.has_value()) << cluster.error().ToString();
    const int port = (*cluster)->node(1).port();
    (*cluster)->node(1).Kill();
    auto restarted = (*cluster)->node(1).Restart();
    ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
    EXPECT_EQ((*cluster)->node(1).port(), port);
    EXPECT_TRUE(Routes(**cluster, 1, 0));
}

TEST(TestingNatsCluster, SharesTheTemplatesPasswordsAcrossNodes) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto cluster = NatsCluster::Start({.config_template = GAPKIT_SHIPPED_NATS_CONFIG});
    ASSERT_TRUE(cluster.has_value()) << cluster.error().ToString();
    ASSERT_NE((*cluster)->User("httpd"), nullptr);
    for (int index = 0; index < (*cluster)->size(); ++index) {
        EXPECT_EQ((*cluster)->node(index).User("httpd")->password, (*cluster)->User("httpd")->password);
        auto options = BusOptionsFor(**cluster, "httpd");
        options.host = (*cluster)->node(index).HostPort();
        auto connection = bus::Connection::Connect("gapkit_testing_cluster", options);
        EXPECT_TRUE(connection.has_value()) << index << ": " << connection.error().ToString();
    }
}

TEST(TestingNatsCluster, RefusesSixNodes) {
    auto cluster = NatsCluster::Start({.nodes = 6});
    ASSERT_FALSE(cluster.has_value());
    EXPECT_EQ(cluster.error().code(), common::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gapkit::testing
