#include "server.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include "gapkit/testing/temp_dir.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit::httpd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using protocol::MatchReply;

// Answers every request with a scripted stream from a thread of its own, as the bus would.
class FakeGateway : public MatchmakerGateway {
  public:
    std::vector<MatchReply> script;
    std::map<std::size_t, std::string> texts;  // The bytes of script[i] when not its serialization.
    common::Status end = common::Ok();
    bool hold = false;                   // Never answer: the request times out.
    bool silent = false;                 // Send the script, then nothing more (a matchmaker that died).
    std::chrono::milliseconds pause{0};  // Before each reply of the script but the first.
    bool ready = true;

    ~FakeGateway() override {
        for (auto& thread : threads_) thread.join();
    }
    void Request(const protocol::MatchRequest& request, ReplyHandlers handlers) override {
        std::lock_guard lock(mutex_);
        requests.push_back(request);
        if (hold) {
            held_.push_back(std::move(handlers));
            return;
        }
        std::vector<RelayedReply> relayed;
        for (std::size_t i = 0; i < script.size(); ++i) {
            relayed.push_back(texts.contains(i) ? RelayedReply{KindOf(script[i]), texts.at(i)} : Relayed(script[i]));
        }
        threads_.emplace_back(
            [relayed = std::move(relayed), end = end, silent = silent, pause = pause, handlers = std::move(handlers)] {
                for (const auto& reply : relayed) {
                    if (&reply != &relayed.front()) std::this_thread::sleep_for(pause);
                    handlers.on_reply(reply);
                }
                if (!silent) handlers.on_end(end);
            });
    }
    bool Ready() const override { return ready; }
    common::Status RelayWebhook(std::string_view body) override {
        std::lock_guard lock(mutex_);
        webhooks.emplace_back(body);
        return common::Ok();
    }
    std::vector<protocol::MatchRequest> Requests() {
        std::lock_guard lock(mutex_);
        return requests;
    }
    // Answers every held request with `reply`, as the final one.
    void AnswerHeld(const MatchReply& reply) {
        std::lock_guard lock(mutex_);
        for (auto& handlers : held_) {
            handlers.on_reply(Relayed(reply));
            handlers.on_end(common::Ok());
        }
        held_.clear();
    }

    std::vector<protocol::MatchRequest> requests;
    std::vector<std::string> webhooks;

  private:
    static RelayedReply Relayed(const MatchReply& reply) {
        return {KindOf(reply), protocol::SerializeMatchReply(reply)};
    }

    std::mutex mutex_;
    std::vector<std::thread> threads_;
    std::vector<ReplyHandlers> held_;
};

class HttpdTest : public ::testing::Test {
  protected:
    void StartServer() {
        config_.bind_address = "127.0.0.1";
        config_.port = 0;
        config_.webhook_secret = "0123456789abcdef-secret";
        auto server = HttpServer::Start(config_, {gateway_, metrics_, common::SystemClock::Instance()});
        ASSERT_TRUE(server.has_value()) << server.error().ToString();
        server_ = std::move(*server);
    }

