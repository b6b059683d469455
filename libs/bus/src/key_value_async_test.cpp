#include <gtest/gtest.h>

#include <set>
#include <thread>

#include <fmt/core.h>

#include "bus_test_support.hpp"
#include "gapkit/bus/key_value.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit::bus {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;
using PutResults = Completions<common::Result<std::uint64_t>>;
using GetResults = Completions<common::Result<std::optional<KeyEntry>>>;

using BusKeyValueAsync = BusServerTest;

std::unique_ptr<KeyValue> MakeBucket(Connection& connection, KeyValueConfig config) {
    auto bucket = connection.KeyValueBucket(config);
    EXPECT_TRUE(bucket.has_value()) << bucket.error().ToString();
    return bucket ? std::move(*bucket) : nullptr;
}

// GetAsync's one answer (asserting it came).
common::Result<std::optional<KeyEntry>> GetOnce(KeyValue& bucket, std::string_view key) {
    GetResults results;
    auto started = bucket.GetAsync(key, results.Handler());
    if (!started) return common::Fail(started.error());
    EXPECT_TRUE(results.WaitFor(1));
    auto values = results.Take();
    EXPECT_EQ(values.size(), 1u);
    return values.empty() ? common::MakeError(ErrorCode::kInternal, "no answer") : std::move(values.front());
}

TEST_F(BusKeyValueAsync, AsyncPutIsSeenBySyncGet) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_put"});
    ASSERT_TRUE(bucket);
    PutResults results;
    ASSERT_TRUE(bucket->PutAsync("session-1", "client-7", results.Handler()).has_value());
    ASSERT_TRUE(results.WaitFor(1));
    auto revisions = results.Take();
    ASSERT_TRUE(revisions[0].has_value()) << revisions[0].error().ToString();
    auto entry = bucket->Get("session-1");
    ASSERT_TRUE(entry.has_value() && entry->has_value());
    EXPECT_EQ((*entry)->value, "client-7");
    EXPECT_EQ((*entry)->revision, *revisions[0]);
}

TEST_F(BusKeyValueAsync, AsyncGetSeesSyncPutWithItsRevision) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_get", .history = 3});
    ASSERT_TRUE(bucket);
    ASSERT_TRUE(bucket->Put("k", "first").has_value());
    auto revision = bucket->Put("k", std::string("bin\0ary", 7));
    ASSERT_TRUE(revision.has_value());
    auto entry = GetOnce(*bucket, "k");
    ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
    ASSERT_TRUE(entry->has_value());
    EXPECT_EQ((*entry)->key, "k");
    EXPECT_EQ((*entry)->value, std::string("bin\0ary", 7));
    EXPECT_EQ((*entry)->revision, *revision);
    EXPECT_EQ((*entry)->operation, KeyOperation::kPut);
}

TEST_F(BusKeyValueAsync, AbsentDeletedAndExpiredKeysAreNothing) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_absent", .ttl = 1s, .history = 2});
    ASSERT_TRUE(bucket);
    auto never = GetOnce(*bucket, "never-written");
    ASSERT_TRUE(never.has_value()) << never.error().ToString();
    EXPECT_FALSE(never->has_value());

    ASSERT_TRUE(bucket->Put("deleted", "x").has_value());
    ASSERT_TRUE(bucket->Delete("deleted").has_value());
    auto deleted = GetOnce(*bucket, "deleted");
    ASSERT_TRUE(deleted.has_value()) << deleted.error().ToString();
    EXPECT_FALSE(deleted->has_value());

    ASSERT_TRUE(bucket->Put("short-lived", "x").has_value());
    EXPECT_TRUE(GetOnce(*bucket, "short-lived")->has_value());
    EXPECT_TRUE(gapkit::testing::WaitFor([&] { return !GetOnce(*bucket, "short-lived")->has_value(); }, 10s));
}

TEST_F(BusKeyValueAsync, ThousandPutsInFlightEachCompleteOnce) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_many"});
    ASSERT_TRUE(bucket);
    constexpr int kPuts = 1000;
    PutResults results;
    for (int i = 0; i < kPuts; ++i) {
        ASSERT_TRUE(
            bucket->PutAsync(fmt::format("key-{}", i), fmt::format("value-{}", i), results.Handler()).has_value());
    }
    ASSERT_TRUE(results.WaitFor(kPuts));
    std::this_thread::sleep_for(100ms);  // Any duplicate call would land here.
    auto revisions = results.Take();
    ASSERT_EQ(revisions.size(), static_cast<std::size_t>(kPuts));
    std::set<std::uint64_t> distinct;
    for (const auto& revision : revisions) {
        ASSERT_TRUE(revision.has_value()) << revision.error().ToString();
        distinct.insert(*revision);
    }
    EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kPuts));
    EXPECT_EQ(bucket->Get("key-999")->value().value, "value-999");
}

