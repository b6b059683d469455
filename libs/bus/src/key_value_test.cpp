#include "gapkit/bus/key_value.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "bus_test_support.hpp"

namespace gapkit::bus {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;

using BusKeyValue = BusServerTest;

std::unique_ptr<KeyValue> MakeBucket(Connection& connection, KeyValueConfig config) {
    auto bucket = connection.KeyValueBucket(config);
    EXPECT_TRUE(bucket.has_value()) << bucket.error().ToString();
    return bucket ? std::move(*bucket) : nullptr;
}

TEST_F(BusKeyValue, PutGetDeleteAndKeys) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_basic", .description = "test", .history = 2});
    ASSERT_TRUE(bucket);
    auto revision = bucket->Put("session-1", "client-7");
    ASSERT_TRUE(revision.has_value()) << revision.error().ToString();
    auto entry = bucket->Get("session-1");
    ASSERT_TRUE(entry.has_value() && entry->has_value());
    EXPECT_EQ((*entry)->value, "client-7");
    EXPECT_EQ((*entry)->revision, *revision);
    ASSERT_TRUE(bucket->Put("session-2", "client-8").has_value());
    auto keys = bucket->Keys();
    ASSERT_TRUE(keys.has_value()) << keys.error().ToString();
    std::sort(keys->begin(), keys->end());
    EXPECT_EQ(*keys, (std::vector<std::string>{"session-1", "session-2"}));
    ASSERT_TRUE(bucket->Delete("session-1").has_value());
    auto gone = bucket->Get("session-1");
    ASSERT_TRUE(gone.has_value());
    EXPECT_FALSE(gone->has_value());
    EXPECT_FALSE(bucket->Get("never-written")->has_value());
}

TEST_F(BusKeyValue, EmptyBucketHasNoKeys) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_empty"});
    ASSERT_TRUE(bucket);
    auto keys = bucket->Keys();
    ASSERT_TRUE(keys.has_value()) << keys.error().ToString();
    EXPECT_TRUE(keys->empty());
}

TEST_F(BusKeyValue, EntriesReadsEveryLiveKeyWithItsValueInOnePass) {
    auto empty = MakeBucket(*connection_, {.bucket = "gapkit_kv_entries_empty"});
    ASSERT_TRUE(empty);
    auto none = empty->Entries();
    ASSERT_TRUE(none.has_value()) << none.error().ToString();
    EXPECT_TRUE(none->empty());

    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_entries", .history = 2});
    ASSERT_TRUE(bucket);
    for (int i = 0; i < 300; ++i) {
        ASSERT_TRUE(bucket->Put(fmt::format("key-{}", i), fmt::format("value-{}", i)).has_value());
    }
    ASSERT_TRUE(bucket->Put("key-7", "rewritten").has_value());
    ASSERT_TRUE(bucket->Delete("key-8").has_value());
    auto entries = bucket->Entries();
    ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
    std::map<std::string, std::string> values;
    for (const KeyEntry& entry : *entries) values[entry.key] = entry.value;
    EXPECT_EQ(values.size(), 299u);
    EXPECT_EQ(values["key-7"], "rewritten");
    EXPECT_EQ(values.count("key-8"), 0u);
    EXPECT_EQ(values["key-299"], "value-299");
}

TEST_F(BusKeyValue, CreateConflictsWithAnExistingKey) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_create"});
    ASSERT_TRUE(bucket);
    ASSERT_TRUE(bucket->Create("digest", "ab:cd").has_value());
    auto again = bucket->Create("digest", "ef:01");
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists) << again.error().ToString();
    EXPECT_EQ(bucket->Get("digest")->value().value, "ab:cd");
    ASSERT_TRUE(bucket->Delete("digest").has_value());
    EXPECT_TRUE(bucket->Create("digest", "ef:01").has_value());  // A deleted key can be created again.
}

