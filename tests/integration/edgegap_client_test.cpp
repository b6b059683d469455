// The Edgegap client against edgegap-sim over real HTTP on loopback: every call, every error
// category, retries with Retry-After, the client-side rate limiter and timeouts.
//
// The simulator runs in-process. Its deployments are `/bin/sh` processes that dump their
// environment to a file (so the test learns the injected ARBITRIUM_* context and self-stop URLs
// the way a game server would) and then sleep until stopped.

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/edgegap/http_client.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap {
namespace {

using namespace std::chrono_literals;
namespace sim = gapkit::edgegap_sim;

constexpr const char* kApp = "envdump";
constexpr const char* kVersion = "1";
constexpr auto kReadyDeadline = 15s;

class EdgegapClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char dir_template[] = "/tmp/gapkit-edgegap-it-XXXXXX";
        ASSERT_NE(::mkdtemp(dir_template), nullptr);
        env_dir_ = dir_template;
        auto started = sim::Simulator::Start(SimulatorConfig());
        ASSERT_TRUE(started.has_value()) << started.error().ToString();
        sim_ = std::move(*started);
        common::SetLogSink([this](common::LogLevel, std::string_view component, std::string_view message) {
            if (component != "edgegap" || message.find("; attempt ") == std::string_view::npos) return;
            std::lock_guard lock(log_mutex_);
            retry_lines_.emplace_back(message);
        });
    }

    void TearDown() override {
        common::SetLogSink({});
        if (sim_) sim_->Stop();
        std::error_code ignored;
        std::filesystem::remove_all(env_dir_, ignored);
    }

    // Restarts the simulator with longer starting states, for tests that act while a deployment starts.
    void RestartWithSlowStarts() {
        sim_->Stop();
        auto config = SimulatorConfig();
        config.delays = {1500ms, 500ms};
        auto started = sim::Simulator::Start(std::move(config));
        ASSERT_TRUE(started.has_value()) << started.error().ToString();
        sim_ = std::move(*started);
    }

    sim::SimulatorConfig SimulatorConfig() const {
        sim::VersionConfig version;
        version.name = kVersion;
        version.command = "/bin/sh";
        version.arguments = fmt::format("-c 'env > {}/$ARBITRIUM_REQUEST_ID.env; exec sleep 120'", env_dir_.string());
        version.ports = {sim::PortConfig{"gameport", 7777, "UDP", false}};
        version.session.kind = sim::SessionKind::kSeat;
        version.session.sockets = 4;
        version.termination_grace_period = 1s;
        sim::SimulatorConfig config;
        config.apps = {sim::AppConfig{kApp, {version}}};
        config.delays = {50ms, 50ms};
        config.rate_limits.status_per_second = 10;
        config.rate_limits.context_per_second = 10;
        config.log_dir = env_dir_ / "logs";
        return config;
    }

    ClientConfig Config() const {
        ClientConfig config;
        config.base_url = sim_->base_url();
        config.api_key = "token devkey";
        config.request_timeout = 3s;
        config.retry.backoff_base = 20ms;
        config.retry.backoff_cap = 100ms;
        config.jitter_seed = 7;
        return config;
    }

    static std::unique_ptr<BlockingEdgegapClient> Client(ClientConfig config) {
        auto client = BlockingEdgegapClient::Create(std::move(config));
        EXPECT_TRUE(client.has_value()) << client.error().ToString();
        return client ? std::move(*client) : nullptr;
    }

    std::size_t RetryCount() {
        std::lock_guard lock(log_mutex_);
        return retry_lines_.size();
    }

    // Deploys and waits for READY.
    static DeploymentStatus DeployReady(BlockingEdgegapClient& client) {
        DeployRequest request{kApp, kVersion, {"1.2.3.4"}};
        auto created = client.Deploy(request);
        EXPECT_TRUE(created.has_value()) << created.error().ToString();
        if (!created) return {};
        return WaitForState(client, created->request_id, DeploymentState::kReady);
    }

    static DeploymentStatus WaitForState(BlockingEdgegapClient& client, const std::string& request_id,
                                         DeploymentState wanted) {
        return WaitUntil(client, request_id, ToString(wanted),
                         [wanted](const DeploymentStatus& status) { return status.state == wanted; });
    }

    // Polls the deployment's status until `done` holds or the deadline passes; returns the last status.
    template <typename Done>
    static DeploymentStatus WaitUntil(BlockingEdgegapClient& client, const std::string& request_id,
                                      std::string_view what, Done done) {
        const auto deadline = std::chrono::steady_clock::now() + kReadyDeadline;
        DeploymentStatus last;
        while (std::chrono::steady_clock::now() < deadline) {
            auto status = client.GetDeploymentStatus(request_id);
            EXPECT_TRUE(status.has_value()) << status.error().ToString();
            if (!status) return last;
            last = *status;
            if (done(last)) return last;
            std::this_thread::sleep_for(50ms);
        }
        ADD_FAILURE() << request_id << " never reached " << what << "; last " << last.current_status;
        return last;
    }

    // The environment the simulator gave a deployment's process.
    std::map<std::string, std::string> DeploymentEnv(const std::string& request_id) const {
        std::map<std::string, std::string> env;
        std::ifstream in(env_dir_ / (request_id + ".env"));
        for (std::string line; std::getline(in, line);) {
            const auto equals = line.find('=');
            if (equals != std::string::npos) env[line.substr(0, equals)] = line.substr(equals + 1);
        }
        return env;
    }

    // Clears the faults from another thread after `delay`, while a blocking call is retrying.
    std::jthread ClearFaultsAfter(std::chrono::milliseconds delay) {
        return std::jthread([this, delay] {
            std::this_thread::sleep_for(delay);
            sim_->SetFaults({});
        });
    }

    std::filesystem::path env_dir_;
    std::unique_ptr<sim::Simulator> sim_;
    std::mutex log_mutex_;
    std::vector<std::string> retry_lines_;
};