TEST_F(BusKeyValueAsync, ErrorsMatchTheSynchronousCalls) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_errors", .max_value_bytes = 16});
    ASSERT_TRUE(bucket);
    auto sync = bucket->Put("big", std::string(64, 'x'));
    ASSERT_FALSE(sync.has_value());
    PutResults results;
    ASSERT_TRUE(bucket->PutAsync("big", std::string(64, 'x'), results.Handler()).has_value());
    ASSERT_TRUE(results.WaitFor(1));
    auto async = results.Take();
    ASSERT_FALSE(async[0].has_value());
    EXPECT_EQ(async[0].error().code(), sync.error().code())
        << async[0].error().ToString() << " vs " << sync.error().ToString();

    // A bad key is refused before anything is sent; the handler is never called.
    auto bad = bucket->PutAsync("a b", "x", results.Handler());
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(bucket->GetAsync("", [](auto) { FAIL(); }).has_value());
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(results.Count(), 0u);
}

TEST_F(BusKeyValueAsync, GoneBucketFailsWithoutAHang) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_gone"});
    ASSERT_TRUE(bucket);
    auto deleted = connection_->Request("$JS.API.STREAM.DELETE.KV_gapkit_kva_gone", "", 5s);
    ASSERT_TRUE(deleted.has_value()) << deleted.error().ToString();
    ASSERT_NE(deleted->data.find("\"success\":true"), std::string::npos) << deleted->data;
    PutResults puts;
    ASSERT_TRUE(bucket->PutAsync("k", "v", puts.Handler()).has_value());
    ASSERT_TRUE(puts.WaitFor(1));
    auto put = puts.Take();
    ASSERT_FALSE(put[0].has_value());
    EXPECT_EQ(put[0].error().code(), ErrorCode::kUnavailable) << put[0].error().ToString();
    // nats-server 2.9 leaves a direct get for a missing stream unanswered (the synchronous Get
    // times out the same way).
    GetResults gets;
    ASSERT_TRUE(bucket->GetAsync("k", gets.Handler(), 300ms).has_value());
    ASSERT_TRUE(gets.WaitFor(1));
    auto get = gets.Take();
    ASSERT_FALSE(get[0].has_value());
    EXPECT_TRUE(get[0].error().code() == ErrorCode::kUnavailable || get[0].error().code() == ErrorCode::kTimeout)
        << get[0].error().ToString();
}

TEST_F(BusKeyValueAsync, CreatedBucketsAllowDirectGets) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_direct"});
    ASSERT_TRUE(bucket);
    auto info = connection_->Request("$JS.API.STREAM.INFO.KV_gapkit_kva_direct", "", 5s);
    ASSERT_TRUE(info.has_value()) << info.error().ToString();
    EXPECT_NE(info->data.find("\"allow_direct\":true"), std::string::npos) << info->data;
}

TEST_F(BusKeyValueAsync, BucketWithoutDirectGetsIsRefusedBeforeSending) {
    auto created = connection_->Request("$JS.API.STREAM.CREATE.KV_gapkit_kva_nodirect",
                                        R"({"name":"KV_gapkit_kva_nodirect","subjects":["$KV.gapkit_kva_nodirect.>"],
                                            "max_msgs_per_subject":1,"allow_rollup_hdrs":true,"deny_delete":true,
                                            "allow_direct":false,"storage":"memory","num_replicas":1})",
                                        5s);
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    ASSERT_EQ(created->data.find("\"error\""), std::string::npos) << created->data;
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kva_nodirect"});
    ASSERT_TRUE(bucket);
    ASSERT_TRUE(bucket->Put("k", "v1").has_value());
    auto refused = bucket->GetAsync("k", [](auto) { FAIL() << "handler of a refused call"; });
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition) << refused.error().ToString();
    EXPECT_NE(refused.error().message().find("gapkit_kva_nodirect"), std::string::npos) << refused.error().message();
    EXPECT_NE(refused.error().message().find("direct gets"), std::string::npos) << refused.error().message();
    // The synchronous Get still reads it, and asynchronous puts need no direct gets.
    auto entry = bucket->Get("k");
    ASSERT_TRUE(entry.has_value() && entry->has_value());
    EXPECT_EQ((*entry)->value, "v1");
    PutResults puts;
    ASSERT_TRUE(bucket->PutAsync("k", "v2", puts.Handler()).has_value());
    ASSERT_TRUE(puts.WaitFor(1));
    auto put = puts.Take();
    ASSERT_TRUE(put[0].has_value()) << put[0].error().ToString();
}

TEST(BusKeyValueAsyncServer, TimesOutWhileTheServerIsDown) {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    auto server = gapkit::testing::NatsServer::Start();
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    auto connection = Connection::Connect("gapkit_kva_down", BusOptionsFor(**server));
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    auto bucket = MakeBucket(**connection, {.bucket = "gapkit_kva_down"});
    ASSERT_TRUE(bucket);
    (*server)->Stop();
    PutResults results;
    auto started = bucket->PutAsync("k", "v", results.Handler(), 300ms);
    if (!started) {
        EXPECT_EQ(started.error().code(), ErrorCode::kUnavailable) << started.error().ToString();
        return;
    }
    ASSERT_TRUE(results.WaitFor(1));
    auto put = results.Take();
    ASSERT_FALSE(put[0].has_value());
    EXPECT_EQ(put[0].error().code(), ErrorCode::kTimeout) << put[0].error().ToString();
}

}  // namespace
}  // namespace gapkit::bus
