#include "gapkit/bus/names.hpp"

#include <gtest/gtest.h>

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
}

}  // namespace
}  // namespace gapkit::bus::names
