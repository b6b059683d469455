#include "websocket_session.hpp"

#include <array>
#include <chrono>
#include <list>
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
constexpr std::size_t kDrainBytes = 128;  // What the client sends after its request is ignored.

// Frees the string's storage (assigning an empty string may keep the capacity).
void ReleaseString(std::string& text) { std::string().swap(text); }

// A reply from the gateway, or the end of the stream (`reply` empty).
struct GatewayEvent {
    std::optional<RelayedReply> reply;
    common::Status end = common::Ok();
};
// A channel whose queue is a std::list: Asio's default, a std::deque, allocates about 600 bytes
// when it is made, for every waiting player, though a waiting player's queue is nearly always empty.
template <typename... Signatures>
struct ListChannelTraits : asio::experimental::channel_traits<Signatures...> {
    template <typename... NewSignatures>
    struct rebind {
        using other = ListChannelTraits<NewSignatures...>;
    };
    template <typename Element>
    struct container {
        using type = std::list<Element>;
    };
};
using Channel = asio::experimental::basic_concurrent_channel<asio::any_io_executor, ListChannelTraits<>,
                                                             void(boost::system::error_code, GatewayEvent)>;

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
    Session(std::shared_ptr<ServerContext> context, asio::ip::tcp::socket socket, ClientAddress client,
            std::unique_ptr<ClientLimiter::Lease> client_slot)
        : context_(std::move(context)),
          ws_(std::move(socket)),
          client_(std::move(client)),
          client_slot_(std::move(client_slot)),
          watchdog_(ws_.get_executor()),
          write_watchdog_(ws_.get_executor()),
          started_at_(context_->clock.Now()) {}

    // Static, holding the session: the caller needs no coroutine frame of its own to keep it alive.
    static asio::awaitable<void> Run(std::shared_ptr<Session> self, HttpRequest request) {
        const std::uint64_t registration = self->context_->sessions.Add([weak = self->weak_from_this()] {
            if (auto session = weak.lock()) {
                asio::post(session->ws_.get_executor(), [session] { session->OnShutdown(); });
            }
        });
        // GCC 12 miscompiles co_await inside an if-condition and temporaries inside a co_await
        // expression (traps, double frees), so every awaited value and argument is a named local.
        const bool accepted = co_await self->Accept(request);
        // Held in this frame for the whole wait otherwise: the handshake was its last use.
        request = HttpRequest();
        if (accepted) {
            std::optional<std::string> text = co_await self->ReadFirstMessage();
            if (text) co_await self->Serve(std::move(*text));
        }
        self->context_->sessions.Remove(registration);
        self->context_->metrics.Outcome(self->outcome_).Increment();
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
            const MatchError reply{413, fmt::format("message larger than {} bytes", context_->config.max_frame_bytes)};
            co_await Finish(reply);
        }
        if (ec) co_return std::nullopt;
        if (!ws_.got_text()) {
            outcome_ = "rejected_binary";
            const MatchError reply{400, "send the request as a text message"};
            co_await Finish(reply);
            co_return std::nullopt;
        }
        co_return beast::buffers_to_string(buffer.data());
    }

    asio::awaitable<void> Serve(std::string text) {
        auto parsed = protocol::ParseMatchRequest(text, context_->config.max_frame_bytes);
        ReleaseString(text);
        if (!parsed) {
            outcome_ = "rejected_invalid";
            const MatchError reply{400, "invalid request: " + parsed.error().message()};
            co_await Finish(reply);
            co_return;
        }
        auto slot = context_->limiter->AdmitRequest(client_.limit_key);
        if (!slot) {
            const bool busy = slot.error().code() == ErrorCode::kUnavailable;
            outcome_ = busy ? "rejected_busy" : "rejected_rate";
            const MatchError reply{busy ? 503 : 429, slot.error().message()};
            co_await Finish(reply);
            co_return;
        }
        parsed->client_ip = MatchmakerClientIp(context_->config, client_.ip, parsed->client_ip);
        GAPKIT_LOG_DEBUG("httpd", "matchmaking {} {} for {} (limited as {})", parsed->game, parsed->version,
                         *parsed->client_ip, client_.limit_key);
        context_->metrics.in_flight.Add(1);
        StartRelay(*parsed);
        // The gateway has sent its own copy: this one would otherwise live as long as the wait.
        parsed = protocol::MatchRequest();
        co_await Pump();
        watchdog_.cancel();
        channel_->close();
        context_->metrics.in_flight.Add(-1);
    }

    void StartRelay(const protocol::MatchRequest& request) {
        channel_ = std::make_shared<Channel>(ws_.get_executor(), kChannelCapacity);
        context_->gateway.Request(request, Handlers(channel_));
        asio::co_spawn(ws_.get_executor(), DrainReads(shared_from_this()), asio::detached);
        heard_at_ = std::chrono::steady_clock::now();
        request_deadline_ = heard_at_ + std::chrono::seconds(context_->config.request_timeout_seconds);
        WatchMatchmaker();
    }

    static ReplyHandlers Handlers(const std::shared_ptr<Channel>& channel) {
        // Called on a foreign thread: the channel is the only thing they touch, and it is thread-safe.
        return ReplyHandlers{
            [channel](RelayedReply reply) { channel->async_send({}, GatewayEvent{std::move(reply)}, asio::detached); },
            [channel](common::Status end) {
                channel->async_send({}, GatewayEvent{std::nullopt, std::move(end)}, asio::detached);
            }};
    }

    // Two bounds on the matchmaker: the whole request, and silence between replies (it sends
    // something at least every heartbeat period while it works; silence means it died or lost the
    // request, so the player hears it now, not at the overall timeout). One timer serves both, and
    // a reply only notes the time: the timer, when it fires early, waits again for what is left,
    // instead of being cancelled and re-armed for every reply.
    void WatchMatchmaker() {
        const auto silent_at = heard_at_ + std::chrono::seconds(context_->config.matchmaker_silence_seconds);
        watchdog_.expires_at(std::min(request_deadline_, silent_at));
        watchdog_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            auto self = weak.lock();
            if (!ec && self) self->OnWatchdog();
        });
    }

    void OnWatchdog() {
        const auto now = std::chrono::steady_clock::now();
        const int silence_seconds = context_->config.matchmaker_silence_seconds;
        if (now >= request_deadline_) {
            Push(common::MakeError(ErrorCode::kTimeout,
                                   fmt::format("no answer within {} s", context_->config.request_timeout_seconds)));
        } else if (now >= heard_at_ + std::chrono::seconds(silence_seconds)) {
            silent_ = true;
            Push(common::MakeError(
                ErrorCode::kUnavailable,
                fmt::format("the matchmaker stopped answering (nothing for {} s), try again", silence_seconds)));
        } else {
            WatchMatchmaker();
        }
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
                const MatchError reply = EndToError(event.end);
                co_await Finish(reply);
                co_return;
            }
            if (event.reply->kind != RelayedReply::Kind::kProgress) {
                outcome_ = event.reply->kind == RelayedReply::Kind::kReady ? "ready" : "error";
                context_->metrics.latency_seconds.Observe(
                    std::chrono::duration<double>(context_->clock.Now() - started_at_).count());
                const std::string_view text = event.reply->text;
                co_await FinishText(text);
                co_return;
            }
            heard_at_ = std::chrono::steady_clock::now();
            const std::string_view text = event.reply->text;
            const bool sent = co_await Send(text);
            if (!sent) co_return;
        }
    }

    // Reads (and ignores) whatever the client sends after its request, so control frames are
    // processed and a client that goes away ends the request early.
    // The bytes go to a small array in this frame and are overwritten: a growable buffer would
    // hold a frame-sized allocation (1.5 KB) per waiting player for nothing. The frame size limit
    // still applies (the stream checks each frame header against read_message_max).
    static asio::awaitable<void> DrainReads(std::shared_ptr<Session> self) {
        std::array<char, kDrainBytes> scratch{};
        const asio::mutable_buffer into(scratch.data(), scratch.size());
        for (;;) {
            auto [ec, bytes] = co_await self->ws_.async_read_some(into, kUseTuple);
            if (ec) break;
        }
        if (!self->closing_) {
            self->outcome_ = "client_gone";
            self->Push(common::MakeError(ErrorCode::kCancelled, "the client went away"));
        }
    }

    // One text frame, in one write.
    asio::awaitable<bool> Send(std::string_view text) {
        if (closing_) co_return false;
        Arm(write_watchdog_, std::chrono::seconds(context_->config.write_timeout_seconds), [](Session& self) {
            self.outcome_ = "slow_client";
            self.closing_ = true;  // The reader's failure that follows is ours, not the client leaving.
            boost::system::error_code ignored;
            beast::get_lowest_layer(self.ws_).socket().close(ignored);
        });
        ws_.text(true);
        auto [ec, bytes] = co_await ws_.async_write(asio::buffer(text), kUseTuple);
        write_watchdog_.cancel();
        co_return !ec;
    }

    asio::awaitable<void> FinishText(std::string_view text) {
        const bool sent = co_await Send(text);
        if (sent) co_await Close(websocket::close_code::normal, "");
    }

    // A reply httpd makes itself (refusals, timeouts). An error, not a MatchReply: each caller's
    // frame holds its argument for the whole session, and a MatchReply is as large as its largest
    // alternative.
    asio::awaitable<void> Finish(const MatchError& error) {
        const MatchReply reply = error;
        const std::string serialized = protocol::SerializeMatchReply(reply);
        const std::string_view text = serialized;
        co_await FinishText(text);
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
    asio::steady_timer watchdog_;  // The first message's timeout, then the matchmaker's bounds.
    asio::steady_timer write_watchdog_;
    const common::Clock::SteadyTime started_at_;
    std::chrono::steady_clock::time_point request_deadline_;
    std::chrono::steady_clock::time_point heard_at_;  // The matchmaker's last reply, or the request.
    std::shared_ptr<Channel> channel_;
    std::string outcome_ = "closed_early";
    bool closing_ = false;
    bool silent_ = false;
};

}  // namespace

asio::awaitable<void> ServeMatchmaking(std::shared_ptr<ServerContext> context, asio::ip::tcp::socket socket,
                                       HttpRequest request, ClientAddress client,
                                       std::unique_ptr<ClientLimiter::Lease> client_slot) {
    auto session =
        std::make_shared<Session>(std::move(context), std::move(socket), std::move(client), std::move(client_slot));
    return Session::Run(std::move(session), std::move(request));
}

}  // namespace gapkit::httpd