TEST_F(BusKeyValue, UpdateSucceedsOnlyFromTheLatestRevision) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_update"});
    ASSERT_TRUE(bucket);
    auto first = bucket->Create("leader", "a");
    ASSERT_TRUE(first.has_value()) << first.error().ToString();
    auto second = bucket->Update("leader", "a", *first);
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    EXPECT_GT(*second, *first);
    auto stale = bucket->Update("leader", "b", *first);
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code(), ErrorCode::kFailedPrecondition) << stale.error().ToString();
    EXPECT_EQ(bucket->Get("leader")->value().value, "a");
    ASSERT_TRUE(bucket->Delete("leader").has_value());
    EXPECT_FALSE(bucket->Update("leader", "a", *second).has_value());  // Deleted since.
}

TEST_F(BusKeyValue, EntriesExpireAfterTheTtl) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_ttl", .ttl = 1s});
    ASSERT_TRUE(bucket);
    ASSERT_TRUE(bucket->Put("short-lived", "x").has_value());
    EXPECT_TRUE(bucket->Get("short-lived")->has_value());
    bool expired = false;
    for (int i = 0; i < 100 && !expired; ++i) {  // JetStream expires in the background; allow up to 10 s.
        std::this_thread::sleep_for(100ms);
        expired = !bucket->Get("short-lived")->has_value();
    }
    EXPECT_TRUE(expired);
}

TEST_F(BusKeyValue, ValuesOverTheLimitAreRefused) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_limit", .max_value_bytes = 16});
    ASSERT_TRUE(bucket);
    EXPECT_TRUE(bucket->Put("small", "0123456789").has_value());
    EXPECT_FALSE(bucket->Put("big", std::string(64, 'x')).has_value());
}

TEST_F(BusKeyValue, BindingKeepsExistingBucketAndData) {
    auto first = MakeBucket(*connection_, {.bucket = "gapkit_kv_bind", .ttl = 60s});
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->Put("k", "v").has_value());
    auto second = MakeBucket(*connection_, {.bucket = "gapkit_kv_bind", .ttl = 5s, .history = 3});
    ASSERT_TRUE(second);
    EXPECT_EQ(second->Get("k")->value().value, "v");
}

TEST_F(BusKeyValue, WatchSeesCurrentValuesThenPutsAndDeletes) {
    auto bucket = MakeBucket(*connection_, {.bucket = "gapkit_kv_watch"});
    ASSERT_TRUE(bucket);
    ASSERT_TRUE(bucket->Put("existing", "1").has_value());
    auto watcher = bucket->Watch();
    ASSERT_TRUE(watcher.has_value()) << watcher.error().ToString();
    auto initial = watcher->Next(2s);
    ASSERT_TRUE(initial.has_value() && initial->has_value());
    EXPECT_EQ((*initial)->key, "existing");
    ASSERT_TRUE(bucket->Put("arrived", "client").has_value());
    ASSERT_TRUE(bucket->Delete("arrived").has_value());
    auto put = watcher->Next(2s);
    ASSERT_TRUE(put.has_value() && put->has_value());
    EXPECT_TRUE(watcher->CaughtUp());
    EXPECT_EQ((*put)->key, "arrived");
    EXPECT_EQ((*put)->operation, KeyOperation::kPut);
    auto deleted = watcher->Next(2s);
    ASSERT_TRUE(deleted.has_value() && deleted->has_value());
    EXPECT_EQ((*deleted)->operation, KeyOperation::kDelete);
    auto quiet = watcher->Next(50ms);
    ASSERT_TRUE(quiet.has_value());
    EXPECT_FALSE(quiet->has_value());
}

TEST_F(BusKeyValue, InvalidConfigIsRefusedBeforeTheServer) {
    auto bucket = connection_->KeyValueBucket({.bucket = "gapkit_kv_bad", .history = 0});
    ASSERT_FALSE(bucket.has_value());
    EXPECT_EQ(bucket.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gapkit::bus