TEST_F(EdgegapClientTest, SessionLifecycle) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    SessionRequest request{kApp, kVersion, {"1.2.3.4"}, std::nullopt, std::nullopt};
    auto created = client->CreateSession(request);
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    EXPECT_FALSE(created->session_id.empty());

    const auto deadline = std::chrono::steady_clock::now() + kReadyDeadline;
    ApiResult<Session> session = client->GetSession(created->session_id);
    while (session && !session->ready && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
        session = client->GetSession(created->session_id);
    }
    ASSERT_TRUE(session.has_value()) << session.error().ToString();
    ASSERT_TRUE(session->ready);
    EXPECT_EQ(session->state, SessionState::kReady);
    EXPECT_EQ(session->kind_value, SessionKind::kSeat);
    ASSERT_TRUE(session->deployment.has_value());
    EXPECT_EQ(session->deployment->public_ip, "127.0.0.1");
    ASSERT_EQ(session->deployment->ports.count("gameport"), 1u);
    EXPECT_GT(session->deployment->ports.at("gameport").external, 0);

    auto second = client->CreateSession(request);
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    auto listed = client->ListSessions({1, 1});
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->total_count, 2);
    EXPECT_TRUE(listed->has_next);
    auto last_page = client->ListSessions({2, 1});
    ASSERT_TRUE(last_page.has_value()) << last_page.error().ToString();
    ASSERT_EQ(last_page->items.size(), 1u);
    EXPECT_FALSE(last_page->has_next);
    EXPECT_NE(last_page->items[0].session_id, listed->items[0].session_id);

    auto deleted = client->DeleteSession(created->session_id);
    ASSERT_TRUE(deleted.has_value()) << deleted.error().ToString();
    EXPECT_EQ(deleted->outcome, StopOutcome::kStopped);
    auto deleted_again = client->DeleteSession(created->session_id);
    ASSERT_TRUE(deleted_again.has_value()) << deleted_again.error().ToString();
    EXPECT_EQ(deleted_again->outcome, StopOutcome::kAlreadyGone);

    auto gone = client->GetSession(created->session_id);
    ASSERT_FALSE(gone.has_value());
    EXPECT_EQ(gone.error().category, ApiErrorCategory::kNotFound);
    EXPECT_EQ(gone.error().http_status, 404);
}