    asio::ip::tcp::endpoint Endpoint() const {
        return asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port());
    }

    // One request on a connection of its own.
    http::response<http::string_body> Get(const std::string& target, http::verb verb = http::verb::get,
                                          const std::string& body = "", const std::string& origin = "") {
        asio::io_context io;
        return Send(*Connect(io), verb, target, body, origin);
    }

    // A connected TCP stream to the server, for requests that keep the connection.
    std::unique_ptr<beast::tcp_stream> Connect(asio::io_context& io) {
        auto stream = std::make_unique<beast::tcp_stream>(io);
        stream->connect(Endpoint());
        return stream;
    }

    static http::response<http::string_body> Send(beast::tcp_stream& stream, http::verb verb, const std::string& target,
                                                  const std::string& body = "", const std::string& origin = "") {
        http::request<http::string_body> request{verb, target, 11};
        request.set(http::field::host, "localhost");
        if (!origin.empty()) request.set(http::field::origin, origin);
        request.body() = body;
        request.prepare_payload();
        http::write(stream, request);
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return response;
    }

    struct WsClient {
        asio::io_context io;
        websocket::stream<beast::tcp_stream> ws{io};
    };

    std::unique_ptr<WsClient> OpenWs(const std::string& origin = "", const std::string& forwarded_for = "") {
        auto client = std::make_unique<WsClient>();
        beast::get_lowest_layer(client->ws).connect(Endpoint());
        client->ws.set_option(
            websocket::stream_base::decorator([origin, forwarded_for](websocket::request_type& request) {
                if (!origin.empty()) request.set(http::field::origin, origin);
                if (!forwarded_for.empty()) request.set("X-Forwarded-For", forwarded_for);
            }));
        client->ws.handshake("localhost", "/matchmaker/ws");
        return client;
    }

    // The status of a refused upgrade from `forwarded_for` (101 when it was accepted).
    unsigned UpgradeStatus(const std::string& forwarded_for) {
        WsClient client;
        beast::get_lowest_layer(client.ws).connect(Endpoint());
        client.ws.set_option(websocket::stream_base::decorator(
            [forwarded_for](websocket::request_type& request) { request.set("X-Forwarded-For", forwarded_for); }));
        websocket::response_type response;
        boost::system::error_code ec;
        client.ws.handshake(response, "localhost", "/matchmaker/ws", ec);
        return response.result_int();
    }

    // Reads frames until the server closes; returns them and the close code.
    static std::pair<std::vector<std::string>, websocket::close_code> ReadAll(WsClient& client) {
        std::vector<std::string> frames;
        for (;;) {
            beast::flat_buffer buffer;
            boost::system::error_code ec;
            client.ws.read(buffer, ec);
            if (ec) return {frames, static_cast<websocket::close_code>(client.ws.reason().code)};
            frames.push_back(beast::buffers_to_string(buffer.data()));
        }
    }

    std::pair<std::vector<std::string>, websocket::close_code> Exchange(const std::string& message) {
        auto client = OpenWs();
        client->ws.write(asio::buffer(message));
        return ReadAll(*client);
    }

    // Waits for a metrics line the server writes after the client has seen the end.
    bool MetricsSoonShow(const std::string& text) {
        return testing::WaitFor([&] { return metrics_.RenderText().find(text) != std::string::npos; });
    }

    // The error of reading one byte: eof when the server closed the connection.
    static boost::system::error_code ReadOneByte(beast::tcp_stream& stream) {
        char byte = 0;
        boost::system::error_code ec;
        stream.socket().read_some(asio::buffer(&byte, 1), ec);
        return ec;
    }

    HttpdConfig config_;
    FakeGateway gateway_;
    common::MetricsRegistry metrics_;
    std::unique_ptr<HttpServer> server_;
};

const char* kRequest = R"({"client_ip":"81.128.157.123","game":"spaceships","version":"1"})";

TEST_F(HttpdTest, RelaysEveryReplyThenClosesNormally) {
    gateway_.script = {protocol::Acknowledged{}, protocol::SessionRequestAccepted{"s-1"},
                       protocol::ProgressReport{"Waiting (0.2s)"},
                       protocol::SessionReady{"dG9rZW4=", "127.0.0.1", 30004, ""}};
    StartServer();
    auto [frames, code] = Exchange(kRequest);
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[0], R"("Acknowledged")");
    EXPECT_EQ(frames[1], R"({"SessionRequestAccepted":"s-1"})");
    EXPECT_EQ(frames[3], R"({"SessionReady":{"token":"dG9rZW4=","ip":"127.0.0.1","port":30004,"cert_digest":""}})");
    EXPECT_EQ(code, websocket::close_code::normal);
    ASSERT_EQ(gateway_.Requests().size(), 1u);
    EXPECT_EQ(gateway_.Requests()[0].client_ip, "127.0.0.1") << "client_ip must not be honoured by default";
}

TEST_F(HttpdTest, RelaysTheMatchmakersBytesAsTheyCame) {
    gateway_.script = {protocol::SessionRequestAccepted{"s-1"}, protocol::MatchError{503, "busy"}};
    gateway_.texts = {{0, R"({ "SessionRequestAccepted" : "s-1" })"}, {1, R"({"Error": [503, "busy"]})"}};
    StartServer();
    auto [frames, code] = Exchange(kRequest);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0], R"({ "SessionRequestAccepted" : "s-1" })");
    EXPECT_EQ(frames[1], R"({"Error": [503, "busy"]})");
    EXPECT_EQ(code, websocket::close_code::normal);
}

