#include "gapkit/protocol/server_facts.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gapkit::protocol {
namespace {

const std::string kDigest =
    "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89";

TEST(ServerFacts, JoinCarriesFullSixtyFourBitClientIds) {
    const std::uint64_t big = 18446744073709551615ull;
    auto join = ParseJoinFact(SerializeJoinFact({big}));
    ASSERT_TRUE(join) << join.error().ToString();
    EXPECT_EQ(join->client_id, big);
    EXPECT_EQ(ParseJoinFact(R"({"client_id":7,"extra":[1]})")->client_id, 7u);
}

TEST(ServerFacts, LeftAndCertDigestRoundTrip) {
    auto left = ParseLeftFact(SerializeLeftFact({"3b7e0a4c5c3f-S", 42}));
    ASSERT_TRUE(left) << left.error().ToString();
    EXPECT_EQ(left->session_id, "3b7e0a4c5c3f-S");
    EXPECT_EQ(left->client_id, 42u);
    auto digest = ParseCertDigestFact(SerializeCertDigestFact({"2001:db8::1", kDigest}));
    ASSERT_TRUE(digest) << digest.error().ToString();
    EXPECT_EQ(digest->public_ip, "2001:db8::1");
    EXPECT_EQ(digest->digest, kDigest);
}

TEST(ServerFacts, RefusesMalformedFactsNamingTheField) {
    const std::pair<const char*, const char*> cases[] = {
        {"not json", "invalid JSON"},
        {"[1]", "not a JSON object"},
        {R"({})", "'client_id'"},
        {R"({"client_id":0})", "'client_id'"},
        {R"({"client_id":-5})", "'client_id'"},
        {R"({"client_id":1.5})", "'client_id'"},
        {R"({"client_id":"7"})", "'client_id'"},
    };
    for (const auto& [text, expected] : cases) {
        auto join = ParseJoinFact(text);
        ASSERT_FALSE(join) << text;
        EXPECT_NE(join.error().message().find(expected), std::string::npos) << join.error().message();
    }
    for (const char* text : {R"({"session_id":"a.b","client_id":1})", R"({"session_id":"","client_id":1})",
                             R"({"session_id":"s","client_id":0})", R"({"client_id":1})"}) {
        EXPECT_FALSE(ParseLeftFact(text)) << text;
    }
    EXPECT_FALSE(ParseLeftFact(std::string(R"({"client_id":1,"session_id":")") + std::string(65, 'a') + "\"}"));
    EXPECT_FALSE(ParseJoinFact(std::string(R"({"client_id":1,"pad":")") + std::string(2000, 'a') + "\"}"));
}

TEST(ServerFacts, SessionIdsMayBeSharedSessionSeats) {
    EXPECT_TRUE(IsValidSessionId("3b7e0a4c5c3f-S"));
    EXPECT_TRUE(IsValidSessionId("3b7e0a4c5c3f-S/203.0.113.7"));
    EXPECT_TRUE(IsValidSessionId("3b7e0a4c5c3f-S/2001:db8::1"));
    EXPECT_TRUE(IsValidSessionId(std::string(kMaxSessionIdLength, 'a') + "/" + std::string(kMaxSeatIpLength, 'f')));
    const std::vector<std::string> refused = {"/1.2.3.4",
                                              "s/",
                                              "s/1.2.3.4/5",
                                              "s/1.2.3.4 ",
                                              "a.b/1.2.3.4",
                                              "s/fe80::1%eth0",
                                              "s/" + std::string(kMaxSeatIpLength + 1, '1')};
    for (const std::string& text : refused) {
        EXPECT_FALSE(IsValidSessionId(text)) << text;
    }
    auto left = ParseLeftFact(R"({"session_id":"s-1/2001:db8::1","client_id":7})");
    ASSERT_TRUE(left) << left.error().ToString();
    EXPECT_EQ(left->session_id, "s-1/2001:db8::1");
}

TEST(ServerFacts, AliveOfTheLongestIdsChunksUnderTheFactCap) {
    std::vector<AliveEntry> entries;
    for (int i = 0; i < 2 * static_cast<int>(kMaxAliveEntries) + 1; ++i) {
        const std::string seat = std::string(kMaxSessionIdLength, 'a' + i) + "/" + std::string(kMaxSeatIpLength, '9');
        entries.push_back({seat, 18446744073709551615ull});
    }
    const auto facts = ChunkAliveEntries(entries);
    ASSERT_EQ(facts.size(), 3u);
    EXPECT_EQ(facts[2].sessions.size(), 1u);
    for (const AliveFact& fact : facts) {
        const std::string text = SerializeAliveFact(fact);
        EXPECT_LE(text.size(), kMaxFactBytes);
        auto parsed = ParseAliveFact(text);
        ASSERT_TRUE(parsed) << parsed.error().ToString();
        EXPECT_EQ(parsed->sessions.size(), fact.sessions.size());
        EXPECT_EQ(parsed->sessions[0].session_id, fact.sessions[0].session_id);
        EXPECT_EQ(parsed->sessions[0].client_id, fact.sessions[0].client_id);
    }
    EXPECT_TRUE(ChunkAliveEntries({}).empty());
}

TEST(ServerFacts, RefusesMalformedAliveFacts) {
    for (const char* text :
         {R"({})", R"({"sessions":[]})", R"({"sessions":{}})", R"({"sessions":[1]})",
          R"({"sessions":[{"session_id":"a.b","client_id":1}]})", R"({"sessions":[{"session_id":"s","client_id":0}]})",
          R"({"sessions":[{"session_id":"s"}]})"}) {
        EXPECT_FALSE(ParseAliveFact(text)) << text;
    }
    AliveFact nine;
    for (int i = 0; i < 9; ++i) nine.sessions.push_back({"s", 1});
    EXPECT_FALSE(ParseAliveFact(SerializeAliveFact(nine)));
}

TEST(ServerFacts, CertDigestNeedsAnIpAndAWellFormedDigest) {
    EXPECT_FALSE(ParseCertDigestFact(SerializeCertDigestFact({"not-an-ip", kDigest})));
    EXPECT_FALSE(ParseCertDigestFact(SerializeCertDigestFact({"1.2.3.4", "AB" + kDigest.substr(2)})));
    EXPECT_FALSE(ParseCertDigestFact(SerializeCertDigestFact({"1.2.3.4", kDigest.substr(3)})));
    EXPECT_FALSE(ParseCertDigestFact(SerializeCertDigestFact({"1.2.3.4", kDigest + ":00"})));
    EXPECT_FALSE(ParseCertDigestFact(R"({"public_ip":"1.2.3.4"})"));
    EXPECT_TRUE(IsValidCertDigest(kDigest));
}

TEST(ServerFacts, RepliesRoundTripEachOutcome) {
    for (const FactReply& reply : {FactReply{FactReply::Outcome::kAccepted, "abc-S", ""},
                                   FactReply{FactReply::Outcome::kRefused, "", "no session for this client"},
                                   FactReply{FactReply::Outcome::kFailed, "", "bus down"}}) {
        auto parsed = ParseFactReply(SerializeFactReply(reply));
        ASSERT_TRUE(parsed) << parsed.error().ToString();
        EXPECT_EQ(parsed->outcome, reply.outcome);
        EXPECT_EQ(parsed->session_id, reply.session_id);
        EXPECT_EQ(parsed->reason, reply.reason);
    }
    EXPECT_FALSE(ParseFactReply(R"({"outcome":"maybe"})"));
    EXPECT_FALSE(ParseFactReply(R"({"outcome":"accepted","session_id":"a b"})"));
    EXPECT_EQ(
        ParseFactReply(SerializeFactReply({FactReply::Outcome::kRefused, "", std::string(500, 'x')}))->reason.size(),
        200u);
}

}  // namespace
}  // namespace gapkit::protocol
