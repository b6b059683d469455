// The Edgegap client against edgegap-sim with faults: every error category, retries and
// Retry-After, timeouts, kept-alive connections and the client-side rate limiter.

#include <boost/asio/ip/tcp.hpp>

#include "edgegap_sim_fixture.hpp"

namespace gapkit::edgegap::integration {
namespace {

TEST_F(EdgegapClientTest, WrongKeyIsAnAuthError) {
    for (const char* key : {"token wrong", "wrong", ""}) {
        ClientConfig config = Config();
        config.api_key = key;
        auto client = Client(config);
        ASSERT_NE(client, nullptr);
        auto listed = client->Call(&EdgegapApi::ListDeployments, {});
        ASSERT_FALSE(listed.has_value()) << key;
        EXPECT_EQ(Details(listed.error()).category, ErrorCategory::kAuth) << key;
        EXPECT_EQ(Details(listed.error()).http_status, 401);
        EXPECT_EQ(listed.error().message().find("devkey"), std::string::npos);
    }
    // The key is accepted with or without its "token " prefix.
    ClientConfig raw = Config();
    raw.api_key = "devkey";
    EXPECT_TRUE(Client(raw)->Call(&EdgegapApi::ListDeployments, {}).has_value());
}

TEST_F(EdgegapClientTest, RefusedRequestsCarryEdgegapsMessage) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    auto unknown_app = client->Call(&EdgegapApi::Deploy, DeployRequest{"no-such-app", kVersion, {"1.2.3.4"}});
    ASSERT_FALSE(unknown_app.has_value());
    EXPECT_TRUE(Details(unknown_app.error()).category == ErrorCategory::kNotFound ||
                Details(unknown_app.error()).category == ErrorCategory::kBadRequest)
        << unknown_app.error().ToString();
    EXPECT_FALSE(unknown_app.error().message().ends_with(": "));  // Edgegap said why.
    auto unknown_status = client->Call(&EdgegapApi::GetDeploymentStatus, "000000000000");
    ASSERT_FALSE(unknown_status.has_value());
    EXPECT_EQ(Details(unknown_status.error()).category, ErrorCategory::kBadRequest);  // Edgegap's live API says 400.
    auto empty_id = client->Call(&EdgegapApi::GetSession, "");
    ASSERT_FALSE(empty_id.has_value());
    EXPECT_EQ(Details(empty_id.error()).http_status, 0);
}

TEST_F(EdgegapClientTest, RateLimitIsRetriedAfterRetryAfter) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.rate_limit_next_requests = 1;
    faults.retry_after_seconds = 1;
    sim_->SetFaults(faults);
    const auto start = std::chrono::steady_clock::now();
    auto listed = client->Call(&EdgegapApi::ListDeployments, {});
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
    auto listed = client->Call(&EdgegapApi::ListDeployments, {});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(Details(listed.error()).category, ErrorCategory::kRateLimited);
    EXPECT_EQ(Details(listed.error()).http_status, 429);
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
    auto listed = client->Call(&EdgegapApi::ListDeployments, {});
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
    auto listed = client->Call(&EdgegapApi::ListSessions, {});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(Details(listed.error()).category, ErrorCategory::kServerError);
    EXPECT_GE(Details(listed.error()).http_status, 500);
    EXPECT_FALSE(listed.error().message().ends_with(": "));  // Edgegap said why.
    EXPECT_EQ(RetryCount(), 2u);
}

TEST_F(EdgegapClientTest, CreatingCallsAreNotRetriedOnServerErrors) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.server_error_fraction = 1.0;
    sim_->SetFaults(faults);
    auto created = client->Call(&EdgegapApi::CreateSession,
                                SessionRequest{kApp, kVersion, {"1.2.3.4"}, std::nullopt, std::nullopt});
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(Details(created.error()).category, ErrorCategory::kServerError);
    AppVersionSpec spec;
    spec.name = "2";
    auto version = client->Call(&EdgegapApi::CreateAppVersion, kApp, spec);
    ASSERT_FALSE(version.has_value());
    EXPECT_EQ(Details(version.error()).category, ErrorCategory::kServerError);
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
    auto listed = client->Call(&EdgegapApi::ListDeployments, {});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(Details(listed.error()).category, ErrorCategory::kNetwork) << listed.error().ToString();
    EXPECT_EQ(Details(listed.error()).http_status, 0);
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
    auto listed = Client(config)->Call(&EdgegapApi::ListDeployments, {});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(Details(listed.error()).category, ErrorCategory::kNetwork) << listed.error().ToString();
}

TEST_F(EdgegapClientTest, TlsToAPlainHttpServerIsANetworkError) {
    ClientConfig config = Config();
    config.retry.max_attempts = 1;
    config.base_url = fmt::format("https://127.0.0.1:{}", sim_->port());
    auto listed = Client(config)->Call(&EdgegapApi::ListDeployments, {});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(Details(listed.error()).category, ErrorCategory::kNetwork) << listed.error().ToString();
    EXPECT_NE(listed.error().message().find("TLS"), std::string::npos) << listed.error().message();
}

TEST_F(EdgegapClientTest, MalformedJsonIsABadResponse) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.malformed_json_fraction = 1.0;
    sim_->SetFaults(faults);
    auto version = client->Call(&EdgegapApi::GetAppVersion, kApp, kVersion);
    ASSERT_FALSE(version.has_value());
    EXPECT_EQ(Details(version.error()).category, ErrorCategory::kBadResponse);
    EXPECT_EQ(Details(version.error()).http_status, 200);
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
    auto listed = client->Call(&EdgegapApi::ListDeployments, {});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(Details(listed.error()).category, ErrorCategory::kTimeout) << listed.error().ToString();
    EXPECT_LT(elapsed, 1500ms);  // Gave up at the timeout, did not wait for the answer.
}

TEST_F(EdgegapClientTest, IdempotentCallsShareOneKeptAliveConnection) {
    boost::asio::io_context io;
    auto client = HttpEdgegapClient::Create(io.get_executor(), Config());
    ASSERT_TRUE(client.has_value());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(RunToCompletion(io, (*client)->ListDeployments({})).has_value());
    EXPECT_EQ((*client)->connections_opened(), 1u);

    ClientConfig no_reuse = Config();
    no_reuse.max_idle_connections_per_host = 0;
    auto fresh = HttpEdgegapClient::Create(io.get_executor(), no_reuse);
    ASSERT_TRUE(fresh.has_value());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(RunToCompletion(io, (*fresh)->ListDeployments({})).has_value());
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
    ASSERT_TRUE(RunToCompletion(io, (*client)->ListDeployments({})).has_value());
    std::this_thread::sleep_for(1500ms);
    auto listed = RunToCompletion(io, (*client)->ListDeployments({}));
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    EXPECT_EQ((*client)->connections_opened(), 2u);
    EXPECT_EQ(RetryCount(), 0u);
}

// Fires `count` status calls at once on `client` and returns how many ended in each category
// ("ok" for successes).
std::map<std::string, int> FireStatusCalls(HttpEdgegapClient& client, boost::asio::io_context& io,
                                           const std::string& request_id, int count) {
    std::vector<std::future<common::Result<DeploymentStatus>>> calls;
    for (int i = 0; i < count; ++i) {
        calls.push_back(boost::asio::co_spawn(io, client.GetDeploymentStatus(request_id), boost::asio::use_future));
    }
    io.restart();
    io.run();
    std::map<std::string, int> outcomes;
    for (auto& call : calls) {
        auto result = call.get();
        ++outcomes[result ? "ok" : std::string(ToString(Details(result.error()).category))];
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
}  // namespace gapkit::edgegap::integration