TEST_F(HttpdTest, HonoursClientIpOnlyWhenAllowed) {
    config_.allow_client_ip_override = true;
    gateway_.script = {protocol::MatchError{503, "test"}};
    StartServer();
    Exchange(kRequest);
    EXPECT_EQ(gateway_.Requests().at(0).client_ip, "81.128.157.123");
}

TEST_F(HttpdTest, InvalidRequestsGetAnErrorAndTheServerKeepsServing) {
    StartServer();
    for (const char* bad : {"not json", R"({"game":"a.b","version":"1"})", R"({"game":1})"}) {
        auto [frames, code] = Exchange(bad);
        ASSERT_EQ(frames.size(), 1u) << bad;
        EXPECT_TRUE(frames[0].starts_with(R"({"Error":[400,"invalid request: )")) << frames[0];
    }
    gateway_.script = {protocol::MatchError{500, "ok"}};
    EXPECT_EQ(Exchange(kRequest).first.size(), 1u);
}

TEST_F(HttpdTest, BinaryFrameIsRefused) {
    StartServer();
    auto client = OpenWs();
    client->ws.binary(true);
    client->ws.write(asio::buffer(std::string(kRequest)));
    auto [frames, code] = ReadAll(*client);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], R"({"Error":[400,"send the request as a text message"]})");
}

TEST_F(HttpdTest, OversizedFrameClosesWithTooBig) {
    config_.max_frame_bytes = 256;
    StartServer();
    auto client = OpenWs();
    // Small enough to arrive in one segment: a server closing with unread bytes would send a reset
    // that hides the close frame. The write may still race the close, so it may fail.
    boost::system::error_code write_error;
    client->ws.write(asio::buffer(std::string(1000, 'x')), write_error);
    auto [frames, code] = ReadAll(*client);
    EXPECT_TRUE(frames.empty());
    EXPECT_EQ(code, websocket::close_code::too_big);
}

TEST_F(HttpdTest, SilentClientIsClosedAfterFirstMessageTimeout) {
    config_.first_message_timeout_seconds = 1;
    StartServer();
    auto client = OpenWs();
    auto [frames, code] = ReadAll(*client);
    EXPECT_TRUE(frames.empty());
    EXPECT_EQ(code, websocket::close_code::policy_error);
    EXPECT_EQ(client->ws.reason().reason, "no request received in time");
}

TEST_F(HttpdTest, DisallowedOriginIsRefusedBeforeUpgrade) {
    config_.cors_origins = {"https://game.example"};
    StartServer();
    EXPECT_NO_THROW(OpenWs("https://game.example"));
    try {
        OpenWs("https://evil.example");
        FAIL() << "handshake should have been refused";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), websocket::error::upgrade_declined);
    }
    auto response = Get("/healthz", http::verb::get, "", "https://evil.example");
    EXPECT_EQ(response.result(), http::status::forbidden);
    EXPECT_NE(response.body().find("https://evil.example is not allowed"), std::string::npos);
}

TEST_F(HttpdTest, RateLimitPerIpGives429) {
    config_.per_ip_burst = 1;
    config_.per_ip_requests_per_minute = 1;
    gateway_.script = {protocol::MatchError{500, "x"}};
    StartServer();
    Exchange(kRequest);
    auto [frames, code] = Exchange(kRequest);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].starts_with(R"({"Error":[429,"rate limit)")) << frames[0];
}

TEST_F(HttpdTest, StreamEndsWithoutAnswerOrWithFailure) {
    StartServer();
    gateway_.script = {protocol::Acknowledged{}};
    auto [frames, code] = Exchange(kRequest);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[1], R"({"Error":[502,"the matchmaker ended the request without an answer"]})");

    gateway_.script = {};
    gateway_.end = common::MakeError(common::ErrorCode::kUnavailable, "no matchmaker is running for spaceships 1");
    EXPECT_EQ(Exchange(kRequest).first.at(0), R"({"Error":[503,"no matchmaker is running for spaceships 1"]})");
}

TEST_F(HttpdTest, RequestTimeoutGives408) {
    config_.request_timeout_seconds = 1;
    gateway_.hold = true;
    StartServer();
    auto [frames, code] = Exchange(kRequest);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].starts_with(R"({"Error":[408,"matchmaking timed out)")) << frames[0];
}

