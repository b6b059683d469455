// gapctl watch and gapctl status against the local stack (docs/operate.md): the operator watches a
// bot's matchmaking live, and status tells a working deployment from a broken one.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <boost/json/parse.hpp>

#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/wait.hpp"
#include "operate_test_support.hpp"

namespace gapkit::operate {
namespace {

using namespace std::chrono_literals;

// A loopback port nothing listens on (the discard port: never opened by the stack).
constexpr const char* kClosedHttpdUrl = "http://127.0.0.1:9";

std::string ReadText(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// The JSON objects among the lines of a watch log (its log lines go to the same file).
std::vector<boost::json::object> Events(const std::string& log) {
    std::vector<boost::json::object> events;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("{")) continue;
        boost::system::error_code error;
        auto value = boost::json::parse(line, error);
        if (!error && value.is_object()) events.push_back(value.as_object());
    }
    return events;
}

const boost::json::object* Find(const std::vector<boost::json::object>& events, std::string_view kind,
                                std::string_view field = {}, std::string_view value = {}) {
    for (const auto& event : events) {
        if (event.at("kind").as_string() != kind) continue;
        if (field.empty()) return &event;
        const auto* found = event.if_contains(field);
        if (found != nullptr && found->is_string() && found->as_string() == value) return &event;
    }
    return nullptr;
}

testing::EnvOverrides OperatorEnv(const chaos::LocalStack& stack) {
    auto env = stack.NatsEnv("operator");
    for (const auto& [name, value] : stack.EdgegapEnv()) env[name] = value;
    return env;
}

std::map<std::string, boost::json::object> Rows(const boost::json::value& json) {
    std::map<std::string, boost::json::object> rows;
    if (!json.is_array()) return rows;
    for (const auto& row : json.as_array()) rows[std::string(row.at("check").as_string())] = row.as_object();
    return rows;
}

std::string State(std::map<std::string, boost::json::object>& rows, const std::string& check) {
    return rows.count(check) ? std::string(rows[check].at("state").as_string()) : "<missing>";
}

std::string Detail(std::map<std::string, boost::json::object>& rows, const std::string& check) {
    return rows.count(check) ? std::string(rows[check].at("detail").as_string()) : "<missing>";
}

class WatchStatusTest : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        auto stack = StartStack();
        ASSERT_TRUE(stack) << stack.error().ToString();
        stack_ = std::move(*stack);
    }

    std::vector<std::string> StatusArgs() const { return {"status", "--json", "--httpd-url", stack_->HttpdUrl()}; }

    std::unique_ptr<chaos::LocalStack> stack_;
};

TEST_F(WatchStatusTest, WatchShowsABotsMatchmakingLiveWithTheTokenMasked) {
    const auto log = stack_->dir() / "logs/watch.log";
    auto watch = testing::ChildProcess::Spawn({Program("gapctl"), "watch", "--json"}, log, OperatorEnv(*stack_));
    ASSERT_TRUE(watch) << watch.error().ToString();
    ASSERT_TRUE(testing::WaitFor([&] { return ReadText(log).find("watching '>'") != std::string::npos; }, 20s))
        << ReadText(log);

    auto bot = testing::RunProcess({Program("spaceships-bot"), "--matchmaker", stack_->MatchmakerUrl(), "--bots", "1",
                                    "--seconds", "2", "--timeout-seconds", "60"},
                                   {}, 90s);
    ASSERT_TRUE(bot) << bot.error().ToString();
    EXPECT_EQ(bot->exit_code, 0) << bot->stdout_text << bot->stderr_text;
    std::this_thread::sleep_for(1s);  // The bot's leave reaches the watch.
    EXPECT_EQ(watch->Stop(), 0) << "watch exits 0 on SIGTERM";

    const std::string text = ReadText(log);
    const auto events = Events(text);
    const auto* request = Find(events, "request", "game", "spaceships");
    ASSERT_NE(request, nullptr) << text;
    EXPECT_EQ(request->at("version").as_string(), "1");
    EXPECT_TRUE(request->contains("client_ip")) << text;
    const auto* ready = Find(events, "reply", "reply", "SessionReady");
    ASSERT_NE(ready, nullptr) << text;
    EXPECT_EQ(ready->at("token_bytes").as_string(), "2732");
    EXPECT_FALSE(ready->contains("token"));
    EXPECT_EQ(ready->at("game").as_string(), "spaceships") << "replies carry their request's game";
    const std::string session(ready->at("session").as_string());
    EXPECT_NE(Find(events, "kv_put", "session", session), nullptr) << "the session's bus records: " << text;
    EXPECT_NE(Find(events, "join"), nullptr) << text;
    EXPECT_EQ(Find(events, "internal"), nullptr) << "JetStream internals are hidden without --all";
}