TEST_F(EdgegapClientTest, DeploymentLifecycle) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    const DeploymentStatus ready = DeployReady(*client);
    ASSERT_EQ(ready.state, DeploymentState::kReady);
    EXPECT_TRUE(ready.running);
    EXPECT_EQ(ready.public_ip, "127.0.0.1");
    EXPECT_EQ(ready.ports.count("gameport"), 1u);
    ASSERT_TRUE(ready.location.has_value());
    EXPECT_FALSE(ready.location->city.empty());

    auto listed = client->ListDeployments({});
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->items[0].request_id, ready.request_id);

    auto stopped = client->StopDeployment(ready.request_id);
    ASSERT_TRUE(stopped.has_value()) << stopped.error().ToString();
    EXPECT_EQ(stopped->outcome, StopOutcome::kStopped);
    WaitForState(*client, ready.request_id, DeploymentState::kTerminated);
    auto stopped_again = client->StopDeployment(ready.request_id);
    ASSERT_TRUE(stopped_again.has_value()) << stopped_again.error().ToString();
    EXPECT_EQ(stopped_again->outcome, StopOutcome::kAlreadyGone);
}

TEST_F(EdgegapClientTest, StopWhileStartingIsDeferred) {
    RestartWithSlowStarts();
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    auto created = client->Deploy(DeployRequest{kApp, kVersion, {"1.2.3.4"}});
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    auto starting = client->GetDeploymentStatus(created->request_id);
    ASSERT_TRUE(starting.has_value()) << starting.error().ToString();
    EXPECT_NE(starting->state, DeploymentState::kReady);
    EXPECT_FALSE(starting->running);
    auto stopped = client->StopDeployment(created->request_id);
    ASSERT_TRUE(stopped.has_value()) << stopped.error().ToString();
    EXPECT_EQ(stopped->outcome, StopOutcome::kDeferred);
    EXPECT_EQ(stopped->http_status, 202);
    WaitForState(*client, created->request_id, DeploymentState::kTerminated);
}

TEST_F(EdgegapClientTest, FailedDeploymentReportsErrorState) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.fail_next_deployments = 1;
    sim_->SetFaults(faults);
    auto created = client->Deploy(DeployRequest{kApp, kVersion, {"1.2.3.4"}});
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    // ERROR is brief: the simulator then stops the process, and the deployment stays flagged.
    const DeploymentStatus failed =
        WaitUntil(*client, created->request_id, "error", [](const DeploymentStatus& status) {
            return status.state == DeploymentState::kError || status.state == DeploymentState::kTerminated;
        });
    EXPECT_TRUE(failed.error);
    EXPECT_FALSE(failed.error_detail.empty());
    EXPECT_FALSE(failed.running);
}

TEST_F(EdgegapClientTest, ContextAndSelfStopFromInjectedEnvironment) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    const DeploymentStatus ready = DeployReady(*client);
    ASSERT_EQ(ready.state, DeploymentState::kReady);
    auto env = DeploymentEnv(ready.request_id);
    ASSERT_FALSE(env["ARBITRIUM_CONTEXT_URL"].empty());
    ASSERT_FALSE(env["ARBITRIUM_DELETE_URL"].empty());

    // The in-container calls carry only their own raw token, not the organization key.
    auto container_client = Client([&] {
        ClientConfig config = Config();
        config.api_key.clear();
        return config;
    }());
    ASSERT_NE(container_client, nullptr);
    const ContainerEndpoint context{env["ARBITRIUM_CONTEXT_URL"], env["ARBITRIUM_CONTEXT_TOKEN"]};
    auto own = container_client->GetContext(context);
    ASSERT_TRUE(own.has_value()) << own.error().ToString();
    EXPECT_EQ(own->request_id, ready.request_id);
    EXPECT_EQ(own->public_ip, "127.0.0.1");
    EXPECT_EQ(own->ports.at("gameport").external, ready.ports.at("gameport").external);

    auto forged = container_client->GetContext({context.url, context.token + "\r\nX-Forged: 1"});
    ASSERT_FALSE(forged.has_value());
    EXPECT_EQ(forged.error().category, ApiErrorCategory::kBadRequest);
    EXPECT_EQ(forged.error().message.find(context.token), std::string::npos);

    auto wrong_token = container_client->GetContext({context.url, "not-the-token"});
    ASSERT_FALSE(wrong_token.has_value());
    EXPECT_EQ(wrong_token.error().category, ApiErrorCategory::kAuth);

    auto stopped = container_client->SelfStop({env["ARBITRIUM_DELETE_URL"], env["ARBITRIUM_DELETE_TOKEN"]});
    ASSERT_TRUE(stopped.has_value()) << stopped.error().ToString();
    EXPECT_NE(stopped->outcome, StopOutcome::kAlreadyGone);
    WaitForState(*client, ready.request_id, DeploymentState::kTerminated);
}

