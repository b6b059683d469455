#include "server.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "connection.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/common/log.hpp"

namespace gapkit::httpd {
namespace asio = boost::asio;
using asio::ip::tcp;
using common::ErrorCode;
using common::MakeError;

namespace {

std::string ContentType(const std::filesystem::path& path) {
    const std::string ext = path.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".png") return "image/png";
    if (ext == ".svg") return "image/svg+xml";
    return "application/octet-stream";
}

// The web root is read once at start-up: no request ever touches the file system, so no path in
// a URL can reach outside it.
common::Result<std::map<std::string, StaticFile>> LoadWebRoot(const std::string& root) {
    std::map<std::string, StaticFile> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root, ec)) {
        if (!entry.is_regular_file()) continue;
        auto body = common::ReadFile(entry.path());
        if (!body) return common::Fail(body.error());
        const auto relative = std::filesystem::relative(entry.path(), root).generic_string();
        files["/" + relative] = StaticFile{ContentType(entry.path()), std::move(*body)};
    }
    if (ec) return MakeError(ErrorCode::kInvalidArgument, fmt::format("web root {}: {}", root, ec.message()));
    return files;
}

constexpr int kEvictOnExhaustion = 16;
constexpr int kShedPerRound = 256;
constexpr auto kExhaustionBackoff = std::chrono::milliseconds(20);
constexpr auto kExhaustionLogInterval = std::chrono::seconds(10);

bool IsDescriptorExhaustion(const boost::system::error_code& ec) {
    return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
           ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

// Idle connects must not be able to use up the descriptors themselves: at most half of them may
// wait for a request, the rest stays for identified connections, NATS and files.
int PendingCap(int configured) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return configured;
    const auto half = static_cast<int>(std::min<rlim_t>(limit.rlim_cur / 2, 1 << 30));
    if (half >= configured) return configured;
    GAPKIT_LOG_INFO("httpd", "max pending connections {} lowered to {} (half the open-file limit {})", configured,
                    std::max(1, half), limit.rlim_cur);
    return std::max(1, half);
}

// One spare file descriptor (/dev/null), given up for a moment to accept-and-close connections
// when the process has none left. Touched by the accept loop only.
class ReserveDescriptor {
  public:
    ReserveDescriptor() { Acquire(); }
    ~ReserveDescriptor() { Release(); }
    ReserveDescriptor(const ReserveDescriptor&) = delete;
    ReserveDescriptor& operator=(const ReserveDescriptor&) = delete;
    void Acquire() {
        if (fd_ < 0) fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    void Release() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_ = -1;
};

}  // namespace

ServerMetrics::ServerMetrics(common::MetricsRegistry& r)
    : registry(r),
      connections(r.GetGauge("gapkit_httpd_connections", "Open client connections.")),
      in_flight(r.GetGauge("gapkit_httpd_matchmaking_in_flight", "Matchmaking requests in flight.")),
      latency_seconds(r.GetHistogram("gapkit_httpd_matchmaking_seconds", "Time from connect to the final reply.",
                                     common::DefaultLatencyBucketsSeconds())),
      http_requests(r.GetCounter("gapkit_httpd_http_requests_total", "Plain HTTP requests answered.")) {}

common::Counter& ServerMetrics::Outcome(std::string_view outcome) {
    return registry.GetCounter("gapkit_httpd_matchmaking_total", "Matchmaking WebSocket sessions by outcome.",
                               {{"outcome", std::string(outcome)}});
}

common::Counter& ServerMetrics::Rejected(std::string_view reason) {
    return registry.GetCounter("gapkit_httpd_rejected_total", "Connections refused by a limit.",
                               {{"reason", std::string(reason)}});
}

std::uint64_t SessionRegistry::Add(Closer closer) {
    std::lock_guard lock(mutex_);
    closers_.emplace(++next_id_, std::move(closer));
    return next_id_;
}

void SessionRegistry::Remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    closers_.erase(id);
}

void SessionRegistry::CloseAll() {
    stopping_.store(true);
    std::map<std::uint64_t, Closer> closers;
    {
        std::lock_guard lock(mutex_);
        closers = closers_;
    }
    for (auto& [id, close] : closers) close();
}

ServerContext::ServerContext(const HttpdConfig& c, ClientAddressPolicy policy, int max_pending_connections,
                             MatchmakerGateway& g, const common::Clock& k, common::MetricsRegistry& registry,
                             std::map<std::string, StaticFile> f)
    : config(c),
      address_policy(std::move(policy)),
      gateway(g),
      clock(k),
      metrics(registry),
      limiter(std::make_shared<ClientLimiter>(
          ClientLimits{c.per_ip_requests_per_minute, c.per_ip_burst, c.per_ip_max_connections, c.max_connections,
                       c.max_in_flight, c.webhook_failures_per_minute},
          k)),
      files(std::move(f)),
      pending(max_pending_connections) {}

namespace {

// Peer addresses as the limits key them: an IPv4-mapped IPv6 peer counts as its IPv4 address.
std::string PeerAddress(const tcp::endpoint& peer) {
    const auto address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

}  // namespace

struct HttpServer::Impl {
    // The concurrency hint tells Asio when a single thread runs the loop, which spares it waking
    // other threads for work it can run itself.
    explicit Impl(int threads) : io(threads) {}

