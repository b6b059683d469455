#include "gapkit/bus/names.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace gapkit::bus::names {
namespace {

TEST(BusNames, MatchmakerRequestSubjectJoinsGameAndVersion) {
    EXPECT_EQ(*MatchmakerRequestSubject("spaceships", "1"), "matchmaker.request.spaceships.1");
}

TEST(BusNames, SubjectPartsWithSeparatorsOrWildcardsAreRefused) {
    for (const char* bad : {"", "a.b", "a*", ">", "two words", "tab\t"}) {
        EXPECT_FALSE(MatchmakerRequestSubject(bad, "1").has_value()) << bad;
        EXPECT_FALSE(MatchmakerRequestSubject("game", bad).has_value()) << bad;
    }
}

TEST(BusNames, DeleteSessionSubjectMatchesStreamSubjects) {
    EXPECT_EQ(*DeleteSessionSubject("abc123"), "edgegap_delete_session_q.abc123");
    const auto queue = DeleteSessionQueueConfig();
    EXPECT_EQ(queue.stream, "edgegap_delete_session_q");
    ASSERT_EQ(queue.subjects.size(), 1u);
    EXPECT_EQ(queue.subjects[0], "edgegap_delete_session_q.*");
}

TEST(BusNames, GameServerSubjectsCarryTheDeployment) {
    EXPECT_EQ(*GameServerSubject("93924761ccde", kJoinFact), "gameserver.93924761ccde.join");
    EXPECT_EQ(GameServerWildcardSubject(kCertDigestFact), "gameserver.*.cert_digest");
    for (const char* bad : {"", "a.b", "*", ">", "two words"}) {
        EXPECT_FALSE(GameServerSubject(bad, kLeftFact).has_value()) << bad;
    }
}

TEST(BusNames, DeploymentIsReadBackOnlyFromTheExactFactSubject) {
    EXPECT_EQ(*DeploymentOfGameServerSubject("gameserver.93924761ccde.left", kLeftFact), "93924761ccde");
    for (const char* bad :
         {"gameserver.93924761ccde.join", "gameserver..left", "gameserver.left", "gameserver.a.b.left",
          "matchmaker.x.left", "gameserver.x.leftover", "xgameserver.x.left"}) {
        EXPECT_FALSE(DeploymentOfGameServerSubject(bad, kLeftFact).has_value()) << bad;
    }
}

TEST(BusNames, OnlyTheRolesOwnInboxesAreAcceptedAsReplySubjects) {
    EXPECT_TRUE(IsInboxOf("_INBOX_gameserver.abc.1", kGameServerInboxPrefix));
    EXPECT_TRUE(IsInboxOf("_INBOX.abc.1", kGameServerInboxPrefix));
    for (const char* bad :
         {"$JS.API.STREAM.DELETE.KV_active_connections", "$KV.cert_digests.93924761ccde", "edgegap_delete_session_q.s",
          "_INBOX_httpd.abc", "_INBOX_gameserverX.abc", "_INBOX_gameserver.", "_INBOX.", "", "_INBOX"}) {
        EXPECT_FALSE(IsInboxOf(bad, kGameServerInboxPrefix)) << bad;
    }
    EXPECT_TRUE(IsInboxOf("_INBOX_httpd.abc", kHttpdInboxPrefix));
}

TEST(BusNames, BucketSettingsMatchTheOriginalSystem) {
    EXPECT_EQ(SessionsEg2LyConfig().bucket, "sessions_eg2ly");
    EXPECT_EQ(SessionsEg2LyConfig().ttl, std::chrono::seconds(30));
    EXPECT_EQ(SessionsLy2EgConfig().ttl, std::chrono::seconds(30));
    EXPECT_EQ(SessionsLy2EgConfig().max_value_bytes, 1024);
    EXPECT_EQ(ActiveConnectionsConfig().bucket, "active_connections");
    EXPECT_EQ(ActiveConnectionsConfig().ttl.count(), 0);
    EXPECT_EQ(UnclaimedSessionsConfig().max_value_bytes, 1024);
    EXPECT_EQ(CertDigestsConfig().ttl, std::chrono::hours(14 * 24));
    EXPECT_EQ(CertDigestsConfig().bucket, "cert_digests");
    EXPECT_EQ(SessionDeploymentsConfig().bucket, "session_deployments");
    EXPECT_EQ(SessionDeploymentsConfig().ttl, std::chrono::seconds(30));
}

TEST(BusNames, MatchmakerPresenceOutlivesTwoMissedBeats) {
    EXPECT_EQ(MatchmakersConfig().bucket, "matchmakers");
    EXPECT_EQ(MatchmakersConfig().ttl, kMatchmakerPresenceTtl);
    EXPECT_EQ(MatchmakersConfig().history, 1);
    EXPECT_GE(kMatchmakerPresenceTtl, 3 * kMatchmakerBeatInterval);
}

TEST(BusNames, OrdinaryIdsAreTheirOwnToken) {
    EXPECT_EQ(*EncodeIdToken("b9fa0b6c06c3-S"), "b9fa0b6c06c3-S");
    EXPECT_EQ(*DecodeIdToken("b9fa0b6c06c3-S"), "b9fa0b6c06c3-S");
    EXPECT_FALSE(EncodeIdToken(""));
}

TEST(BusNames, AnyIdRoundTripsThroughAKeySafeToken) {
    for (const std::string& id :
         std::vector<std::string>{"a.b", "2001:db8::1", "with space", "x=y", "*>", std::string("\0\xff", 2)}) {
        auto token = EncodeIdToken(id);
        ASSERT_TRUE(token) << id;
        for (char c : *token) {
            EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '=') << *token;
        }
        EXPECT_EQ(DecodeIdToken(*token), id) << *token;
    }
    EXPECT_EQ(*EncodeIdToken("2001:db8::1"), "2001=3Adb8=3A=3A1");
}

TEST(BusNames, TokensThatNoEncodingMakesAreRefused) {
    for (const char* token : {"", "abc.deleting", "=3", "=3a", "=41", "a=ZZ", "a b"}) {
        EXPECT_FALSE(DecodeIdToken(token)) << token;
    }
}

}  // namespace
}  // namespace gapkit::bus::names
