#include "websocket_load.hpp"

#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "gapkit/protocol/match_messages.hpp"

namespace gapkit::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using std::chrono::milliseconds;

// What the scripted server does after reading a client's request.
enum class Script { kReady, kError503, kCloseEarly, kNotProtocol, kSilent };

// A WebSocket server on loopback that answers `connections` clients one after another, each by
// `script`, and remembers the requests it read.
class ScriptedServer {
  public:
    ScriptedServer(Script script, int connections) : acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
        thread_ = std::jthread([this, script, connections] {
            for (int i = 0; i < connections; ++i) Serve(script);
        });
    }

    WebSocketTarget Target() const {
        auto target =
            ResolveWebSocketUrl(fmt::format("ws://127.0.0.1:{}/matchmaker/ws", acceptor_.local_endpoint().port()));
        EXPECT_TRUE(target) << target.error().ToString();
        return *target;
    }

    // Every request read, in the order served; waits until every connection has been served.
    std::vector<std::string> Requests() {
        thread_.join();
        return requests_;
    }

  private:
    void Serve(Script script) {
        boost::system::error_code error;
        tcp::socket socket(io_);
        acceptor_.accept(socket, error);
        websocket::stream<tcp::socket> ws(std::move(socket));
        ws.accept(error);
        beast::flat_buffer buffer;
        ws.read(buffer, error);
        if (error) return;
        requests_.push_back(beast::buffers_to_string(buffer.data()));
        ws.text(true);
        for (const std::string& reply : Replies(script)) ws.write(asio::buffer(reply), error);
        if (script == Script::kSilent) {
            ws.read(buffer, error);  // Until the client gives up.
            return;
        }
        ws.close(websocket::close_code::normal, error);
    }

    static std::vector<std::string> Replies(Script script) {
        const std::string ack = protocol::SerializeMatchReply(protocol::Acknowledged{});
        switch (script) {
            case Script::kReady:
                return {ack, protocol::SerializeMatchReply(protocol::SessionReady{"dG9rZW4=", "127.0.0.1", 7777, ""})};
            case Script::kError503:
                return {ack, protocol::SerializeMatchReply(protocol::MatchError{503, "busy"})};
            case Script::kCloseEarly:
            case Script::kSilent:
                return {ack};
            case Script::kNotProtocol:
                return {"{\"Nonsense\":1}"};
        }
        return {};
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::vector<std::string> requests_;
    std::jthread thread_;
};

const std::string kRequest = R"({"game":"echo","version":"1","client_ip":null})";

std::vector<Sample> RunAgainst(Script script, int requests, int concurrency,
                               milliseconds timeout = milliseconds(5000)) {
    ScriptedServer server(script, requests);
    return RunWebSocketLevel(
               server.Target(), kRequest,
               {.concurrency = concurrency, .requests = static_cast<std::size_t>(requests), .request_timeout = timeout})
        .samples;
}

void ExpectAll(const std::vector<Sample>& samples, std::size_t count, const std::string& outcome) {
    ASSERT_EQ(samples.size(), count);
    for (const Sample& sample : samples) EXPECT_EQ(sample.outcome, outcome);
}

TEST(ResolveWebSocketUrl, ReadsHostPortAndPath) {
    auto target = ResolveWebSocketUrl("ws://127.0.0.1:3000/matchmaker/ws");
    ASSERT_TRUE(target) << target.error().ToString();
    EXPECT_EQ(target->endpoint, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 3000));
    EXPECT_EQ(target->host_header, "127.0.0.1:3000");
    EXPECT_EQ(target->path, "/matchmaker/ws");
}

TEST(ResolveWebSocketUrl, DefaultsToPort80AndRootPath) {
    auto target = ResolveWebSocketUrl("ws://127.0.0.1");
    ASSERT_TRUE(target) << target.error().ToString();
    EXPECT_EQ(target->endpoint.port(), 80);
    EXPECT_EQ(target->path, "/");
}

