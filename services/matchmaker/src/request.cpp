#include "request.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>
#include <string>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "capped_slot.hpp"
#include "gapkit/common/assert.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "session_batcher.hpp"
#include "token.hpp"

namespace gapkit::matchmaker {

Failure InternalFailure(const common::Error& error) {
    GAPKIT_LOG_ERROR("matchmaker", "internal failure: {}", error.ToString());
    return {500, "internal matchmaker error", "internal"};
}

Failure FromApiError(std::string_view endpoint, const common::Error& error) {
    const std::string detail = fmt::format("Edgegap {}: {}", endpoint, error.message());
    const edgegap::ErrorDetails details = edgegap::Details(error);
    if (details.category == edgegap::ErrorCategory::kRateLimited) {
        return {429, "the game server provider is busy, try again later", "rate_limited", detail};
    }
    const std::string status = details.http_status > 0 ? fmt::format(", HTTP {}", details.http_status) : "";
    return {502, fmt::format("the game server provider failed ({}{}), try again", endpoint, status), "edgegap_error",
            detail};
}

namespace {

namespace asio = boost::asio;
using Seconds = std::chrono::duration<double>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// How long a request keeps retrying bus reads and writes that failed for a reason that passes: a
// JetStream cluster answers "no responders" for the 4-6 s it takes to elect new stream leaders
// after a node died, and a restarted nats-server needs a few seconds to come back with its store.
// The player keeps getting heartbeats meanwhile (they queue in nats.c while it reconnects).
constexpr auto kBusRetryLimit = std::chrono::seconds(12);
constexpr auto kBusRetryFirstDelay = std::chrono::milliseconds(100);
constexpr auto kBusRetryMaxDelay = std::chrono::seconds(1);
// How long a browser's request waits for a new game server to state its certificate digest. A
// server states it right after it starts and the matchmaker checks it with Edgegap: about a second.
constexpr auto kDigestWaitLimit = std::chrono::seconds(10);

// What players read: Edgegap's status and the time since their request, "Waiting (1.2s)".
protocol::ProgressReport Progress(std::string_view status, double elapsed_seconds) {
    return {fmt::format("{} ({:.1f}s)", status, elapsed_seconds)};
}

bool Passes(const common::Status& status) {
    const common::ErrorCode code = status.error().code();
    return code == common::ErrorCode::kUnavailable || code == common::ErrorCode::kTimeout;
}

// Asynchronous bus calls sent one after the other without waiting, then awaited together: one
// round trip for all of them. Each call reports once on a bus thread; the last report wakes the
// request's strand.
class Pending {
  public:
    explicit Pending(asio::any_io_executor strand) : state_(std::make_shared<State>(std::move(strand))) {}

    /// Sends one call: `start` gets its report callback and returns whether it was sent (a call
    /// that was not sent counts as failed at once).
    template <typename Start>
    void Send(Start start) {
        {
            std::lock_guard lock(state_->mutex);
            ++state_->outstanding;
        }
        auto sent = start([state = state_](common::Status status) { state->End(std::move(status)); });
        if (!sent) state_->End(std::move(sent));
    }

    /// True once every call sent has succeeded (no waiting).
    bool Succeeded() const {
        auto done = state_->Done();
        return done && done->has_value();
    }

    /// Waits for every call sent: the first failure, else Ok. Every call has the bus library's
    /// timeout, so this ends.
    asio::awaitable<common::Status> Wait() {
        for (;;) {
            if (auto done = state_->Done()) co_return std::move(*done);
            co_await state_->waiter->Sleep(std::chrono::hours(1));
        }
    }

  private:
    struct State {
        explicit State(asio::any_io_executor strand) : waiter(std::make_shared<Waiter>(std::move(strand))) {}
        std::optional<common::Status> Done() {
            std::lock_guard lock(mutex);
            if (outstanding > 0) return std::nullopt;
            return first_failure;
        }
        void End(common::Status status) {
            std::lock_guard lock(mutex);
            if (!status && first_failure) first_failure = std::move(status);
            if (--outstanding == 0) waiter->Wake(waiter);
        }
        std::mutex mutex;
        int outstanding = 0;           // Guarded by mutex.
        common::Status first_failure;  // Guarded by mutex.
        const std::shared_ptr<Waiter> waiter;
    };
    std::shared_ptr<State> state_;
};

/// Everything that answers the requester, shared by the request, its heartbeat loop (which may
/// outlive the request by one cancelled timer wait) and its session's readiness wait (status
/// changes). `Send` and the status may be used from any thread; the timer on the request's strand.
struct Replies {
    Replies(bus::Connection& bus_in, bus::Message message_in, asio::any_io_executor executor)
        : bus(bus_in), message(std::move(message_in)), timer(std::move(executor)) {}