TEST_F(EdgegapClientTest, AppVersionGetAndPatchArguments) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    auto version = client->GetAppVersion(kApp, kVersion);
    ASSERT_TRUE(version.has_value()) << version.error().ToString();
    EXPECT_EQ(version->name, kVersion);
    ASSERT_TRUE(version->arguments.has_value());
    EXPECT_NE(version->arguments->find("env >"), std::string::npos);

    AppVersionPatch patch;
    patch.arguments = "-c 'exec sleep 30' --ca_contents '-----BEGIN CERTIFICATE-----'";
    auto patched = client->PatchAppVersion(kApp, kVersion, patch);
    ASSERT_TRUE(patched.has_value()) << patched.error().ToString();
    EXPECT_EQ(patched->arguments, patch.arguments);
    EXPECT_EQ(client->GetAppVersion(kApp, kVersion)->arguments, patch.arguments);

    auto missing = client->GetAppVersion(kApp, "no-such-version");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().category, ApiErrorCategory::kNotFound);
    EXPECT_FALSE(missing.error().message.empty());
}

TEST_F(EdgegapClientTest, WrongKeyIsAnAuthError) {
    for (const char* key : {"token wrong", "wrong", ""}) {
        ClientConfig config = Config();
        config.api_key = key;
        auto client = Client(config);
        ASSERT_NE(client, nullptr);
        auto listed = client->ListDeployments({});
        ASSERT_FALSE(listed.has_value()) << key;
        EXPECT_EQ(listed.error().category, ApiErrorCategory::kAuth) << key;
        EXPECT_EQ(listed.error().http_status, 401);
        EXPECT_EQ(listed.error().message.find("devkey"), std::string::npos);
    }
    // The key is accepted with or without its "token " prefix.
    ClientConfig raw = Config();
    raw.api_key = "devkey";
    EXPECT_TRUE(Client(raw)->ListDeployments({}).has_value());
}

TEST_F(EdgegapClientTest, RefusedRequestsCarryEdgegapsMessage) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    auto unknown_app = client->Deploy(DeployRequest{"no-such-app", kVersion, {"1.2.3.4"}});
    ASSERT_FALSE(unknown_app.has_value());
    EXPECT_TRUE(unknown_app.error().category == ApiErrorCategory::kNotFound ||
                unknown_app.error().category == ApiErrorCategory::kBadRequest)
        << unknown_app.error().ToString();
    EXPECT_FALSE(unknown_app.error().message.empty());
    auto unknown_status = client->GetDeploymentStatus("000000000000");
    ASSERT_FALSE(unknown_status.has_value());
    EXPECT_EQ(unknown_status.error().category, ApiErrorCategory::kBadRequest);  // Edgegap's live API says 400.
    auto empty_id = client->GetSession("");
    ASSERT_FALSE(empty_id.has_value());
    EXPECT_EQ(empty_id.error().http_status, 0);
}

TEST_F(EdgegapClientTest, RateLimitIsRetriedAfterRetryAfter) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.rate_limit_next_requests = 1;
    faults.retry_after_seconds = 1;
    sim_->SetFaults(faults);
    const auto start = std::chrono::steady_clock::now();
    auto listed = client->ListDeployments({});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    EXPECT_EQ(RetryCount(), 1u);
    EXPECT_GE(elapsed, 1s);  // Waited for Retry-After, not just the 20 ms back-off.
}

