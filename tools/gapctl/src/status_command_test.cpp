#include "status_command.hpp"

#include <gtest/gtest.h>

namespace gapkit::cli {
namespace {

using namespace std::chrono_literals;

bus::BucketEntry Beat(std::string key, std::string value, std::chrono::system_clock::time_point at) {
    return bus::BucketEntry{std::move(key), std::move(value), 1, at};
}

TEST(StatusMatchmakers, FailsWhenNoneIsAlive) {
    const auto row = MatchmakersRow({}, std::chrono::system_clock::now());
    EXPECT_EQ(row.state, CheckState::kFail);
    EXPECT_NE(row.detail.find("none alive"), std::string::npos);
    EXPECT_EQ(row.extra.at("alive").as_uint64(), 0u);
}

TEST(StatusMatchmakers, NamesEachWithItsAppAndBeatAge) {
    const auto now = std::chrono::system_clock::now();
    const auto row =
        MatchmakersRow({Beat("mm-1", R"({"id":"mm-1","app":"spaceships","version":"1","host":"h","pid":7})", now - 3s),
                        Beat("odd-key", "not json", now)},
                       now);
    EXPECT_EQ(row.state, CheckState::kOk);
    EXPECT_NE(row.detail.find("2 alive"), std::string::npos) << row.detail;
    EXPECT_NE(row.detail.find("mm-1 spaceships/1 beat 3s ago"), std::string::npos) << row.detail;
    EXPECT_NE(row.detail.find("odd-key"), std::string::npos) << row.detail;
    const auto& first = row.extra.at("matchmakers").as_array().at(0).as_object();
    EXPECT_EQ(first.at("app").as_string(), "spaceships");
    EXPECT_EQ(first.at("beat_age_seconds").as_int64(), 3);
}

TEST(StatusHttpd, ReadyzTargetTakesHostPortAndPrefix) {
    auto plain = ReadyzTarget("http://127.0.0.1:3000");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->host, "127.0.0.1");
    EXPECT_EQ(plain->port, "3000");
    EXPECT_EQ(plain->path, "/readyz");
    auto prefixed = ReadyzTarget("http://[::1]/mm/");
    ASSERT_TRUE(prefixed);
    EXPECT_EQ(prefixed->host, "::1");
    EXPECT_EQ(prefixed->port, "80");
    EXPECT_EQ(prefixed->path, "/mm/readyz");
    EXPECT_FALSE(ReadyzTarget("https://example.com"));
    EXPECT_FALSE(ReadyzTarget("http://host:port"));
    EXPECT_FALSE(ReadyzTarget("http://"));
}

TEST(StatusOutput, TableAndJsonHaveOneRowPerCheck) {
    CheckRow nats{"nats", CheckState::kOk, "tls://127.0.0.1:4222", {}};
    nats.extra["url"] = "tls://127.0.0.1:4222";
    const auto output = StatusOutput({nats, CheckRow{"edgegap", CheckState::kWarn, "no key", {}}});
    EXPECT_NE(output.text.find("CHECK"), std::string::npos);
    EXPECT_NE(output.text.find("edgegap  warn   no key"), std::string::npos) << output.text;
    const auto& rows = output.json.as_array();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("state").as_string(), "ok");
    EXPECT_EQ(rows[0].at("url").as_string(), "tls://127.0.0.1:4222");
    EXPECT_EQ(rows[1].at("check").as_string(), "edgegap");
}

}  // namespace
}  // namespace gapkit::cli
