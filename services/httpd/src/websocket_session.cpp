#include "websocket_session.hpp"

#include <chrono>
#include <optional>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "client_address.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::httpd {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using common::ErrorCode;
using protocol::MatchError;
using protocol::MatchReply;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kChannelCapacity = 64;

// A reply from the gateway, or the end of the stream (`reply` empty).
struct GatewayEvent {
    std::optional<MatchReply> reply;
    common::Status end = common::Ok();
};
using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, GatewayEvent)>;

// What the player sees when the stream ends without a final reply.
MatchError EndToError(const common::Status& end) {
    if (end) return {502, "the matchmaker ended the request without an answer"};
    switch (end.error().code()) {
        case ErrorCode::kTimeout:
            return {408, "matchmaking timed out: " + end.error().message()};
        case ErrorCode::kUnavailable:
            return {503, end.error().message()};
        case ErrorCode::kCancelled:
            return {499, end.error().message()};
        default:
            return {502, "matchmaking failed: " + end.error().message()};
    }
}

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(std::shared_ptr<ServerContext> context, beast::tcp_stream stream, ClientAddress client,
            std::unique_ptr<ClientLimiter::Lease> client_slot)
        : context_(std::move(context)),
          ws_(std::move(stream)),
          client_(std::move(client)),
          client_slot_(std::move(client_slot)),
          watchdog_(ws_.get_executor()),
          silence_watchdog_(ws_.get_executor()),
          write_watchdog_(ws_.get_executor()),
          started_at_(context_->clock.Now()) {}

    asio::awaitable<void> Run(HttpRequest request) {
        const std::uint64_t registration = context_->sessions.Add([weak = weak_from_this()] {
            if (auto self = weak.lock()) asio::post(self->ws_.get_executor(), [self] { self->OnShutdown(); });
        });
        // GCC 12 miscompiles co_await inside an if-condition and temporaries inside a co_await
        // expression (traps, double frees), so every awaited value and argument is a named local.
        const bool accepted = co_await Accept(request);
        if (accepted) {
            const std::optional<std::string> text = co_await ReadFirstMessage();
            if (text) co_await Serve(*text);
        }
        context_->sessions.Remove(registration);
        context_->metrics.Outcome(outcome_).Increment();
    }

  private:
    asio::awaitable<bool> Accept(const HttpRequest& request) {
        const std::string_view origin = request[http::field::origin];
        std::optional<HttpResponse> refusal;
        if (request.target() != "/matchmaker/ws") {
            refusal = MakeResponse(*context_, request, http::status::not_found, "not found\n");
        } else if (!OriginAllowed(context_->config, origin)) {
            outcome_ = "rejected_origin";
            refusal = MakeResponse(*context_, request, http::status::forbidden,
                                   fmt::format("origin {} is not allowed\n", origin));
        }
        auto& tcp = beast::get_lowest_layer(ws_);
        if (refusal) {
            refusal->keep_alive(false);
            tcp.expires_after(std::chrono::seconds(context_->config.write_timeout_seconds));
            co_await http::async_write(tcp, *refusal, kUseTuple);
            co_return false;
        }
        tcp.expires_never();  // From here on the WebSocket's own timeouts apply.
        ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(context_->config.handshake_timeout_seconds),
                                                       std::chrono::seconds(context_->config.idle_timeout_seconds),
                                                       true});
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(http::field::server, "gapkit-httpd"); }));
        ws_.read_message_max(context_->config.max_frame_bytes);
        auto [ec] = co_await ws_.async_accept(request, kUseTuple);
        co_return !ec;
    }

    asio::awaitable<std::optional<std::string>> ReadFirstMessage() {
        const auto limit = std::chrono::seconds(context_->config.first_message_timeout_seconds);
        Arm(watchdog_, limit, [](Session& self) {
            self.outcome_ = "no_request";
            self.StartClose(websocket::close_code::policy_error, "no request received in time");
        });
        beast::flat_buffer buffer;
        auto [ec, bytes] = co_await ws_.async_read(buffer, kUseTuple);
        watchdog_.cancel();
        if (ec == websocket::error::message_too_big) {
            outcome_ = "rejected_too_big";
            const MatchReply reply =
                MatchError{413, fmt::format("message larger than {} bytes", context_->config.max_frame_bytes)};
            co_await Finish(reply);
        }
        if (ec) co_return std::nullopt;
        if (!ws_.got_text()) {
            outcome_ = "rejected_binary";
            const MatchReply reply = MatchError{400, "send the request as a text message"};
            co_await Finish(reply);
            co_return std::nullopt;
        }
        co_return beast::buffers_to_string(buffer.data());
    }

    asio::awaitable<void> Serve(const std::string& text) {
        auto parsed = protocol::ParseMatchRequest(text, context_->config.max_frame_bytes);
        if (!parsed) {
            outcome_ = "rejected_invalid";
            const MatchReply reply = MatchError{400, "invalid request: " + parsed.error().message()};
            co_await Finish(reply);
            co_return;
        }
        auto slot = context_->limiter->AdmitRequest(client_.limit_key);
        if (!slot) {
            const bool busy = slot.error().code() == ErrorCode::kUnavailable;
            outcome_ = busy ? "rejected_busy" : "rejected_rate";
            const MatchReply reply = MatchError{busy ? 503 : 429, slot.error().message()};
            co_await Finish(reply);
            co_return;
        }
        parsed->client_ip = MatchmakerClientIp(context_->config, client_.ip, parsed->client_ip);
        GAPKIT_LOG_DEBUG("httpd", "matchmaking {} {} for {} (limited as {})", parsed->game, parsed->version,
                         *parsed->client_ip, client_.limit_key);
        context_->metrics.in_flight.Add(1);
        co_await Relay(*parsed);
        context_->metrics.in_flight.Add(-1);
    }

    asio::awaitable<void> Relay(const protocol::MatchRequest& request) {
        channel_ = std::make_shared<Channel>(ws_.get_executor(), kChannelCapacity);
        context_->gateway.Request(request, Handlers(channel_));
        asio::co_spawn(ws_.get_executor(), DrainReads(shared_from_this()), asio::detached);
        Arm(watchdog_, std::chrono::seconds(context_->config.request_timeout_seconds), [](Session& self) {
            self.Push(
                common::MakeError(ErrorCode::kTimeout,
                                  fmt::format("no answer within {} s", self.context_->config.request_timeout_seconds)));
        });
        ArmSilence();
        co_await Pump();
        watchdog_.cancel();
        silence_watchdog_.cancel();
        channel_->close();
    }

    static ReplyHandlers Handlers(const std::shared_ptr<Channel>& channel) {
        // Called on a foreign thread: the channel is the only thing they touch, and it is thread-safe.
        return ReplyHandlers{
            [channel](MatchReply reply) { channel->async_send({}, GatewayEvent{std::move(reply)}, asio::detached); },
            [channel](common::Status end) {
                channel->async_send({}, GatewayEvent{std::nullopt, std::move(end)}, asio::detached);
            }};
    }

    // The matchmaker sends something at least every heartbeat period while it works on a request;
    // silence means it died or lost the request, so the player hears it now, not at the overall
    // timeout.
    void ArmSilence() {
        Arm(silence_watchdog_, std::chrono::seconds(context_->config.matchmaker_silence_seconds), [](Session& self) {
            self.silent_ = true;
            self.Push(common::MakeError(ErrorCode::kUnavailable,
                                        fmt::format("the matchmaker stopped answering (nothing for {} s), try again",
                                                    self.context_->config.matchmaker_silence_seconds)));
        });
    }

    void Push(common::Status end) {
        if (channel_) channel_->async_send({}, GatewayEvent{std::nullopt, std::move(end)}, asio::detached);
    }

    asio::awaitable<void> Pump() {
        for (;;) {
            auto [ec, event] = co_await channel_->async_receive(kUseTuple);
            if (ec) co_return;
            if (!event.reply) {
                outcome_ = silent_                                           ? "matchmaker_silent"
                           : event.end                                       ? "no_answer"
                           : event.end.error().code() == ErrorCode::kTimeout ? "timeout"
                                                                             : "failed";
                const MatchReply reply = EndToError(event.end);
                co_await Finish(reply);
                co_return;
            }
            if (protocol::IsFinal(*event.reply)) {
                outcome_ = std::holds_alternative<protocol::SessionReady>(*event.reply) ? "ready" : "error";
                context_->metrics.latency_seconds.Observe(
                    std::chrono::duration<double>(context_->clock.Now() - started_at_).count());
                co_await Finish(*event.reply);
                co_return;
            }
            ArmSilence();
            const bool sent = co_await Send(*event.reply);
            if (!sent) co_return;
        }
    }

    // Reads (and ignores) whatever the client sends after its request, so control frames are
    // processed and a client that goes away ends the request early.
    static asio::awaitable<void> DrainReads(std::shared_ptr<Session> self) {
        beast::flat_buffer buffer;
        for (;;) {
            auto [ec, bytes] = co_await self->ws_.async_read(buffer, kUseTuple);
            if (ec) break;
            buffer.consume(buffer.size());
        }
        if (!self->closing_) {
            self->outcome_ = "client_gone";
            self->Push(common::MakeError(ErrorCode::kCancelled, "the client went away"));
        }
    }

    asio::awaitable<bool> Send(const MatchReply& reply) {
        if (closing_) co_return false;
        Arm(write_watchdog_, std::chrono::seconds(context_->config.write_timeout_seconds), [](Session& self) {
            self.outcome_ = "slow_client";
            self.closing_ = true;  // The reader's failure that follows is ours, not the client leaving.
            boost::system::error_code ignored;
            beast::get_lowest_layer(self.ws_).socket().close(ignored);
        });
        ws_.text(true);
        const std::string text = protocol::SerializeMatchReply(reply);
        auto [ec, bytes] = co_await ws_.async_write(asio::buffer(text), kUseTuple);
        write_watchdog_.cancel();
        co_return !ec;
    }

    asio::awaitable<void> Finish(const MatchReply& reply) {
        const bool sent = co_await Send(reply);
        if (sent) co_await Close(websocket::close_code::normal, "");
    }

    asio::awaitable<void> Close(websocket::close_code code, std::string_view reason) {
        if (closing_) co_return;
        closing_ = true;
        const websocket::close_reason close_reason(code, reason);
        co_await ws_.async_close(close_reason, kUseTuple);
    }

    void StartClose(websocket::close_code code, std::string reason) {
        asio::co_spawn(
            ws_.get_executor(),
            [self = shared_from_this(), code, reason]() -> asio::awaitable<void> {
                co_await self->Close(code, reason);
            },
            asio::detached);
    }

    void OnShutdown() {
        if (channel_) {
            Push(common::MakeError(ErrorCode::kUnavailable, "the server is shutting down, try again"));
        } else {
            StartClose(websocket::close_code::going_away, "server shutting down");
        }
    }

    // Runs `on_expire` on this session's strand when `timer` expires before it is cancelled.
    template <typename OnExpire>
    void Arm(asio::steady_timer& timer, std::chrono::seconds after, OnExpire on_expire) {
        timer.expires_after(after);
        timer.async_wait([weak = weak_from_this(), on_expire](boost::system::error_code ec) {
            auto self = weak.lock();
            if (!ec && self) on_expire(*self);
        });
    }

    std::shared_ptr<ServerContext> context_;
    websocket::stream<beast::tcp_stream> ws_;
    const ClientAddress client_;
    const std::unique_ptr<ClientLimiter::Lease> client_slot_;
    asio::steady_timer watchdog_;
    asio::steady_timer silence_watchdog_;
    asio::steady_timer write_watchdog_;
    const common::Clock::SteadyTime started_at_;
    std::shared_ptr<Channel> channel_;
    std::string outcome_ = "closed_early";
    bool closing_ = false;
    bool silent_ = false;
};

}  // namespace

asio::awaitable<void> ServeMatchmaking(std::shared_ptr<ServerContext> context, beast::tcp_stream stream,
                                       HttpRequest request, ClientAddress client,
                                       std::unique_ptr<ClientLimiter::Lease> client_slot) {
    auto session =
        std::make_shared<Session>(std::move(context), std::move(stream), std::move(client), std::move(client_slot));
    co_await session->Run(std::move(request));
}

}  // namespace gapkit::httpd
