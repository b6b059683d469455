// The bus against a real 3-node JetStream cluster (gapkit::testing::NatsCluster): buckets and work
// queues follow the cluster's size, and their data survives the crash of one node.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/bus/work_queue.hpp"
#include "gapkit/testing/bus_options.hpp"
#include "gapkit/testing/nats_cluster.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit::bus {
namespace {

using namespace std::chrono_literals;
using gapkit::testing::BusOptionsFor;
using gapkit::testing::NatsCluster;
using gapkit::testing::WaitFor;

// The replicas the stream's own info reports (JetStream's API, not our config).
int StreamReplicas(Connection& connection, const std::string& stream) {
    auto reply = connection.Request("$JS.API.STREAM.INFO." + stream, "", 5s);
    if (!reply) return -1;
    const std::string key = "\"num_replicas\":";
    const auto at = reply->data.find(key);
    return at == std::string::npos ? -1 : std::stoi(reply->data.substr(at + key.size()));
}

// The index of the node `connection` is on, or -1.
int ConnectedNode(const NatsCluster& cluster, const Connection& connection) {
    const std::string url = connection.ConnectedUrl();
    for (int index = 0; index < cluster.size(); ++index) {
        if (url.ends_with(":" + std::to_string(cluster.node(index).port()))) return index;
    }
    return -1;
}

class BusCluster : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!gapkit::testing::NatsServer::Installed()) return;
        auto cluster = NatsCluster::Start();
        ASSERT_TRUE(cluster.has_value()) << cluster.error().ToString();
        cluster_ = std::move(*cluster);
    }
    static void TearDownTestSuite() { cluster_.reset(); }

    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        ASSERT_NE(cluster_, nullptr);
        auto connection = Connection::Connect("gapkit_bus_cluster_test", BusOptionsFor(*cluster_));
        ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
        connection_ = std::move(*connection);
    }

    static inline std::unique_ptr<NatsCluster> cluster_;
    std::unique_ptr<Connection> connection_;
};

TEST_F(BusCluster, BucketsAndTheDeleteQueueComeUpWithThreeReplicas) {
    EXPECT_EQ(connection_->Replicas(), 3);
    auto bucket = connection_->KeyValueBucket(names::UnclaimedSessionsConfig());
    ASSERT_TRUE(bucket.has_value()) << bucket.error().ToString();
    EXPECT_EQ(StreamReplicas(*connection_, "KV_" + names::UnclaimedSessionsConfig().bucket), 3);
    auto queue = connection_->WorkQueueStream(names::DeleteSessionQueueConfig());
    ASSERT_TRUE(queue.has_value()) << queue.error().ToString();
    EXPECT_EQ(StreamReplicas(*connection_, names::DeleteSessionQueueConfig().stream), 3);
}

TEST_F(BusCluster, OneListedNodeIsEnoughToSeeTheCluster) {
    auto options = BusOptionsFor(*cluster_);
    options.host = cluster_->node(1).HostPort();
    auto connection = Connection::Connect("gapkit_bus_cluster_test", options);
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    EXPECT_EQ((*connection)->Replicas(), 3);
}

TEST_F(BusCluster, NatsReplicasOverridesAuto) {
    auto options = BusOptionsFor(*cluster_);
    options.replicas = 1;
    auto connection = Connection::Connect("gapkit_bus_cluster_test", options);
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    auto bucket = (*connection)->KeyValueBucket({.bucket = "gapkit_cluster_r1"});
    ASSERT_TRUE(bucket.has_value()) << bucket.error().ToString();
    EXPECT_EQ(StreamReplicas(**connection, "KV_gapkit_cluster_r1"), 1);
}

TEST_F(BusCluster, AnExistingBucketKeepsItsReplicasAndStaysUsable) {
    auto bucket_r1 = connection_->KeyValueBucket({.bucket = "gapkit_cluster_existing", .replicas = 1});
    ASSERT_TRUE(bucket_r1.has_value()) << bucket_r1.error().ToString();
    auto bound = connection_->KeyValueBucket({.bucket = "gapkit_cluster_existing"});  // wants 3: warns, binds
    ASSERT_TRUE(bound.has_value()) << bound.error().ToString();
    EXPECT_EQ(StreamReplicas(*connection_, "KV_gapkit_cluster_existing"), 1);
    EXPECT_TRUE((*bound)->Put("k", "v").has_value());
}

// Last in the suite: it kills a node (restarted at the end, so the order does not matter much).
TEST_F(BusCluster, AKeyAndAWorkItemSurviveTheKillOfTheNodeTheClientIsOn) {
    auto bucket = connection_->KeyValueBucket({.bucket = "gapkit_cluster_survivor"});
    ASSERT_TRUE(bucket.has_value()) << bucket.error().ToString();
    auto queue =
        connection_->WorkQueueStream({.stream = "gapkit_cluster_queue", .subjects = {"gapkit_cluster_queue.*"}});
    ASSERT_TRUE(queue.has_value()) << queue.error().ToString();
    auto consumer = (*queue)->Consumer("worker");
    ASSERT_TRUE(consumer.has_value()) << consumer.error().ToString();
    ASSERT_TRUE((*bucket)->Put("session-1", "client-1").has_value());
    ASSERT_TRUE((*queue)->Publish("gapkit_cluster_queue.session-1", "session-1").has_value());

    const int victim = ConnectedNode(*cluster_, *connection_);
    ASSERT_GE(victim, 0) << connection_->ConnectedUrl();
    cluster_->node(victim).Kill();

    // The client reconnects to another node and the streams elect new leaders among the two left.
    std::string value;
    EXPECT_TRUE(WaitFor(
        [&] {
            auto entry = (*bucket)->Get("session-1");
            if (entry && *entry) value = (*entry)->value;
            return !value.empty();
        },
        30s));
    EXPECT_EQ(value, "client-1");
    EXPECT_NE(ConnectedNode(*cluster_, *connection_), victim);
    std::string item;
    EXPECT_TRUE(WaitFor(
        [&] {
            auto items = (*consumer)->Fetch(1, 500ms);
            if (!items || items->empty()) return false;
            item = (*items)[0].data();
            return (*items)[0].Ack().has_value();
        },
        30s));
    EXPECT_EQ(item, "session-1");
    // Writes go on with 2 of 3 nodes.
    EXPECT_TRUE(WaitFor([&] { return (*bucket)->Put("session-2", "client-2").has_value(); }, 30s));
    ASSERT_TRUE(cluster_->node(victim).Restart().has_value());
}

TEST(BusSingleServer, BucketsGetOneReplica) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = gapkit::testing::NatsServer::Start();
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    auto connection = Connection::Connect("gapkit_bus_single_test", BusOptionsFor(**server));
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    EXPECT_EQ((*connection)->Replicas(), 1);
    auto queue = (*connection)->WorkQueueStream(names::DeleteSessionQueueConfig());
    ASSERT_TRUE(queue.has_value()) << queue.error().ToString();
    EXPECT_EQ(StreamReplicas(**connection, names::DeleteSessionQueueConfig().stream), 1);
}

}  // namespace
}  // namespace gapkit::bus