    // `last`: the final answer, which also ends the reply stream (bus::Connection::RespondLast).
    void Send(const protocol::MatchReply& reply, bool last = false) {
        {
            std::lock_guard lock(mutex);
            last_sent = std::chrono::steady_clock::now();
            answered = true;
        }
        const std::string bytes = protocol::SerializeMatchReply(reply);
        if (auto sent = last ? bus.RespondLast(message, bytes) : bus.Respond(message, bytes); !sent) {
            GAPKIT_LOG_WARN("matchmaker", "reply {} to {} failed: {}", protocol::ReplyName(reply), label,
                            sent.error().ToString());
        }
    }

    // The progress report of `status`, `elapsed_seconds` into the request.
    void ReportStatus(const std::string& new_status, double elapsed_seconds) {
        {
            std::lock_guard lock(mutex);
            if (finished) return;
            status = new_status;
        }
        Send(Progress(new_status, elapsed_seconds));
    }

    // When the last reply went out; nothing once the request finished.
    std::optional<std::chrono::steady_clock::time_point> LastSent() {
        std::lock_guard lock(mutex);
        if (finished) return std::nullopt;
        return last_sent;
    }

    // The status to repeat when nothing was sent for `period` and the request is still running.
    std::optional<std::string> StatusIfSilentFor(std::chrono::seconds period) {
        std::lock_guard lock(mutex);
        if (finished || std::chrono::steady_clock::now() - last_sent < period) return std::nullopt;
        return status;
    }

    // True while the request runs and nothing was sent yet.
    bool Unanswered() {
        std::lock_guard lock(mutex);
        return !finished && !answered;
    }

    void MarkFinished() {
        std::lock_guard lock(mutex);
        finished = true;
    }

    bus::Connection& bus;
    const bus::Message message;
    asio::steady_timer timer;  // The heartbeat's; cancelled when the request ends.
    std::string label = "?";   // "<client ip>" once parsed, for log lines. Request's strand only.
    std::mutex mutex;
    std::chrono::steady_clock::time_point last_sent = std::chrono::steady_clock::now();  // Guarded by mutex.
    std::string status = "waiting for Edgegap";  // The last status Edgegap reported. Guarded by mutex.
    bool finished = false;                       // Guarded by mutex.
    bool answered = false;                       // Anything sent yet. Guarded by mutex.
};

// A request answered quickly needs no `Acknowledged`: its first reply says as much, and skipping it
// spares every hop (nats-server, httpd, the player's socket) one message. One still unanswered after
// this (waiting for the Edgegap budget, a batch, a slow POST) gets it then.
constexpr auto kAcknowledgeAfter = std::chrono::milliseconds(50);

// A request that waits on Edgegap (a slow POST, a deployment that takes a minute) still sends a
// reply every heartbeat period, so that httpd can tell it from a matchmaker that died (it gives
// up after protocol::kMissedHeartbeatsBeforeGivingUp silent periods). Runs on the request's strand.
asio::awaitable<void> KeepAlive(std::shared_ptr<Replies> replies, const common::Clock& clock,
                                common::Clock::SteadyTime started) {
    replies->timer.expires_after(kAcknowledgeAfter);
    auto [cancelled] = co_await replies->timer.async_wait(kUseTuple);
    (void)cancelled;
    // Only this strand sends before SessionRequestAccepted, so nothing can slip in between.
    if (replies->Unanswered()) replies->Send(protocol::Acknowledged{});
    const auto period = std::chrono::seconds(protocol::kHeartbeatSeconds);
    while (auto last_sent = replies->LastSent()) {
        replies->timer.expires_at(*last_sent + period);
        // A cancelled wait (the request ended) and an expired one are told apart by `finished`.
        auto [ignored] = co_await replies->timer.async_wait(kUseTuple);
        (void)ignored;
        if (auto status = replies->StatusIfSilentFor(period)) {
            const double elapsed = Seconds(clock.Now() - started).count();
            replies->Send(Progress(*status, elapsed));
        }
    }
}

class Request {
  public:
    Request(RequestContext& context, bus::Message message, asio::any_io_executor executor)
        : ctx_(context),
          config_(context.config),
          replies_(std::make_shared<Replies>(context.bus, std::move(message), executor)),
          early_writes_(std::move(executor)),
          started_(context.clock.Now()) {}