TEST_F(EdgegapClientTest, ExhaustedRateLimitRetriesReportRateLimited) {
    ClientConfig config = Config();
    config.retry.max_attempts = 3;
    auto client = Client(config);
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.rate_limit_next_requests = 10;
    faults.retry_after_seconds = 0;
    sim_->SetFaults(faults);
    auto listed = client->ListDeployments({});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().category, ApiErrorCategory::kRateLimited);
    EXPECT_EQ(listed.error().http_status, 429);
    EXPECT_EQ(RetryCount(), 2u);
}

TEST_F(EdgegapClientTest, ServerErrorsAreRetriedUntilTheyStop) {
    ClientConfig config = Config();
    config.retry.max_attempts = 100;
    auto client = Client(config);
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.server_error_fraction = 1.0;
    sim_->SetFaults(faults);
    auto clearer = ClearFaultsAfter(300ms);
    auto listed = client->ListDeployments({});
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    EXPECT_GE(RetryCount(), 2u);
}

TEST_F(EdgegapClientTest, ExhaustedServerErrorsReportServerError) {
    ClientConfig config = Config();
    config.retry.max_attempts = 3;
    auto client = Client(config);
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.server_error_fraction = 1.0;
    sim_->SetFaults(faults);
    auto listed = client->ListSessions({});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().category, ApiErrorCategory::kServerError);
    EXPECT_GE(listed.error().http_status, 500);
    EXPECT_FALSE(listed.error().message.empty());
    EXPECT_EQ(RetryCount(), 2u);
}

TEST_F(EdgegapClientTest, CreatingCallsAreNotRetriedOnServerErrors) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.server_error_fraction = 1.0;
    sim_->SetFaults(faults);
    auto created = client->CreateSession(SessionRequest{kApp, kVersion, {"1.2.3.4"}, std::nullopt, std::nullopt});
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(created.error().category, ApiErrorCategory::kServerError);
    EXPECT_EQ(RetryCount(), 0u);
}

TEST_F(EdgegapClientTest, DroppedConnectionsAreNetworkErrors) {
    ClientConfig config = Config();
    config.retry.max_attempts = 2;
    auto client = Client(config);
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.drop_connection_fraction = 1.0;
    sim_->SetFaults(faults);
    auto listed = client->ListDeployments({});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().category, ApiErrorCategory::kNetwork) << listed.error().ToString();
    EXPECT_EQ(listed.error().http_status, 0);
    EXPECT_EQ(RetryCount(), 1u);
}

TEST_F(EdgegapClientTest, NothingListeningIsANetworkError) {
    // A port that was just free: bind it, note it, release it.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const std::uint16_t port = probe.local_endpoint().port();
    probe.close();
    ClientConfig config = Config();
    config.retry.max_attempts = 1;
    config.base_url = fmt::format("http://127.0.0.1:{}", port);
    auto listed = Client(config)->ListDeployments({});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().category, ApiErrorCategory::kNetwork) << listed.error().ToString();
}

TEST_F(EdgegapClientTest, TlsToAPlainHttpServerIsANetworkError) {
    ClientConfig config = Config();
    config.retry.max_attempts = 1;
    config.base_url = fmt::format("https://127.0.0.1:{}", sim_->port());
    auto listed = Client(config)->ListDeployments({});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().category, ApiErrorCategory::kNetwork) << listed.error().ToString();
    EXPECT_NE(listed.error().message.find("TLS"), std::string::npos) << listed.error().message;
}

TEST_F(EdgegapClientTest, MalformedJsonIsABadResponse) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.malformed_json_fraction = 1.0;
    sim_->SetFaults(faults);
    auto version = client->GetAppVersion(kApp, kVersion);
    ASSERT_FALSE(version.has_value());
    EXPECT_EQ(version.error().category, ApiErrorCategory::kBadResponse);
    EXPECT_EQ(version.error().http_status, 200);
    EXPECT_EQ(RetryCount(), 0u);
}

TEST_F(EdgegapClientTest, SlowAnswersTimeOut) {
    ClientConfig config = Config();
    config.request_timeout = 200ms;
    auto client = Client(config);
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.added_latency = 1500ms;
    sim_->SetFaults(faults);
    const auto start = std::chrono::steady_clock::now();
    auto listed = client->ListDeployments({});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().category, ApiErrorCategory::kTimeout) << listed.error().ToString();
    EXPECT_LT(elapsed, 1500ms);  // Gave up at the timeout, did not wait for the answer.
}