TEST_F(WatchStatusTest, WatchStopsAfterCountAndSeesMatchmakerBeats) {
    auto result = RunGapctl(*stack_, "operator", {"watch", "$KV.matchmakers.>", "--json", "--count", "1"}, {}, 30s);
    EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
    const auto events = Events(result.stdout_text);
    ASSERT_EQ(events.size(), 1u) << result.stdout_text;
    EXPECT_EQ(events[0].at("kind").as_string(), "kv_put");
    EXPECT_EQ(events[0].at("bucket").as_string(), "matchmakers");
}

TEST_F(WatchStatusTest, StatusIsOkWithOneMatchmakerAndFailsOnceItDies) {
    auto result = RunGapctl(*stack_, "operator", StatusArgs());
    EXPECT_EQ(result.exit_code, 0) << result.stdout_text << result.stderr_text;
    auto rows = Rows(ParseJson(result));
    for (const char* check : {"nats", "matchmakers", "httpd", "edgegap"}) {
        EXPECT_EQ(State(rows, check), "ok") << check << ": " << Detail(rows, check);
    }
    EXPECT_EQ(rows["matchmakers"].at("alive").to_number<std::uint64_t>(), 1u);
    EXPECT_NE(Detail(rows, "edgegap").find("spaceships version 1 is active"), std::string::npos);

    stack_->KillMatchmaker(0);  // SIGKILL: no clean stop deletes its key; the bucket's TTL must.
    std::string last;
    const bool failed = testing::WaitFor(
        [&] {
            auto again = RunGapctl(*stack_, "operator", StatusArgs());
            auto now = Rows(ParseJson(again));
            last = again.stdout_text;
            return again.exit_code == 1 && State(now, "matchmakers") == "fail" && State(now, "nats") == "ok";
        },
        30s);
    EXPECT_TRUE(failed) << "the dead matchmaker's beat outlives the 15 s TTL: " << last;
}

TEST_F(WatchStatusTest, StatusNamesABrokenHttpdAndARefusedKey) {
    auto result = RunGapctl(*stack_, "operator", {"status", "--json", "--httpd-url", kClosedHttpdUrl},
                            {{"EDGEGAP_API_KEY", "not-the-key"}});
    EXPECT_EQ(result.exit_code, 1) << result.stdout_text << result.stderr_text;
    auto rows = Rows(ParseJson(result));
    EXPECT_EQ(State(rows, "nats"), "ok") << Detail(rows, "nats");
    EXPECT_EQ(State(rows, "httpd"), "fail");
    EXPECT_NE(Detail(rows, "httpd").find("GET http://127.0.0.1:9/readyz: connect"), std::string::npos)
        << Detail(rows, "httpd");
    EXPECT_EQ(State(rows, "edgegap"), "fail");
    EXPECT_NE(Detail(rows, "edgegap").find("key refused"), std::string::npos) << Detail(rows, "edgegap");

    auto no_key = RunGapctl(*stack_, "operator", StatusArgs(), {{"EDGEGAP_API_KEY", std::nullopt}});
    EXPECT_EQ(no_key.exit_code, 0) << "a missing key only warns: " << no_key.stdout_text;
    auto warned = Rows(ParseJson(no_key));
    EXPECT_EQ(State(warned, "edgegap"), "warn");
    EXPECT_NE(Detail(warned, "edgegap").find("EDGEGAP_API_KEY is not set"), std::string::npos);
}

TEST(StatusWithNothingRunning, FailsEveryRowWithinItsBounds) {
    auto result = testing::RunProcess({Program("gapctl"), "status"},
                                      {{"NATS_HOST", "127.0.0.1:9"},
                                       {"NATS_USER", "operator"},
                                       {"NATS_PASSWORD", "x"},
                                       {"NATS_INSECURE", "1"},
                                       {"GAPKIT_HTTPD_URL", kClosedHttpdUrl},
                                       {"EDGEGAP_BASE_URL", "http://127.0.0.1:9"},
                                       {"EDGEGAP_API_KEY", "k"}},
                                      20s);
    ASSERT_TRUE(result) << result.error().ToString();
    EXPECT_FALSE(result->timed_out);
    EXPECT_EQ(result->exit_code, 1);
    for (const char* check : {"nats ", "matchmakers ", "httpd ", "edgegap "}) {
        EXPECT_NE(result->stdout_text.find(check), std::string::npos) << result->stdout_text;
    }
    EXPECT_EQ(result->stdout_text.find(" ok "), std::string::npos) << result->stdout_text;
}

}  // namespace
}  // namespace gapkit::operate
