#include "gapkit/protocol/match_messages.hpp"

#include <gtest/gtest.h>

namespace gapkit::protocol {
namespace {

TEST(MatchRequest, ParsesTheOriginalBrowserTestPayload) {
    auto request = ParseMatchRequest(R"({"client_ip":"81.128.157.123","game":"spaceships","version":"1"})");
    ASSERT_TRUE(request.has_value()) << request.error().ToString();
    EXPECT_EQ(request->game, "spaceships");
    EXPECT_EQ(request->version, "1");
    EXPECT_EQ(request->client_ip, "81.128.157.123");
}

TEST(MatchRequest, ClientIpIsOptionalAndMayBeNullOrV6) {
    EXPECT_FALSE(ParseMatchRequest(R"({"game":"a","version":"b"})")->client_ip.has_value());
    EXPECT_FALSE(ParseMatchRequest(R"({"game":"a","version":"b","client_ip":null})")->client_ip.has_value());
    EXPECT_EQ(ParseMatchRequest(R"({"game":"a","version":"b","client_ip":"2001:db8::1"})")->client_ip, "2001:db8::1");
}

TEST(MatchRequest, TransportIsUdpUnlessTheClientAsksForWebTransport) {
    EXPECT_EQ(ParseMatchRequest(R"({"game":"a","version":"b"})")->transport, Transport::kUdp);
    EXPECT_EQ(ParseMatchRequest(R"({"game":"a","version":"b","transport":null})")->transport, Transport::kUdp);
    EXPECT_EQ(ParseMatchRequest(R"({"game":"a","version":"b","transport":"udp"})")->transport, Transport::kUdp);
    EXPECT_EQ(ParseMatchRequest(R"({"game":"a","version":"b","transport":"webtransport"})")->transport,
              Transport::kWebTransport);
}

TEST(MatchRequest, IgnoresUnknownFields) {
    EXPECT_TRUE(ParseMatchRequest(R"({"game":"a","version":"b","region":"eu","n":[1,2]})").has_value());
}

TEST(MatchRequest, RefusesBadInputWithAReason) {
    const std::pair<const char*, const char*> cases[] = {
        {"not json", "invalid JSON"},
        {"[1,2]", "must be a JSON object"},
        {R"({"version":"1"})", "'game' must be a string"},
        {R"({"game":5,"version":"1"})", "'game' must be a string"},
        {R"({"game":"a.b","version":"1"})", "'game' must be 1 to 30"},
        {R"({"game":"a","version":"*"})", "'version' must be 1 to 30"},
        {R"({"game":"","version":"1"})", "'game' must be 1 to 30"},
        {R"({"game":"0123456789012345678901234567890","version":"1"})", "'game' must be 1 to 30"},
        {R"({"game":"a","version":"1","client_ip":"localhost"})", "not an IP address"},
        {R"({"game":"a","version":"1","client_ip":7})", "string or null"},
        {R"({"game":"a","version":"1","transport":"quic"})", "transport must be"},
        {R"({"game":"a","version":"1","transport":1})", "transport must be"},
        {R"({"game":"a","version":"1","transport":"WebTransport"})", "transport must be"},
    };
    for (const auto& [json, reason] : cases) {
        auto request = ParseMatchRequest(json);
        ASSERT_FALSE(request.has_value()) << json;
        EXPECT_EQ(request.error().code(), common::ErrorCode::kInvalidArgument);
        EXPECT_NE(request.error().message().find(reason), std::string::npos)
            << json << " -> " << request.error().message();
    }
}

TEST(MatchRequest, RefusesOversizedMessageBeforeParsing) {
    std::string big = R"({"game":"a","version":"b","pad":")" + std::string(5000, 'x') + "\"}";
    auto request = ParseMatchRequest(big, 4096);
    ASSERT_FALSE(request.has_value());
    EXPECT_NE(request.error().message().find("limit is 4096"), std::string::npos);
}

TEST(MatchRequest, SerializesForTheBus) {
    EXPECT_EQ(SerializeMatchRequest({"spaceships", "1", std::nullopt}),
              R"({"game":"spaceships","version":"1","client_ip":null})");
    MatchRequest with_ip{"spaceships", "1", "1.2.3.4"};
    EXPECT_EQ(ParseMatchRequest(SerializeMatchRequest(with_ip))->client_ip, "1.2.3.4");
    MatchRequest browser{"spaceships", "1", std::nullopt, Transport::kWebTransport};
    EXPECT_EQ(SerializeMatchRequest(browser),
              R"({"game":"spaceships","version":"1","client_ip":null,"transport":"webtransport"})");
    EXPECT_EQ(ParseMatchRequest(SerializeMatchRequest(browser))->transport, Transport::kWebTransport);
}

TEST(IsValidName, FollowsThePattern) {
    EXPECT_TRUE(IsValidName("Space_Ships-2"));
    EXPECT_FALSE(IsValidName("space ships"));
    EXPECT_FALSE(IsValidName("a>b"));
    EXPECT_FALSE(IsValidName("caf\xc3\xa9"));
}

TEST(MatchReply, SerializesExactlyAsTheRustSystem) {
    EXPECT_EQ(SerializeMatchReply(Acknowledged{}), R"("Acknowledged")");
    EXPECT_EQ(SerializeMatchReply(SessionRequestAccepted{"abc"}), R"({"SessionRequestAccepted":"abc"})");
    EXPECT_EQ(SerializeMatchReply(ProgressReport{"Waiting (1.2s)"}), R"j({"ProgressReport":"Waiting (1.2s)"})j");
    EXPECT_EQ(SerializeMatchReply(SessionReady{"tok", "1.2.3.4", 30004, "ab:cd"}),
              R"({"SessionReady":{"token":"tok","ip":"1.2.3.4","port":30004,"cert_digest":"ab:cd"}})");
    EXPECT_EQ(SerializeMatchReply(MatchError{408, "session still not ready, timed out."}),
              R"({"Error":[408,"session still not ready, timed out."]})");
}

TEST(MatchReply, RoundTripsEveryForm) {
    const MatchReply replies[] = {Acknowledged{}, SessionRequestAccepted{"s"}, ProgressReport{"p"},
                                  SessionReady{"t", "::1", 1, ""}, MatchError{503, "busy"}};
    for (const MatchReply& reply : replies) {
        auto parsed = ParseMatchReply(SerializeMatchReply(reply));
        ASSERT_TRUE(parsed.has_value()) << SerializeMatchReply(reply);
        EXPECT_EQ(parsed->index(), reply.index());
        EXPECT_EQ(SerializeMatchReply(*parsed), SerializeMatchReply(reply));
    }
}

TEST(MatchReply, FinalRepliesEndTheStream) {
    EXPECT_FALSE(IsFinal(Acknowledged{}));
    EXPECT_FALSE(IsFinal(ProgressReport{}));
    EXPECT_TRUE(IsFinal(SessionReady{}));
    EXPECT_TRUE(IsFinal(MatchError{}));
    EXPECT_EQ(ReplyName(MatchError{}), "Error");
}

TEST(MatchReply, RefusesMalformedReplies) {
    for (const char* json :
         {"", "\"Nope\"", "{}", R"({"a":1,"b":2})", R"({"ProgressReport":5})",
          R"({"SessionReady":{"token":"t","ip":"i","port":0}})",
          R"({"SessionReady":{"token":"t","ip":"i","port":70000}})", R"({"SessionReady":{"token":"t","port":1}})",
          R"({"Error":[1]})", R"({"Error":["x","y"]})", R"({"Error":[-1,"y"]})", "[]"}) {
        auto reply = ParseMatchReply(json);
        ASSERT_FALSE(reply.has_value()) << json;
        EXPECT_EQ(reply.error().code(), common::ErrorCode::kProtocol) << json;
    }
}

TEST(MatchReply, MissingCertDigestReadsAsEmpty) {
    auto reply = ParseMatchReply(R"({"SessionReady":{"token":"t","ip":"1.2.3.4","port":6420}})");
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(std::get<SessionReady>(*reply).cert_digest, "");
}

}  // namespace
}  // namespace gapkit::protocol
