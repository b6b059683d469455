#include "websocket_load.hpp"

#include <exception>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/protocol/match_messages.hpp"

namespace gapkit::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using SteadyClock = std::chrono::steady_clock;
using Socket = websocket::stream<beast::tcp_stream>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

Sample Finished(SteadyClock::time_point start, std::string outcome) {
    return Sample{SteadyClock::now() - start, std::move(outcome)};
}

// A failed step is reported as the step, unless the request's deadline cut it short.
Sample Failed(SteadyClock::time_point start, const boost::system::error_code& error, const char* step) {
    return Finished(start, error == beast::error::timeout ? "timeout" : step);
}

std::string OutcomeOf(const protocol::MatchReply& reply) {
    if (const auto* error = std::get_if<protocol::MatchError>(&reply)) return fmt::format("error {}", error->code);
    return kOutcomeOk;
}

asio::awaitable<Sample> ReadUntilFinal(Socket& ws, SteadyClock::time_point start) {
    for (;;) {
        beast::flat_buffer buffer;
        auto [error, bytes] = co_await ws.async_read(buffer, kUseTuple);
        if (error) co_return Failed(start, error, "closed early");
        auto reply = protocol::ParseMatchReply(beast::buffers_to_string(buffer.data()));
        if (!reply) co_return Finished(start, "bad reply");
        if (protocol::IsFinal(*reply)) co_return Finished(start, OutcomeOf(*reply));
    }
}

// The server closes after the final reply; reading on answers its close frame so the
// connection ends cleanly. Whatever happens here no longer changes the request's outcome.
asio::awaitable<void> AwaitServerClose(Socket& ws) {
    for (;;) {
        beast::flat_buffer buffer;
        auto [error, bytes] = co_await ws.async_read(buffer, kUseTuple);
        if (error) co_return;
    }
}

asio::awaitable<Sample> PlayOnce(const WebSocketTarget& target, const std::string& request,
                                 std::chrono::milliseconds timeout) {
    const auto start = SteadyClock::now();
    auto executor = co_await asio::this_coro::executor;
    Socket ws(executor);
    beast::get_lowest_layer(ws).expires_at(start + timeout);  // One deadline for every step.
    auto [connect_error] = co_await beast::get_lowest_layer(ws).async_connect(target.endpoint, kUseTuple);
    if (connect_error) co_return Failed(start, connect_error, "connect");
    // Browsers disable Nagle on WebSocket connections; so does this client.
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    auto [handshake_error] = co_await ws.async_handshake(target.host_header, target.path, kUseTuple);
    if (handshake_error) co_return Failed(start, handshake_error, "handshake");
    auto buffer = asio::buffer(request);
    auto [write_error, written] = co_await ws.async_write(buffer, kUseTuple);
    if (write_error) co_return Failed(start, write_error, "write");
    Sample sample = co_await ReadUntilFinal(ws, start);
    co_await AwaitServerClose(ws);
    co_return sample;
}

// Shared by the clients of one level; they all run on one thread, so no locking.
struct LevelState {
    const WebSocketTarget& target;
    const RequestSource& next_request;
    const LevelPlan& plan;
    SteadyClock::time_point stop_starting_at;
    std::size_t started = 0;
    std::vector<Sample> samples;

    bool TakeTicket() {
        if (started >= plan.requests || SteadyClock::now() >= stop_starting_at) return false;
        ++started;
        return true;
    }
};

asio::awaitable<void> Client(LevelState& state) {
    for (;;) {
        const bool more = state.TakeTicket();
        if (!more) co_return;
        const std::string request = state.next_request();
        Sample sample = co_await PlayOnce(state.target, request, state.plan.request_timeout);
        state.samples.push_back(std::move(sample));
        if (state.plan.think_time.count() > 0) {
            auto executor = co_await asio::this_coro::executor;
            asio::steady_timer pause(executor, state.plan.think_time);
            auto waited = co_await pause.async_wait(kUseTuple);
            (void)waited;  // The io_context never cancels it; there is nothing to handle.
        }
    }
}

}  // namespace

common::Result<WebSocketTarget> ResolveWebSocketUrl(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return common::MakeError(common::ErrorCode::kInvalidArgument, fmt::format("'{}' is not a URL", url));
    if (parsed->scheme() != "ws" || !parsed->has_authority() || parsed->host().empty()) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("'{}' is not a ws://host[:port]/path URL (wss is not supported)", url));
    }
    const std::string host = parsed->host_address();
    const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code error;
    auto results = resolver.resolve(host, port, error);
    if (error || results.empty()) {
        return common::MakeError(common::ErrorCode::kNotFound,
                                 fmt::format("cannot resolve {}:{}: {}", host, port, error.message()));
    }
    std::string path(parsed->encoded_target());
    return WebSocketTarget{results.begin()->endpoint(), std::string(parsed->encoded_authority()),
                           path.empty() ? "/" : path};
}

LevelRun RunWebSocketLevel(const WebSocketTarget& target, const std::string& request_json, const LevelPlan& plan) {
    return RunWebSocketLevel(target, RequestSource([&request_json] { return request_json; }), plan);
}

LevelRun RunWebSocketLevel(const WebSocketTarget& target, const RequestSource& next_request, const LevelPlan& plan) {
    asio::io_context io;
    const auto start = SteadyClock::now();
    LevelState state{target, next_request, plan, start + plan.max_duration};
    for (int i = 0; i < plan.concurrency; ++i) {
        asio::co_spawn(io, Client(state), [](std::exception_ptr failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                GAPKIT_LOG_ERROR("loadgen", "a client stopped: {}", e.what());
            }
        });
    }
    io.run();
    return LevelRun{std::move(state.samples), SteadyClock::now() - start};
}

}  // namespace gapkit::loadgen
