// gapctl sessions, servers and reconcile against the real local stack: a bot plays through the
// matchmaker, an orphan is made straight at the simulator (no bus record), and every figure is
// checked against what the simulator itself holds.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <fmt/core.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "operate_test_support.hpp"

namespace gapkit::operate {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kBotSeconds = 240;  // Longer than the whole suite: the bot stays on its server.

template <typename Predicate>
bool WaitUntil(Predicate done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(500ms);
    }
    return true;
}

// GAPKIT_OPERATE_SHOW=1 prints each table run, for docs/operate.md's examples.
void Show(const std::vector<std::string>& args, const testing::ProcessResult& result) {
    if (std::getenv("GAPKIT_OPERATE_SHOW") == nullptr) return;
    std::string command = "gapctl";
    for (const auto& arg : args) command += " " + arg;
    std::printf("$ %s\n%s%s\n", command.c_str(), result.stdout_text.c_str(), result.stderr_text.c_str());
}

const json::object* RowOf(const json::value& output, const char* list, const char* key, const std::string& id) {
    if (!output.is_object() || !output.as_object().contains(list)) return nullptr;
    for (const auto& row : output.at(list).as_array()) {
        if (row.at(key).as_string() == id) return &row.as_object();
    }
    return nullptr;
}

class SessionsServersTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        chaos::StackOptions options;
        // Only gapctl reconciles here: the matchmaker's own passes would race the checks.
        options.matchmaker_flags = {"--reconcile-interval", "0"};
        auto stack = StartStack(options);
        ASSERT_TRUE(stack) << stack.error().ToString();
        stack_ = std::move(*stack);
        auto bot = testing::ChildProcess::Spawn({Program("spaceships-bot"), "--matchmaker", stack_->MatchmakerUrl(),
                                                 "--bots", "1", "--seconds", std::to_string(kBotSeconds)},
                                                stack_->dir() / "logs/bot.log");
        ASSERT_TRUE(bot) << bot.error().ToString();
        bot_ = std::make_unique<testing::ChildProcess>(std::move(*bot));
        // The bot is on its server once the bus holds its active connection.
        ASSERT_TRUE(WaitUntil([] { return !BotSession().empty(); }, 90s)) << "the bot never connected";
    }

    static void TearDownTestSuite() {
        if (bot_) bot_->Stop();
        bot_.reset();
        stack_.reset();
    }

    static json::value Json(const std::string& user, std::vector<std::string> args) {
        args.push_back("--json");
        auto result = RunGapctl(*stack_, user, args);
        EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
        return ParseJson(result);
    }

    // The bot's session: the one claimed session of spaceships 1.
    static std::string BotSession() {
        auto result = RunGapctl(*stack_, "operator", {"sessions", "--state", "claimed", "--json"});
        boost::system::error_code error;
        auto output = json::parse(result.stdout_text, error);
        if (error || result.exit_code != 0) return {};
        const auto& sessions = output.at("sessions").as_array();
        return sessions.empty() ? std::string() : std::string(sessions[0].at("session_id").as_string());
    }

    static std::uint16_t SimPort() {
        const std::string url = stack_->EdgegapEnv().at("EDGEGAP_BASE_URL").value_or("");
        return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
    }

    // A session made at the simulator behind the matchmaker's back, on the bot's deployment.
    static std::string MakeOrphan(const std::string& deployment) {
        const std::string body = fmt::format(
            R"({{"app_name":"spaceships","version_name":"1","ip_list":["198.51.100.9"],"deployment_request_id":"{}"}})",
            deployment);
        auto answer = chaos::HttpCall(SimPort(), "POST", "/v1/session", body, "token devkey");
        EXPECT_TRUE(answer && answer->status == 200) << (answer ? answer->body : answer.error().ToString());
        if (!answer || answer->status != 200) return {};
        return std::string(json::parse(answer->body).at("session_id").as_string());
    }

    static unsigned SimStatusOf(const std::string& session_id) {
        auto answer = chaos::HttpCall(SimPort(), "GET", "/v1/session/" + session_id, "", "token devkey");
        return answer ? answer->status : 0;
    }

    static inline std::unique_ptr<chaos::LocalStack> stack_;
    static inline std::unique_ptr<testing::ChildProcess> bot_;
};

TEST_F(SessionsServersTest, ServersListTheBotsDeploymentWithOnePlayerAndItsCertDigest) {
    const std::string session = BotSession();
    ASSERT_FALSE(session.empty());
    const auto sessions = Json("operator", {"sessions"});
    const auto* row = RowOf(sessions, "sessions", "session_id", session);
    ASSERT_NE(row, nullptr);
    const std::string deployment(row->at("deployment").as_string());
    ASSERT_FALSE(deployment.empty());

    const auto servers = Json("operator", {"servers"});
    const auto* server = RowOf(servers, "servers", "request_id", deployment);
    ASSERT_NE(server, nullptr) << json::serialize(servers);
    EXPECT_EQ(server->at("players").as_array().size(), 1u) << json::serialize(*server);
    EXPECT_EQ(server->at("players").at(0).as_string(), session);
    const std::string digest(server->at("cert_digest").as_string());
    EXPECT_EQ(digest.size(), 95u) << json::serialize(*server);  // SHA-256 as "e8:5b:...".
    EXPECT_EQ(server->at("app").as_string(), "spaceships");
    EXPECT_TRUE(server->at("in_use").as_bool());
    EXPECT_TRUE(server->at("empty_ttl_left_seconds").is_null());

    auto table = RunGapctl(*stack_, "operator", {"servers"});
    Show({"servers"}, table);
    Show({"sessions"}, RunGapctl(*stack_, "operator", {"sessions"}));
    Show({"sessions", "--json"}, RunGapctl(*stack_, "operator", {"sessions", "--json"}));
    Show({"servers", "--json"}, RunGapctl(*stack_, "operator", {"servers", "--json"}));
    EXPECT_EQ(table.exit_code, 0) << table.stderr_text;
    EXPECT_NE(table.stdout_text.find(deployment), std::string::npos) << table.stdout_text;
    std::string short_digest = digest.substr(0, 23);  // The table's first 16 hex digits.
    std::erase(short_digest, ':');
    EXPECT_NE(table.stdout_text.find(short_digest), std::string::npos) << table.stdout_text;
}