TEST(ResolveWebSocketUrl, RefusesOtherSchemesAndNonUrls) {
    for (const char* url : {"wss://127.0.0.1/ws", "http://127.0.0.1/", "127.0.0.1:3000", "ws:///nohost", ""}) {
        auto target = ResolveWebSocketUrl(url);
        ASSERT_FALSE(target) << url;
        EXPECT_EQ(target.error().code(), common::ErrorCode::kInvalidArgument) << url;
    }
}

TEST(RunWebSocketLevel, SessionReadyIsOkAndTheRequestIsSentAsGiven) {
    ScriptedServer server(Script::kReady, 5);
    const LevelRun run = RunWebSocketLevel(server.Target(), kRequest, {.concurrency = 2, .requests = 5});
    ExpectAll(run.samples, 5, kOutcomeOk);
    EXPECT_GT(run.samples.front().latency.count(), 0);
    EXPECT_GE(run.wall, run.samples.front().latency);
    EXPECT_EQ(server.Requests(), std::vector<std::string>(5, kRequest));
}

TEST(RunWebSocketLevel, EachRequestSendsWhatTheSourceMadeForIt) {
    ScriptedServer server(Script::kReady, 3);
    int made = 0;
    const RequestSource next_request = [&made] { return fmt::format("request {}", made++); };
    ExpectAll(RunWebSocketLevel(server.Target(), next_request, {.concurrency = 1, .requests = 3}).samples, 3,
              kOutcomeOk);
    EXPECT_EQ(server.Requests(), (std::vector<std::string>{"request 0", "request 1", "request 2"}));
}

TEST(RunWebSocketLevel, ClientsPauseTheThinkTimeBetweenRequests) {
    ScriptedServer server(Script::kReady, 3);
    const LevelRun run = RunWebSocketLevel(server.Target(), kRequest,
                                           {.concurrency = 1, .requests = 3, .think_time = milliseconds(100)});
    ExpectAll(run.samples, 3, kOutcomeOk);
    EXPECT_GE(run.wall, milliseconds(200));  // Two pauses between three requests, at least.
}

TEST(RunWebSocketLevel, ErrorRepliesAreCountedByCode) {
    ExpectAll(RunAgainst(Script::kError503, 3, 3), 3, "error 503");
}

TEST(RunWebSocketLevel, SocketClosedBeforeAFinalReplyIsClosedEarly) {
    ExpectAll(RunAgainst(Script::kCloseEarly, 2, 1), 2, "closed early");
}

TEST(RunWebSocketLevel, MessageOutsideTheProtocolIsBadReply) {
    ExpectAll(RunAgainst(Script::kNotProtocol, 2, 1), 2, "bad reply");
}

TEST(RunWebSocketLevel, SilentServerTimesOutAtTheRequestTimeout) {
    const auto samples = RunAgainst(Script::kSilent, 1, 1, milliseconds(200));
    ExpectAll(samples, 1, "timeout");
    EXPECT_GE(samples.front().latency, milliseconds(200));
}

TEST(RunWebSocketLevel, RefusedConnectionIsConnect) {
    asio::io_context io;
    tcp::acceptor closed(io, {asio::ip::address_v4::loopback(), 0});
    auto target = ResolveWebSocketUrl(fmt::format("ws://127.0.0.1:{}/", closed.local_endpoint().port()));
    ASSERT_TRUE(target);
    closed.close();
    ExpectAll(RunWebSocketLevel(*target, kRequest, {.concurrency = 2, .requests = 4}).samples, 4, "connect");
}

TEST(RunWebSocketLevel, StopsStartingRequestsAfterMaxDuration) {
    ScriptedServer server(Script::kSilent, 1);
    const LevelRun run = RunWebSocketLevel(
        server.Target(), kRequest,
        {.concurrency = 1, .requests = 1000, .max_duration = milliseconds(100), .request_timeout = milliseconds(300)});
    ExpectAll(run.samples, 1, "timeout");
}

}  // namespace
}  // namespace gapkit::loadgen