    asio::awaitable<void> Run();

  private:
    asio::awaitable<Step<protocol::SessionReady>> Lifecycle();
    asio::awaitable<Step<edgegap::DeploymentStatus>> WaitUntilReady(Readiness& readiness);
    asio::awaitable<Step<protocol::SessionReady>> Issue(const edgegap::DeploymentStatus& deployment);
    Step<std::uint16_t> ClientPort(const edgegap::DeploymentStatus& deployment, const GameEndpoint& game) const;
    asio::awaitable<Step<std::string>> RecordIssue(std::uint64_t client_id, const std::string& deployment,
                                                   const std::string& ip);
    asio::awaitable<Step<std::string>> AwaitDigest(const std::string& deployment, const std::string& ip);
    void ReadDigest(Pending& reads, const std::string& deployment, std::shared_ptr<std::string> digest);
    bool NeedsFreshUnclaimed() const;
    void Send(const protocol::MatchReply& reply);
    void Finish(const Step<protocol::SessionReady>& result);
    double Elapsed() const { return Seconds(ctx_.clock.Now() - started_).count(); }

    RequestContext& ctx_;
    const MatchmakerConfig& config_;
    const std::shared_ptr<Replies> replies_;
    Pending early_writes_;                  // The unclaimed record written when the session was placed.
    std::uint64_t early_written_unix_ = 0;  // The time that record holds.
    const common::Clock::SteadyTime started_;
    std::string session_id_;  // Set once Edgegap created the session.
    std::string seat_id_;     // The player's seat in it (seat.hpp): the key of its records.
    protocol::Transport transport_ = protocol::Transport::kUdp;
    double created_seconds_ = 0;
};

asio::awaitable<void> Request::Run() {
    Step<protocol::SessionReady> result;
    asio::co_spawn(replies_->timer.get_executor(), KeepAlive(replies_, ctx_.clock, started_), asio::detached);
    try {
        result = co_await Lifecycle();
    } catch (const std::exception& error) {
        // The one top-level catch: a bug or an allocation failure still gets the player an answer
        // and the session its deletion.
        result = tl::unexpected(InternalFailure(common::Error(common::ErrorCode::kInternal, error.what())));
    }
    // A failed request deletes its seat, which removes the unclaimed record: that write must have
    // landed first, or it would bring the record back for the reaper to find again.
    if (!result && !seat_id_.empty()) (void)co_await early_writes_.Wait();
    Finish(result);
    const int in_flight_before = ctx_.in_flight.fetch_sub(1);
    GAPKIT_ASSERT(in_flight_before > 0, "RunRequest's caller counted this request in in_flight");
    ctx_.metrics.in_flight.Add(-1);
}

asio::awaitable<Step<protocol::SessionReady>> Request::Lifecycle() {
    auto parsed = protocol::ParseMatchRequest(replies_->message.data);
    if (!parsed) co_return tl::unexpected(Failure{400, parsed.error().message(), "bad_request"});
    if (!parsed->client_ip) co_return tl::unexpected(Failure{400, "client_ip is required", "bad_request"});
    replies_->label = *parsed->client_ip;
    transport_ = parsed->transport;
    if (ctx_.draining)
        co_return tl::unexpected(Failure{503, "matchmaker is shutting down, try again", "shutting_down"});
    CappedSlot slot(ctx_.sessions_in_creation, config_.max_concurrent_sessions);
    if (!slot) {
        co_return tl::unexpected(Failure{503, "too many game sessions are being created, try again later", "busy"});
    }
    auto placed = co_await ctx_.batcher->Place(*parsed->client_ip);
    if (!placed) co_return tl::unexpected(placed.error());
    session_id_ = placed->readiness->session_id();
    seat_id_ = placed->seat_id;
    created_seconds_ = Elapsed();
    // Not awaited on the way to the token, whose records write it again; a failure's delete waits
    // for it (Run).
    early_written_unix_ = ctx_.clock.UnixSeconds();
    early_writes_.Send([&](SessionBook::StatusDone done) { return ctx_.book.RecordUnclaimedAsync(seat_id_, done); });
    Send(protocol::SessionRequestAccepted{session_id_});
    auto deployment = co_await WaitUntilReady(*placed->readiness);
    if (!deployment) co_return tl::unexpected(deployment.error());
    co_return co_await Issue(*deployment);
}

asio::awaitable<Step<edgegap::DeploymentStatus>> Request::WaitUntilReady(Readiness& readiness) {
    auto executor = co_await asio::this_coro::executor;  // Not in an argument list: see RunRequest.
    auto waiter = std::make_shared<Waiter>(executor);
    readiness.Join(
        [replies = replies_, &clock = ctx_.clock, started = started_](const std::string& status) {
            replies->ReportStatus(status, Seconds(clock.Now() - started).count());
        },
        waiter);
    for (;;) {
        if (auto result = readiness.Result()) co_return std::move(*result);
        co_await waiter->Sleep(std::chrono::hours(1));
    }
}

asio::awaitable<Step<protocol::SessionReady>> Request::Issue(const edgegap::DeploymentStatus& deployment) {
    auto endpoint = PickGameEndpoint(deployment, config_.game_port_name);
    if (!endpoint) co_return tl::unexpected(Failure{502, endpoint.error().message(), "edgegap_error"});
    auto port = ClientPort(deployment, *endpoint);
    if (!port) co_return tl::unexpected(port.error());
    const std::uint64_t client_id = NewClientId();
    const TokenSettings settings{config_.protocol_id, config_.private_key, config_.token_expire_seconds,
                                 config_.token_timeout_seconds};
    auto token = MintToken(settings, *endpoint, client_id, ctx_.clock.UnixSeconds());
    if (!token) co_return tl::unexpected(InternalFailure(token.error()));
    auto digest = co_await RecordIssue(client_id, deployment.request_id, endpoint->ip);
    if (digest && digest->empty() && transport_ == protocol::Transport::kWebTransport) {
        digest = co_await AwaitDigest(deployment.request_id, endpoint->ip);
    }
    if (!digest) co_return tl::unexpected(digest.error());
    co_return protocol::SessionReady{std::move(*token), endpoint->ip, *port, std::move(*digest)};
}

// The port the player's client connects to. The token always names the game port: a netcode
// server admits only tokens that name its own address, and a WebTransport session is one more
// client of that same server, reached on a port of its own.
Step<std::uint16_t> Request::ClientPort(const edgegap::DeploymentStatus& deployment, const GameEndpoint& game) const {
    if (transport_ == protocol::Transport::kUdp) return game.port;
    const std::string& name = config_.webtransport_port_name;
    common::Result<GameEndpoint> web = common::MakeError(common::ErrorCode::kNotFound, "no port name configured");
    if (!name.empty()) web = PickGameEndpoint(deployment, name);
    if (!web) {
        return tl::unexpected(Failure{400, "this game offers no WebTransport port, connect over UDP", "bad_request",
                                      fmt::format("WebTransport port '{}': {}", name, web.error().message())});
    }
    return web->port;
}

// The token's records and the server's certificate digest (unless DigestCache has it), in one round
// trip: the deployment is recorded with the mapping (a game server's join is accepted only on it),
// and the unclaimed record is written again (NeedsFreshUnclaimed) so that the reaper measures the
// seat's age from the token's issue. Each try sends them all; every one is idempotent, so a try that
// failed for a passing reason (see kBusRetryLimit) is simply repeated.
asio::awaitable<Step<std::string>> Request::RecordIssue(std::uint64_t client_id, const std::string& deployment,
                                                        const std::string& ip) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    const auto deadline = std::chrono::steady_clock::now() + kBusRetryLimit;
    std::chrono::milliseconds delay = kBusRetryFirstDelay;
    const std::optional<std::string> cached = ctx_.digests.Find(deployment, ip, ctx_.clock.Now());
    for (;;) {
        Pending writes(executor);
        auto digest = std::make_shared<std::string>();
        writes.Send([&](SessionBook::StatusDone done) {
            return ctx_.book.RecordMappingAsync(seat_id_, client_id, deployment, done);
        });
        if (NeedsFreshUnclaimed()) {
            writes.Send([&](SessionBook::StatusDone done) { return ctx_.book.RecordUnclaimedAsync(seat_id_, done); });
        }
        if (!cached) ReadDigest(writes, deployment, digest);
        const common::Status status = co_await writes.Wait();
        if (status && cached) co_return *cached;
        if (status) {
            ctx_.digests.Remember(deployment, ip, *digest, ctx_.clock.Now());
            co_return std::move(*digest);
        }
        if (ctx_.aborting || !Passes(status) || std::chrono::steady_clock::now() + delay > deadline) {
            co_return tl::unexpected(InternalFailure(status.error()));
        }
        GAPKIT_LOG_DEBUG("matchmaker", "bus: {}; retrying in {} ms", status.error().ToString(), delay.count());
        timer.expires_after(delay);
        auto [ignored] = co_await timer.async_wait(kUseTuple);
        (void)ignored;
        delay = std::min<std::chrono::milliseconds>(delay * 2, kBusRetryMaxDelay);
    }
}

void Request::ReadDigest(Pending& reads, const std::string& deployment, std::shared_ptr<std::string> digest) {
    reads.Send([&](SessionBook::StatusDone done) {
        return ctx_.book.CertDigestAsync(deployment, [digest, done](common::Result<std::string> read) {
            if (!read) return done(common::Fail(read.error()));
            *digest = std::move(*read);
            done(common::Ok());
        });
    });
}

// A browser pins the game server's certificate by its digest and cannot connect without it, so a
// WebTransport player whose server has not stated it yet (a server that just started) waits for
// it instead of getting an empty one. UDP players do not need it.
asio::awaitable<Step<std::string>> Request::AwaitDigest(const std::string& deployment, const std::string& ip) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    const auto deadline = std::chrono::steady_clock::now() + kDigestWaitLimit;
    std::chrono::milliseconds delay = kBusRetryFirstDelay;
    while (!ctx_.aborting && std::chrono::steady_clock::now() + delay <= deadline) {
        timer.expires_after(delay);
        auto [ignored] = co_await timer.async_wait(kUseTuple);
        (void)ignored;
        delay = std::min<std::chrono::milliseconds>(delay * 2, kBusRetryMaxDelay);
        Pending reads(executor);
        auto digest = std::make_shared<std::string>();
        ReadDigest(reads, deployment, digest);
        if (const common::Status status = co_await reads.Wait(); status && !digest->empty()) {
            ctx_.digests.Remember(deployment, ip, *digest, ctx_.clock.Now());
            co_return std::move(*digest);
        }
    }
    co_return tl::unexpected(Failure{503, "the game server is not ready for browsers yet, try again", "no_cert_digest",
                                     fmt::format("deployment {} stated no certificate digest", deployment)});
}