TEST_F(SessionsServersTest, SessionsShowTheBotsSessionClaimedWithItsBusState) {
    const std::string session = BotSession();
    ASSERT_FALSE(session.empty());
    const auto output = Json("operator", {"sessions"});
    const auto* row = RowOf(output, "sessions", "session_id", session);
    ASSERT_NE(row, nullptr) << json::serialize(output);
    EXPECT_EQ(row->at("state").as_string(), "claimed");
    EXPECT_EQ(row->at("app").as_string(), "spaceships/1");
    EXPECT_FALSE(row->at("client_id").as_string().empty());
    EXPECT_FALSE(row->at("player_ips").as_array().empty()) << json::serialize(*row);
    EXPECT_TRUE(row->at("bus").at("unclaimed_since").is_null());
    EXPECT_TRUE(row->at("bus").at("seen_at").is_int64() || row->at("bus").at("seen_at").is_uint64());
    EXPECT_TRUE(output.at("delete_queue").is_number()) << json::serialize(output);
}

TEST_F(SessionsServersTest, ReconcileReportsAnOrphanOnDryRunAndDeletesItOtherwise) {
    const std::string bot_session = BotSession();
    ASSERT_FALSE(bot_session.empty());
    const auto before = Json("operator", {"sessions"});
    const auto* bot_row = RowOf(before, "sessions", "session_id", bot_session);
    ASSERT_NE(bot_row, nullptr);
    const std::string orphan = MakeOrphan(std::string(bot_row->at("deployment").as_string()));
    ASSERT_FALSE(orphan.empty());

    const auto listed = Json("operator", {"sessions", "--state", "orphaned"});
    ASSERT_NE(RowOf(listed, "sessions", "session_id", orphan), nullptr) << json::serialize(listed);

    // The default grace (120 s) protects the fresh orphan; a grace of 0 does not.
    const auto graced = Json("matchmaker", {"reconcile", "--dry-run"});
    EXPECT_EQ(RowOf(graced, "actions", "session_id", orphan), nullptr) << json::serialize(graced);
    const auto dry = Json("matchmaker", {"reconcile", "--dry-run", "--reconcile-grace", "0"});
    const auto* would = RowOf(dry, "actions", "session_id", orphan);
    ASSERT_NE(would, nullptr) << json::serialize(dry);
    EXPECT_EQ(would->at("action").as_string(), "would_delete_orphan");
    EXPECT_EQ(dry.at("orphans").as_int64(), 1);
    EXPECT_EQ(SimStatusOf(orphan), 200u);  // The simulator still has it.

    Show({"reconcile", "--dry-run", "--reconcile-grace", "0"},
         RunGapctl(*stack_, "matchmaker", {"reconcile", "--dry-run", "--reconcile-grace", "0"}));
    Show({"sessions", "--state", "orphaned"}, RunGapctl(*stack_, "operator", {"sessions", "--state", "orphaned"}));
    const std::vector<std::string> run = {"reconcile", "--reconcile-grace", "0", "--json"};
    const auto ran = RunGapctl(*stack_, "matchmaker", run);
    Show(run, ran);
    EXPECT_EQ(ran.exit_code, 0) << ran.stderr_text;
    const auto pass = ParseJson(ran);
    const auto* deleted = RowOf(pass, "actions", "session_id", orphan);
    ASSERT_NE(deleted, nullptr) << json::serialize(pass);
    EXPECT_EQ(deleted->at("action").as_string(), "delete_orphan");
    EXPECT_EQ(pass.at("actions").as_array().size(), 1u) << json::serialize(pass);
    // The matchmaker's delete worker carries the delete out; the simulator's own state counts.
    EXPECT_TRUE(WaitUntil([&] { return SimStatusOf(orphan) == 404u; }, 20s));
    auto sim = stack_->sim().State();
    ASSERT_TRUE(sim) << sim.error().ToString();
    EXPECT_EQ(sim->sessions, 1);  // The bot's.
    EXPECT_EQ(SimStatusOf(bot_session), 200u);
    EXPECT_EQ(BotSession(), bot_session);
}

TEST_F(SessionsServersTest, ReconcileRefusesTheOperatorsReadOnlyUser) {
    auto result = RunGapctl(*stack_, "operator", {"reconcile", "--dry-run"});
    EXPECT_EQ(result.exit_code, 1) << result.stdout_text;
    EXPECT_TRUE(result.stdout_text.empty());
    EXPECT_NE(result.stderr_text.find("NATS_USER=matchmaker"), std::string::npos) << result.stderr_text;
}

TEST_F(SessionsServersTest, SessionsAskWhichAppVersionWithoutOne) {
    auto result = RunGapctl(*stack_, "operator", {"sessions"}, {{"GAPKIT_MM_APP_NAME", std::nullopt}});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.stderr_text.find("--all-apps"), std::string::npos) << result.stderr_text;
}

}  // namespace
}  // namespace gapkit::operate