// Runs one call of an async client to completion on `io`.
template <typename T>
ApiResult<T> Await(boost::asio::io_context& io, ApiTask<T> task) {
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

TEST_F(EdgegapClientTest, IdempotentCallsShareOneKeptAliveConnection) {
    boost::asio::io_context io;
    auto client = HttpEdgegapClient::Create(io.get_executor(), Config());
    ASSERT_TRUE(client.has_value());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(Await(io, (*client)->ListDeployments({})).has_value());
    EXPECT_EQ((*client)->connections_opened(), 1u);

    ClientConfig no_reuse = Config();
    no_reuse.max_idle_connections_per_host = 0;
    auto fresh = HttpEdgegapClient::Create(io.get_executor(), no_reuse);
    ASSERT_TRUE(fresh.has_value());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Await(io, (*fresh)->ListDeployments({})).has_value());
    EXPECT_EQ((*fresh)->connections_opened(), 3u);
}

TEST_F(EdgegapClientTest, ConnectionClosedByTheServerIsReplacedWithoutARetry) {
    // A simulator that closes connections idle for a second, as real servers do on their own schedule.
    sim_->Stop();
    auto config = SimulatorConfig();
    config.read_timeout = 1s;
    auto restarted = sim::Simulator::Start(std::move(config));
    ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
    sim_ = std::move(*restarted);

    boost::asio::io_context io;
    auto client = HttpEdgegapClient::Create(io.get_executor(), Config());
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(Await(io, (*client)->ListDeployments({})).has_value());
    std::this_thread::sleep_for(1500ms);
    auto listed = Await(io, (*client)->ListDeployments({}));
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    EXPECT_EQ((*client)->connections_opened(), 2u);
    EXPECT_EQ(RetryCount(), 0u);
}

// Fires `count` status calls at once on `client` and returns how many ended in each category
// ("ok" for successes).
std::map<std::string, int> FireStatusCalls(HttpEdgegapClient& client, boost::asio::io_context& io,
                                           const std::string& request_id, int count) {
    std::vector<std::future<ApiResult<DeploymentStatus>>> calls;
    for (int i = 0; i < count; ++i) {
        calls.push_back(boost::asio::co_spawn(io, client.GetDeploymentStatus(request_id), boost::asio::use_future));
    }
    io.restart();
    io.run();
    std::map<std::string, int> outcomes;
    for (auto& call : calls) {
        auto result = call.get();
        ++outcomes[result ? "ok" : std::string(ToString(result.error().category))];
    }
    return outcomes;
}

TEST_F(EdgegapClientTest, RateLimiterKeepsUnderTheServersLimit) {
    auto setup = Client(Config());
    ASSERT_NE(setup, nullptr);
    const DeploymentStatus ready = DeployReady(*setup);
    ASSERT_FALSE(ready.request_id.empty());
    std::this_thread::sleep_for(1100ms);  // Let the simulator's status window (10/s) start afresh.

    // No retries, so a single 429 from the simulator would show up as a failure.
    ClientConfig config = Config();
    config.retry.max_attempts = 1;
    config.rate_limits.status = {8.0, 1.0};  // At most 9 in any second; the simulator allows 10.
    boost::asio::io_context io;
    auto limited = HttpEdgegapClient::Create(io.get_executor(), config);
    ASSERT_TRUE(limited.has_value());
    auto outcomes = FireStatusCalls(**limited, io, ready.request_id, 25);
    EXPECT_EQ(outcomes["ok"], 25) << "rate_limited: " << outcomes["rate_limited"];

    // Control: the same burst without the client-side limit trips the simulator's.
    std::this_thread::sleep_for(1100ms);
    config.rate_limits.status = {10000.0, 10000.0};
    auto unlimited = HttpEdgegapClient::Create(io.get_executor(), config);
    ASSERT_TRUE(unlimited.has_value());
    auto control = FireStatusCalls(**unlimited, io, ready.request_id, 25);
    EXPECT_GT(control["rate_limited"], 0);
}

}  // namespace
}  // namespace gapkit::edgegap