// The reaper ages a seat from its unclaimed record, which must say when the token was issued, give
// or take far less than the reap grace. A first record written moments ago and stored already says
// so: rewriting it would cost a JetStream write per match on a warm deployment for nothing.
bool Request::NeedsFreshUnclaimed() const {
    constexpr std::uint64_t kFreshEnoughSeconds = 2;
    return !early_writes_.Succeeded() || ctx_.clock.UnixSeconds() >= early_written_unix_ + kFreshEnoughSeconds;
}

void Request::Send(const protocol::MatchReply& reply) { replies_->Send(reply); }

void Request::Finish(const Step<protocol::SessionReady>& result) {
    // A failed enqueue is kept in memory and retried by the reaper pass (leak path (c): the
    // unclaimed record may be missing too, so nothing else would find the seat).
    if (!result && !seat_id_.empty()) ctx_.book.EnqueueDeleteOrKeep(seat_id_, result.error().outcome);
    if (result) {
        replies_->Send(*result, true);
    } else {
        replies_->Send(protocol::MatchError{result.error().code, result.error().message}, true);
    }
    replies_->MarkFinished();
    replies_->timer.cancel();
    const std::string outcome = result ? "ready" : result.error().outcome;
    const double total = Elapsed();
    ctx_.metrics.CountRequest(outcome, total);
    std::string error;
    if (!result) {
        error = fmt::format(" error=\"{}\"", result.error().message);
        if (!result.error().detail.empty()) error += fmt::format(" detail=\"{}\"", result.error().detail);
    }
    GAPKIT_LOG_INFO("matchmaker",
                    "request client_ip={} session={} seat={} outcome={} code={} created_s={:.3f} total_s={:.3f}{}",
                    replies_->label, session_id_.empty() ? "-" : session_id_, seat_id_.empty() ? "-" : seat_id_,
                    outcome, result ? 200 : result.error().code, created_seconds_, total, error);
}

}  // namespace

asio::awaitable<void> RunRequest(RequestContext& context, bus::Message message) {
    // GCC 12 miscompiles co_await inside an argument list: the executor is a named local first.
    auto executor = co_await asio::this_coro::executor;
    Request request(context, std::move(message), executor);
    co_await request.Run();
}

}  // namespace gapkit::matchmaker
