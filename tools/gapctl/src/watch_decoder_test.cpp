#include "watch_decoder.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::cli {
namespace {

bus::Message Msg(std::string subject, std::string data, std::string reply = {}) {
    return bus::Message{std::move(subject), std::move(reply), std::move(data)};
}

std::string Field(const WatchEvent& event, std::string_view name) { return event.Field(name).value_or("<none>"); }

TEST(WatchDecoder, ShowsAMatchmakingRequestWithItsPlayer) {
    const auto event = DecodeWatchMessage(Msg("matchmaker.request.spaceships.1",
                                              R"({"game":"spaceships","version":"1","client_ip":"203.0.113.7"})",
                                              "_INBOX_httpd.abc.1"));
    EXPECT_EQ(event.kind, "request");
    EXPECT_EQ(Field(event, "game"), "spaceships");
    EXPECT_EQ(Field(event, "version"), "1");
    EXPECT_EQ(Field(event, "client_ip"), "203.0.113.7");
    EXPECT_EQ(Field(event, "inbox"), "_INBOX_httpd.abc.1");
}

TEST(WatchDecoder, AMalformedRequestStillNamesItsGameAndTheError) {
    const auto event = DecodeWatchMessage(Msg("matchmaker.request.spaceships.1", "{not json"));
    EXPECT_EQ(event.kind, "request");
    EXPECT_EQ(Field(event, "game"), "spaceships");
    EXPECT_NE(Field(event, "error"), "<none>");
}

TEST(WatchDecoder, MasksTheConnectTokenUnlessAskedToShowIt) {
    const std::string token(2732, 'A');
    const std::string ready = protocol::SerializeMatchReply(
        protocol::SessionReady{.token = token, .ip = "1.2.3.4", .port = 30004, .cert_digest = ""});
    const auto masked = DecodeWatchMessage(Msg("_INBOX_httpd.abc.1", ready));
    EXPECT_EQ(masked.kind, "reply");
    EXPECT_EQ(Field(masked, "reply"), "SessionReady");
    EXPECT_EQ(Field(masked, "token_bytes"), "2732");
    EXPECT_EQ(Field(masked, "token"), "<none>");
    EXPECT_EQ(FormatWatchLine(masked, {}).find("AAAA"), std::string::npos);
    EXPECT_EQ(boost::json::serialize(WatchEventJson(masked, {})).find("AAAA"), std::string::npos);

    const auto shown = DecodeWatchMessage(Msg("_INBOX_httpd.abc.1", ready), {.show_tokens = true});
    EXPECT_EQ(Field(shown, "token"), token);
}

TEST(WatchDecoder, DecodesProgressErrorsAndTheEndOfAStream) {
    EXPECT_EQ(Field(DecodeWatchMessage(Msg("_INBOX_httpd.x.1", R"({"SessionRequestAccepted":"s-1"})")), "session"),
              "s-1");
    const auto error = DecodeWatchMessage(Msg("_INBOX_httpd.x.1", R"({"Error":[503,"busy"]})"));
    EXPECT_EQ(Field(error, "code"), "503");
    EXPECT_EQ(Field(error, "message"), "busy");
    EXPECT_EQ(DecodeWatchMessage(Msg("_INBOX_httpd.x.1", "")).kind, "reply_end");
    bus::Message last = Msg("_INBOX_httpd.x.1", R"({"Error":[503,"busy"]})");
    last.last_part = true;  // The matchmaker's final answer ends its stream (RespondLast).
    EXPECT_EQ(Field(DecodeWatchMessage(last), "last"), "true");
    EXPECT_EQ(Field(error, "last"), "<none>");
}

TEST(WatchDecoder, DecodesEachGameServerFact) {
    const auto join = DecodeWatchMessage(Msg("gameserver.93924761ccde.join", R"({"client_id":42})"));
    EXPECT_EQ(join.kind, "join");
    EXPECT_EQ(Field(join, "deployment"), "93924761ccde");
    EXPECT_EQ(Field(join, "client_id"), "42");
    const auto left = DecodeWatchMessage(Msg("gameserver.d1.left", R"({"session_id":"s-1","client_id":42})"));
    EXPECT_EQ(Field(left, "session"), "s-1");
    const auto alive =
        DecodeWatchMessage(Msg("gameserver.d1.alive", R"({"sessions":[{"session_id":"s-1","client_id":42}]})"));
    EXPECT_EQ(alive.kind, "alive");
    EXPECT_EQ(Field(alive, "session"), "s-1");
    std::string valid_digest = "ab";
    for (int i = 1; i < 32; ++i) valid_digest += ":ab";
    const auto digest =
        DecodeWatchMessage(Msg("gameserver.d1.cert_digest",
                               protocol::SerializeCertDigestFact({.public_ip = "1.2.3.4", .digest = valid_digest})));
    EXPECT_EQ(digest.kind, "cert_digest");
    EXPECT_EQ(Field(digest, "public_ip"), "1.2.3.4");
    EXPECT_EQ(DecodeWatchMessage(Msg("gameserver.d1.context", "{}")).kind, "context");
    EXPECT_EQ(DecodeWatchMessage(Msg("gameserver.d1.bogus", "x")).kind, "gameserver");
    EXPECT_EQ(Field(DecodeWatchMessage(Msg("_INBOX_gameserver.z.1", R"({"outcome":"accepted","session_id":"s-1"})")),
                    "outcome"),
              "accepted");
}

TEST(WatchDecoder, TellsKvPutsFromDeletesAndNamesTheSession) {
    const auto put = DecodeWatchMessage(Msg("$KV.active_connections.s=2E1", "42"));
    EXPECT_EQ(put.kind, "kv_put");
    EXPECT_EQ(Field(put, "bucket"), "active_connections");
    EXPECT_EQ(Field(put, "key"), "s=2E1");
    EXPECT_EQ(Field(put, "session"), "s.1");
    EXPECT_EQ(Field(put, "value"), "42");
    const auto claim = DecodeWatchMessage(Msg("$KV.unclaimed_sessions.s-1.deleting", "1700000000"));
    EXPECT_EQ(Field(claim, "session"), "s-1");
    EXPECT_EQ(Field(claim, "claim"), "deleting");
    const auto deleted = DecodeWatchMessage(Msg("$KV.matchmakers.mm-1", ""));
    EXPECT_EQ(deleted.kind, "kv_delete");
    EXPECT_EQ(Field(deleted, "session"), "<none>");
    EXPECT_EQ(Field(DecodeWatchMessage(Msg("$KV.session_deployments.s-1", "d1")), "deployment"), "d1");
    EXPECT_EQ(Field(DecodeWatchMessage(Msg("$KV.cert_digests.k", std::string("\x01\x02", 2))), "value"), "<2 bytes>");
    EXPECT_EQ(Field(DecodeWatchMessage(Msg("$KV.cert_digests.63e60a542133", "ab:cd")), "deployment"), "63e60a542133");
}

TEST(WatchDecoder, DecodesWebhooksAndQueuedDeletes) {
    const auto webhook = DecodeWatchMessage(
        Msg("matchmaker.webhooks.session", R"({"session_id":"s-1","status":"Status.READY","ready":true})"));
    EXPECT_EQ(webhook.kind, "webhook");
    EXPECT_EQ(Field(webhook, "session"), "s-1");
    const auto queued = DecodeWatchMessage(Msg("edgegap_delete_session_q.s-1", "s-1"));
    EXPECT_EQ(queued.kind, "delete_queued");
    EXPECT_EQ(Field(queued, "session"), "s-1");
}

TEST(WatchDecoder, HidesJetStreamInternalsUnlessAll) {
    bus::Message delivery{"$KV.active_connections.s1-S", "$JS.ACK.KV_active_connections.c.1.2.2.1796546926925029926.0",
                          ""};
    EXPECT_EQ(DecodeWatchMessage(delivery).kind, "internal") << "a consumer's copy of a stored message is no new event";
    const auto internal = DecodeWatchMessage(Msg("$JS.API.STREAM.INFO.KV_x", "{}"));
    EXPECT_EQ(internal.kind, "internal");
    EXPECT_FALSE(Matches(internal, {}));
    EXPECT_TRUE(Matches(internal, {.all = true}));
    EXPECT_FALSE(Matches(DecodeWatchMessage(Msg("_INBOX.abc.1", "{}")), {}));
    const auto other = DecodeWatchMessage(Msg("some.thing", "12345"));
    EXPECT_EQ(other.kind, "other");
    EXPECT_NE(FormatWatchLine(other, {}).find("bytes=5"), std::string::npos);
}

TEST(WatchFilter, MatchesOnDecodedFields) {
    const auto join = DecodeWatchMessage(Msg("gameserver.d1.join", R"({"client_id":42})"));
    EXPECT_TRUE(Matches(join, {.deployment = "d1"}));
    EXPECT_FALSE(Matches(join, {.deployment = "d2"}));
    EXPECT_FALSE(Matches(join, {.game = "spaceships"}));  // A join names no game.
}

TEST(WatchCorrelator, RepliesCarryTheirRequestsGameAndSession) {
    WatchCorrelator correlator;
    auto request = DecodeWatchMessage(
        Msg("matchmaker.request.spaceships.1", R"({"game":"spaceships","version":"1"})", "_INBOX_httpd.a.1"));
    correlator.Annotate(request);
    auto accepted = DecodeWatchMessage(Msg("_INBOX_httpd.a.1", R"({"SessionRequestAccepted":"s-1"})"));
    correlator.Annotate(accepted);
    EXPECT_EQ(Field(accepted, "game"), "spaceships");
    auto progress = DecodeWatchMessage(Msg("_INBOX_httpd.a.1", R"({"ProgressReport":"Waiting"})"));
    correlator.Annotate(progress);
    EXPECT_TRUE(Matches(progress, {.game = "spaceships", .session = "s-1"}));
    auto end = DecodeWatchMessage(Msg("_INBOX_httpd.a.1", ""));
    correlator.Annotate(end);
    EXPECT_EQ(Field(end, "session"), "s-1");
    auto after = DecodeWatchMessage(Msg("_INBOX_httpd.a.1", R"("Acknowledged")"));
    correlator.Annotate(after);
    EXPECT_EQ(Field(after, "game"), "<none>");  // The exchange ended: forgotten.
}

TEST(WatchFormat, EscapesControlCharactersAndCutsLongValues) {
    const auto event = DecodeWatchMessage(Msg("_INBOX_httpd.a.1", "{\"ProgressReport\":\"\\u001b[2Jhi there\"}"));
    const std::string line = FormatWatchLine(event, {});
    EXPECT_EQ(line.find('\x1b'), std::string::npos);
    EXPECT_NE(line.find("text=\"\\x1b[2Jhi there\""), std::string::npos) << line;
    const auto long_value = DecodeWatchMessage(Msg("$KV.matchmakers.k", std::string(1000, 'v')));
    EXPECT_EQ(Field(long_value, "value").size(), kMaxWatchValueChars + 3);
}

TEST(WatchFormat, JsonHasTimeKindSubjectAndFields) {
    const auto event = DecodeWatchMessage(Msg("gameserver.d1.join", R"({"client_id":42})"));
    const auto json = WatchEventJson(event, std::chrono::system_clock::time_point(std::chrono::milliseconds(1500)));
    EXPECT_EQ(json.at("time").as_string(), "1970-01-01T00:00:01.500Z");
    EXPECT_EQ(json.at("kind").as_string(), "join");
    EXPECT_EQ(json.at("deployment").as_string(), "d1");
    EXPECT_EQ(json.at("bytes").as_uint64(), 16u);
}

}  // namespace
}  // namespace gapkit::cli