TEST_F(HttpdTest, ShutdownTellsWaitingClients) {
    gateway_.hold = true;
    StartServer();
    auto client = OpenWs();
    client->ws.write(asio::buffer(std::string(kRequest)));
    while (gateway_.Requests().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::thread stopper([this] { server_->Stop(); });
    auto [frames, code] = ReadAll(*client);
    stopper.join();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], R"({"Error":[503,"the server is shutting down, try again"]})");
}

TEST_F(HttpdTest, MessagesAfterTheRequestAreIgnoredHoweverLarge) {
    gateway_.hold = true;
    StartServer();
    auto client = OpenWs();
    client->ws.write(asio::buffer(std::string(kRequest)));
    while (gateway_.Requests().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // Larger than the session's small read buffer, but within the frame limit: read in pieces.
    client->ws.write(asio::buffer(std::string(4000, 'x')));
    // The pong comes after the server has read everything sent before the ping.
    bool ponged = false;
    client->ws.control_callback([&](websocket::frame_type kind, beast::string_view) {
        ponged = ponged || kind == websocket::frame_type::pong;
    });
    client->ws.ping({});
    beast::flat_buffer buffer;
    boost::system::error_code read_error = asio::error::would_block;
    client->ws.async_read(buffer, [&](boost::system::error_code ec, std::size_t) { read_error = ec; });
    while (!ponged && client->io.run_one() > 0) {
    }
    ASSERT_TRUE(ponged);
    gateway_.AnswerHeld(protocol::SessionReady{"dG9rZW4=", "127.0.0.1", 30004, ""});
    client->io.run();
    ASSERT_FALSE(read_error) << read_error.message();
    EXPECT_TRUE(beast::buffers_to_string(buffer.data()).starts_with(R"({"SessionReady")"));
}

TEST_F(HttpdTest, ClientThatDoesNotReadIsCutOff) {
    config_.write_timeout_seconds = 1;
    const std::string big(64 * 1024, 'x');
    for (int i = 0; i < 400; ++i) gateway_.script.push_back(protocol::ProgressReport{big});
    StartServer();
    auto client = OpenWs();
    client->ws.write(asio::buffer(std::string(kRequest)));
    // 25 MB of progress cannot fit in the socket buffers of a client that never reads.
    ASSERT_TRUE(MetricsSoonShow("outcome=\"slow_client\""));
    auto [frames, code] = ReadAll(*client);
    EXPECT_LT(frames.size(), 400u);
}

TEST_F(HttpdTest, HealthReadinessAndMetrics) {
    StartServer();
    EXPECT_EQ(Get("/healthz").result(), http::status::ok);
    EXPECT_EQ(Get("/readyz").result(), http::status::ok);
    gateway_.ready = false;
    EXPECT_EQ(Get("/readyz").result(), http::status::service_unavailable);
    EXPECT_NE(Get("/metrics").body().find("gapkit_httpd_http_requests_total"), std::string::npos);
    EXPECT_EQ(Get("/nope").result(), http::status::not_found);
    EXPECT_EQ(Get("/../../etc/passwd").result(), http::status::not_found);
}

TEST_F(HttpdTest, ServesTheTestPage) {
    StartServer();
    auto page = Get("/");
    EXPECT_EQ(page.result(), http::status::ok);
    EXPECT_EQ(page[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_NE(page.body().find("/matchmaker/ws"), std::string::npos);
}

TEST_F(HttpdTest, ServesAFoldersIndexAndModulesAsJavaScript) {
    auto root = testing::TempDir::Create("httpd-web-root");
    ASSERT_TRUE(root) << root.error().ToString();
    std::filesystem::create_directories(root->path() / "play");
    std::filesystem::create_directories(root->path() / "gapkit/vendor");
    std::ofstream(root->path() / "play/index.html") << "<title>play</title>";
    std::ofstream(root->path() / "gapkit/vendor/libsodium.mjs") << "export default 1;";
    config_.web_root = root->path().string();
    StartServer();
    auto page = Get("/play/");
    EXPECT_EQ(page.result(), http::status::ok);
    EXPECT_EQ(page.body(), "<title>play</title>");
    EXPECT_EQ(page[http::field::content_type], "text/html; charset=utf-8");
    auto module = Get("/gapkit/vendor/libsodium.mjs");
    EXPECT_EQ(module.result(), http::status::ok);
    EXPECT_EQ(module[http::field::content_type], "text/javascript; charset=utf-8");
    EXPECT_EQ(Get("/gapkit/").result(), http::status::not_found);
    EXPECT_EQ(Get("/play").result(), http::status::not_found);
}

TEST_F(HttpdTest, WebhookNeedsTheSecret) {
    StartServer();
    EXPECT_EQ(Get("/edgegap/webhook/0123456789abcdef-secret", http::verb::post, R"({"session_id":"s"})").result(),
              http::status::no_content);
    EXPECT_EQ(Get("/edgegap/webhook/wrong", http::verb::post, "{}").result(), http::status::not_found);
    ASSERT_EQ(gateway_.webhooks.size(), 1u);
    EXPECT_EQ(gateway_.webhooks[0], R"({"session_id":"s"})");
}

TEST_F(HttpdTest, OversizedBodyGets413) {
    config_.max_body_bytes = 100;
    StartServer();
    EXPECT_EQ(Get("/edgegap/webhook/x", http::verb::post, std::string(1000, 'x')).result(),
              http::status::payload_too_large);
}

TEST_F(HttpdTest, FiftyPlayersBehindATrustedProxyAreAllServed) {
    config_.threads = 4;  // Connections on strands of their own, served by several threads.
    config_.trusted_proxies = {"127.0.0.1"};
    gateway_.hold = true;
    StartServer();
    std::vector<std::unique_ptr<WsClient>> players;
    for (int i = 0; i < 50; ++i) {
        players.push_back(OpenWs("", fmt::format("81.0.0.{}", i)));
        players.back()->ws.write(asio::buffer(std::string(kRequest)));
    }
    ASSERT_TRUE(testing::WaitFor([this] { return gateway_.Requests().size() == 50; }));
    std::set<std::string> client_ips;
    for (const auto& request : gateway_.Requests()) client_ips.insert(request.client_ip.value_or(""));
    EXPECT_EQ(client_ips.size(), 50u);
    EXPECT_TRUE(client_ips.contains("81.0.0.49"));
    gateway_.AnswerHeld(protocol::MatchError{500, "done"});
    for (auto& player : players) EXPECT_EQ(ReadAll(*player).first.at(0), R"({"Error":[500,"done"]})");
}

TEST_F(HttpdTest, OneForwardedAddressOverItsLimitsGets429) {
    config_.trusted_proxies = {"127.0.0.1"};
    config_.per_ip_max_connections = 3;
    gateway_.hold = true;
    StartServer();
    std::vector<std::unique_ptr<WsClient>> held;
    for (int i = 0; i < 3; ++i) held.push_back(OpenWs("", "81.1.1.1"));
    EXPECT_EQ(UpgradeStatus("81.1.1.1"), 429u);
    EXPECT_EQ(UpgradeStatus("1.2.3.4, 81.1.1.1"), 429u) << "a client-supplied entry must not give a new budget";
    EXPECT_EQ(UpgradeStatus("81.1.1.2"), 101u);
    held.clear();
    ASSERT_TRUE(testing::WaitFor([this] { return UpgradeStatus("81.1.1.1") == 101u; }));
}

TEST_F(HttpdTest, RateLimitFollowsTheForwardedAddress) {
    config_.trusted_proxies = {"127.0.0.1"};
    config_.per_ip_burst = 1;
    config_.per_ip_requests_per_minute = 1;
    gateway_.script = {protocol::MatchError{500, "x"}};
    StartServer();
    auto exchange = [this](const std::string& forwarded_for) {
        auto client = OpenWs("", forwarded_for);
        client->ws.write(asio::buffer(std::string(kRequest)));
        return ReadAll(*client).first.at(0);
    };
    EXPECT_EQ(exchange("81.2.2.2"), R"({"Error":[500,"x"]})");
    EXPECT_TRUE(exchange("81.2.2.2").starts_with(R"({"Error":[429,"rate limit)"));
    EXPECT_EQ(exchange("81.2.2.3"), R"({"Error":[500,"x"]})");
}

TEST_F(HttpdTest, WebhooksWithTheSecretAreNeverLimitedWrongOnesAre) {
    config_.per_ip_max_connections = 4;
    config_.webhook_failures_per_minute = 3;
    StartServer();
    asio::io_context io;
    std::vector<std::unique_ptr<beast::tcp_stream>> open;
    for (int i = 0; i < 20; ++i) {
        open.push_back(Connect(io));
        for (int j = 0; j < 3; ++j) {
            EXPECT_EQ(Send(*open.back(), http::verb::post, "/edgegap/webhook/0123456789abcdef-secret", "{}").result(),
                      http::status::no_content);
        }
    }
    EXPECT_EQ(gateway_.webhooks.size(), 60u);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(Get("/edgegap/webhook/guess", http::verb::post, "{}").result(), http::status::not_found);
    EXPECT_EQ(Get("/edgegap/webhook/guess", http::verb::post, "{}").result(), http::status::too_many_requests);
    EXPECT_EQ(Get("/edgegap/webhook/0123456789abcdef-secret", http::verb::post, "{}").result(),
              http::status::no_content);
}

TEST_F(HttpdTest, SilentMatchmakerGives503WithinTheHeartbeatBound) {
    config_.matchmaker_silence_seconds = 1;
    gateway_.script = {protocol::Acknowledged{}};
    gateway_.silent = true;
    StartServer();
    const auto started = std::chrono::steady_clock::now();
    auto [frames, code] = Exchange(kRequest);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0], R"("Acknowledged")");
    EXPECT_TRUE(frames[1].starts_with(R"({"Error":[503,"the matchmaker stopped answering)")) << frames[1];
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_TRUE(MetricsSoonShow("outcome=\"matchmaker_silent\""));
}

TEST_F(HttpdTest, AMatchmakerThatKeepsTalkingIsNotTakenForSilent) {
    config_.matchmaker_silence_seconds = 1;
    gateway_.script = {protocol::Acknowledged{}, protocol::ProgressReport{"1"}, protocol::ProgressReport{"2"},
                       protocol::ProgressReport{"3"}, protocol::MatchError{500, "done"}};
    gateway_.pause = std::chrono::milliseconds(600);  // 2.4 s in all, never 1 s without a reply.
    StartServer();
    auto [frames, code] = Exchange(kRequest);
    ASSERT_EQ(frames.size(), 5u);
    EXPECT_EQ(frames[4], R"({"Error":[500,"done"]})");
    EXPECT_EQ(code, websocket::close_code::normal);
}

TEST_F(HttpdTest, IdleConnectsAreEvictedSoAFreshRequestGetsIn) {
    config_.max_pending_connections = 4;
    StartServer();
    asio::io_context io;
    std::vector<std::unique_ptr<beast::tcp_stream>> idle;
    for (int i = 0; i < 10; ++i) idle.push_back(Connect(io));
    auto fresh = Connect(io);
    EXPECT_EQ(Send(*fresh, http::verb::get, "/healthz").result(), http::status::ok);
    EXPECT_EQ(ReadOneByte(*idle.front()), asio::error::eof) << "the oldest idle connection is closed by the server";
    EXPECT_TRUE(MetricsSoonShow("reason=\"pending_evicted\""));
}

TEST_F(HttpdTest, ConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout) {
    config_.header_timeout_seconds = 1;
    StartServer();
    asio::io_context io;
    auto idle = Connect(io);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(ReadOneByte(*idle));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
}

TEST(HttpdConfig, PublicBindNeedsAnExplicitCorsList) {
    HttpdConfig config;
    config.bind_address = "0.0.0.0";
    auto refused = config.Validate();
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("--cors '*'"), std::string::npos);
    config.cors_origins = {"*"};
    EXPECT_TRUE(config.Validate());
    config.cors_origins = {};
    config.bind_address = "::1";
    EXPECT_TRUE(config.Validate());
}

TEST(HttpdConfig, BurstsBelowOneRequestAreRefused) {
    HttpdConfig config;
    config.bind_address = "127.0.0.1";
    config.per_ip_burst = 0.5;
    auto refused = config.Validate();
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("per_ip_burst"), std::string::npos);
    config.per_ip_burst = 1;
    config.webhook_failures_per_minute = 0.5;
    EXPECT_FALSE(config.Validate());
    config.webhook_failures_per_minute = 1;
    EXPECT_TRUE(config.Validate());
}

}  // namespace
}  // namespace gapkit::httpd