    asio::io_context io;
    tcp::acceptor acceptor{io};
    asio::steady_timer backoff{io};
    ReserveDescriptor reserve;
    common::Clock::SteadyTime exhaustion_logged_at{};
    std::shared_ptr<ServerContext> context;
    std::vector<std::thread> threads;
    std::mutex stop_mutex;
    bool stopped = false;  // Guarded by stop_mutex.

    // With one I/O thread every handler already runs in order, so a strand per connection would only
    // add a hand-off per operation; with more, each connection needs one.
    asio::any_io_executor ConnectionExecutor() {
        if (context->config.threads == 1) return io.get_executor();
        return asio::make_strand(io);
    }

    asio::awaitable<void> Accept() {
        for (;;) {
            tcp::endpoint peer;  // From accept itself, so no getpeername() per connection.
            auto [ec, socket] =
                co_await acceptor.async_accept(ConnectionExecutor(), peer, asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (IsDescriptorExhaustion(ec)) {
                co_await OnDescriptorsExhausted(ec);
                continue;
            }
            if (ec) continue;  // A client that vanished during accept is not our problem.
            // Replies are small and final: without this, the last frames wait out the peer's delayed ACK.
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            context->metrics.connections.Add(1);
            auto executor = socket.get_executor();
            asio::co_spawn(executor, ServeConnection(context, std::move(socket), PeerAddress(peer)),
                           [context = context](std::exception_ptr error) {
                               context->metrics.connections.Add(-1);
                               if (!error) return;
                               try {
                                   std::rethrow_exception(error);
                               } catch (const std::exception& e) {
                                   GAPKIT_LOG_ERROR("httpd", "connection failed: {}", e.what());
                               }
                           });
        }
    }

    // Out of file descriptors, accept would fail at once forever: a spin. Instead free what can be
    // freed (the oldest connections that have not said anything), or, with none of those, shed
    // what waits in the backlog through the reserve descriptor so it is refused instead of left
    // hanging; then wait a moment before accepting again.
    asio::awaitable<void> OnDescriptorsExhausted(const boost::system::error_code& ec) {
        context->metrics.Rejected("descriptors").Increment();
        const auto now = context->clock.Now();
        if (now - exhaustion_logged_at >= kExhaustionLogInterval) {
            exhaustion_logged_at = now;
            GAPKIT_LOG_WARN("httpd", "accept: {} ({} connections waiting for a request); shedding connections",
                            ec.message(), context->pending.size());
        }
        if (context->pending.EvictOldest(kEvictOnExhaustion) == 0) Shed();
        backoff.expires_after(kExhaustionBackoff);
        co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    }

    // Everything waiting in the backlog is refused now rather than one per back-off period, so a
    // client learns at once instead of queueing behind a flood.
    void Shed() {
        reserve.Release();
        for (int i = 0; i < kShedPerRound; ++i) {
            boost::system::error_code ec;
            tcp::socket waiting = acceptor.accept(ec);  // Non-blocking acceptor: would_block when none waits.
            if (ec) break;
            context->metrics.Rejected("shed").Increment();
            waiting.close(ec);
        }
        reserve.Acquire();
    }

    common::Status Listen(const HttpdConfig& config) {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(config.bind_address, ec);
        if (ec)
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("bind address '{}' is not an IP", config.bind_address));
        const tcp::endpoint endpoint(address, config.port);
        acceptor.open(endpoint.protocol(), ec);
        if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor.bind(endpoint, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) acceptor.non_blocking(true, ec);
        if (ec) {
            return MakeError(ErrorCode::kUnavailable,
                             fmt::format("cannot listen on {}:{}: {}", config.bind_address, config.port, ec.message()));
        }
        return common::Ok();
    }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

common::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpdConfig& config, ServerDependencies deps) {
    if (auto valid = config.Validate(); !valid) return common::Fail(valid.error());
    auto files = LoadWebRoot(config.web_root.empty() ? DefaultWebRoot() : config.web_root);
    if (!files) return common::Fail(files.error());
    auto policy = ClientAddressPolicy::FromConfig(config);
    if (!policy) return common::Fail(policy.error());
    auto impl = std::make_unique<Impl>(config.threads);
    const int max_pending = PendingCap(config.max_pending_connections);
    impl->context = std::make_shared<ServerContext>(config, std::move(*policy), max_pending, deps.gateway, deps.clock,
                                                    deps.metrics, std::move(*files));
    if (auto listening = impl->Listen(config); !listening) return common::Fail(listening.error());
    asio::co_spawn(impl->io, impl->Accept(), asio::detached);
    for (int i = 0; i < config.threads; ++i) impl->threads.emplace_back([io = &impl->io] { io->run(); });
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const {
    boost::system::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Stop() {
    std::lock_guard lock(impl_->stop_mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
    asio::post(impl_->acceptor.get_executor(), [this] {
        boost::system::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->context->sessions.CloseAll();
    // Sessions get the grace to tell their clients; then whatever is left is cut.
    std::thread watchdog(
        [io = &impl_->io, grace = std::chrono::seconds(impl_->context->config.shutdown_grace_seconds)] {
            const auto deadline = std::chrono::steady_clock::now() + grace;
            while (!io->stopped() && std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            io->stop();
        });
    for (auto& thread : impl_->threads) thread.join();
    impl_->io.stop();
    watchdog.join();
}

}  // namespace gapkit::httpd
