#include "kv_replies.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gapkit::bus {
namespace {

using common::ErrorCode;

TEST(PubAck, GivesTheSequenceAsTheRevision) {
    auto revision = ParsePubAck(R"( {"stream":"KV_b","seq":7,"duplicate":true,"domain":"d \u00e9"} )", "put b/k");
    ASSERT_TRUE(revision.has_value()) << revision.error().ToString();
    EXPECT_EQ(*revision, 7u);
    auto large = ParsePubAck(R"({"stream":"KV_b","seq":18446744073709551615})", "put b/k");
    ASSERT_TRUE(large.has_value()) << large.error().ToString();
    EXPECT_EQ(*large, 18446744073709551615u);
}

TEST(PubAck, ReportsJetStreamErrorsWithTheirDescription) {
    auto revision = ParsePubAck(
        R"({"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"}})", "put b/k");
    ASSERT_FALSE(revision.has_value());
    EXPECT_EQ(revision.error().code(), ErrorCode::kInternal) << revision.error().ToString();
    EXPECT_NE(revision.error().message().find("put b/k"), std::string::npos) << revision.error().message();
    EXPECT_NE(revision.error().message().find("message size exceeds"), std::string::npos);
    EXPECT_NE(revision.error().message().find("JetStream 400"), std::string::npos) << revision.error().message();
}

TEST(PubAck, OddErrorObjectsAreStillErrors) {
    for (const char* text : {R"({"error":"down"})", R"({"error":{}})", R"({"error":{"description":7}})",
                             R"({"stream":"KV_b","seq":7,"error":{"code":503}})"}) {
        auto revision = ParsePubAck(text, "put b/k");
        ASSERT_FALSE(revision.has_value()) << text;
        EXPECT_NE(revision.error().message().find("put b/k"), std::string::npos) << revision.error().message();
    }
}

TEST(PubAck, MalformedAnswersAreProtocolErrors) {
    for (const char* text : {"",
                             "not json",
                             "{",
                             R"({"stream":"KV_b","seq":7,})",
                             R"({"stream":"KV_b","seq":7} x)",
                             R"({"a":tru})",
                             "{\"a\":\"\x01\"}",
                             R"({"a":"\q"})",
                             R"({"a":"\u12"})",
                             R"({a:1})",
                             R"({"a":1e})",
                             "[1,2]",
                             "7",
                             R"({"stream":"KV_b"})",
                             R"({"seq":3})",
                             R"({"stream":1,"seq":3})",
                             R"({"stream":"KV_b","seq":-1})",
                             R"({"stream":"KV_b","seq":0})",
                             R"({"stream":"KV_b","seq":"7"})",
                             R"({"stream":"KV_b","seq":7.5})",
                             R"({"stream":"KV_b","seq":1e3})",
                             R"({"stream":"KV_b","seq":null})"}) {
        auto revision = ParsePubAck(text, "put b/k");
        ASSERT_FALSE(revision.has_value()) << text;
        EXPECT_EQ(revision.error().code(), ErrorCode::kProtocol) << text;
        EXPECT_NE(revision.error().message().find("put b/k"), std::string::npos) << revision.error().message();
    }
}

TEST(PubAck, RefusesTooDeepOrTooLongAnswersBeforeReadingThem) {
    const auto nested = [](std::size_t depth) {
        return R"({"stream":"KV_b","seq":7,"x":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
    };
    EXPECT_TRUE(ParsePubAck(nested(kMaxPubAckDepth), "put b/k").has_value());
    auto deep = ParsePubAck(nested(kMaxPubAckDepth + 1), "put b/k");
    ASSERT_FALSE(deep.has_value());
    EXPECT_EQ(deep.error().code(), ErrorCode::kProtocol);
    auto very_deep = ParsePubAck(std::string(60000, '['), "put b/k");
    ASSERT_FALSE(very_deep.has_value());
    EXPECT_EQ(very_deep.error().code(), ErrorCode::kProtocol);

    std::string padded = R"({"stream":"KV_b","seq":7})";
    padded.insert(1, kMaxPubAckBytes - padded.size(), ' ');
    EXPECT_TRUE(ParsePubAck(padded, "put b/k").has_value());
    padded.insert(1, " ");
    auto long_answer = ParsePubAck(padded, "put b/k");
    ASSERT_FALSE(long_answer.has_value());
    EXPECT_EQ(long_answer.error().code(), ErrorCode::kProtocol);
    EXPECT_NE(long_answer.error().message().find("limit"), std::string::npos) << long_answer.error().message();
}

TEST(KeyNames, FollowNatsCsRule) {
    for (const char* key : {"session-1", "a.b", "x_y=z/w", "A9"}) EXPECT_TRUE(ValidKey(key)) << key;
    for (const char* key : {"", ".a", "a.", "a..b", "a b", "a*", "a>", "\xc3\xa9"}) EXPECT_FALSE(ValidKey(key)) << key;
}

}  // namespace
}  // namespace gapkit::bus
