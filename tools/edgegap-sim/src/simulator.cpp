#include "gapkit/edgegap_sim/simulator.hpp"

#include <stdlib.h>

#include <mutex>
#include <thread>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "admin.hpp"
#include "api.hpp"
#include "calls.hpp"
#include "gapkit/common/log.hpp"
#include "http_server.hpp"
#include "observe.hpp"
#include "process_launcher.hpp"
#include "rate_limit_enforcer.hpp"
#include "webhook.hpp"

namespace gapkit::edgegap_sim {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
constexpr std::chrono::seconds kWebhookTimeout{10};

HttpResponse MakeResponse(unsigned status, std::string body, std::string_view content_type = "application/json") {
    HttpResponse response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, content_type);
    response.set(http::field::server, "gapkit-edgegap-sim");
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

HttpResponse JsonResponse(unsigned status, const boost::json::object& body) {
    return MakeResponse(status, boost::json::serialize(body));
}

HttpResponse TooManyRequests(int retry_after_seconds) {
    auto response = JsonResponse(429, ErrorBody("Too Many Requests"));
    response.set(http::field::retry_after, std::to_string(retry_after_seconds));
    return response;
}

common::Result<std::filesystem::path> MakeLogDir(const std::filesystem::path& wanted) {
    std::error_code ec;
    if (!wanted.empty()) {
        std::filesystem::create_directories(wanted, ec);
        if (ec) return common::MakeError(common::ErrorCode::kIo, "log_dir " + wanted.string() + ": " + ec.message());
        return wanted;
    }
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "edgegap-sim-XXXXXX").string();
    if (ec || ::mkdtemp(pattern.data()) == nullptr) {
        return common::MakeError(common::ErrorCode::kIo, "cannot create a temp folder for deployment logs");
    }
    return std::filesystem::path(pattern);
}

std::chrono::seconds LongestGrace(const SimulatorConfig& config) {
    std::chrono::seconds longest{0};
    for (const auto& app : config.apps) {
        for (const auto& version : app.versions) longest = std::max(longest, version.termination_grace_period);
    }
    return longest;
}

}  // namespace

class Simulator::Impl final : public Runtime {
  public:
    explicit Impl(SimulatorConfig config)
        : config_(std::move(config)), faults_(config_.faults), rate_limit_enforcer_(config_.rate_limits) {}

    ~Impl() override { Stop(); }

    common::Status Init();
    void Stop();
    std::uint16_t port() const { return server_->port(); }
    const std::string& base_url() const { return base_url_; }
    void SetFaults(const Faults& faults) { faults_.Set(faults); }
    CallCounters& calls() { return calls_; }
    SimulatorState State() {
        std::lock_guard lock(mutex_);
        return Snapshot(*world_);
    }

    common::Result<std::uint16_t> AllocatePort(std::string_view protocol) override {
        return AllocateFreePort(config_.public_ip, protocol);
    }
    common::Status Launch(const LaunchSpec& spec) override { return launcher_->Launch(spec); }
    void Terminate(const std::string& request_id, std::chrono::seconds grace) override {
        launcher_->Terminate(request_id, grace);
    }
    void Kill(const std::string& request_id) override { launcher_->Kill(request_id); }
    std::string ReadLog(const std::string& request_id, std::size_t max_bytes) override {
        return launcher_->ReadLog(request_id, max_bytes);
    }
    void PostWebhook(const std::string& url, std::string json_body) override {
        webhooks_.Post(url, std::move(json_body));
    }

  private:
    net::awaitable<std::optional<HttpResponse>> Handle(HttpRequest request);
    net::awaitable<std::optional<HttpResponse>> HandleApiWithFaults(HttpRequest request);
    net::awaitable<void> Sleep(std::chrono::milliseconds duration);
    HttpResponse HandleAdmin(const HttpRequest& request);
    HttpResponse HandleFaults(const HttpRequest& request);
    HttpResponse HandleCalls(const HttpRequest& request);
    net::awaitable<void> TickLoop();
    void ApplyExits(const std::vector<ProcessExit>& exits);

    // Constant after Init.
    net::io_context ioc_;  // First member: destroyed last, after everything its handlers touch.
    const SimulatorConfig config_;
    const common::Clock& clock_ = common::SystemClock::Instance();
    FaultState faults_;   // Thread-safe on its own.
    CallCounters calls_;  // Thread-safe on its own.
    std::string base_url_;
    WebhookSender webhooks_{ioc_, kWebhookTimeout};
    std::shared_ptr<HttpServer> server_;
    std::thread thread_;

    std::mutex mutex_;
    // Guarded by mutex_.
    std::unique_ptr<ProcessLauncher> launcher_;
    std::unique_ptr<World> world_;
    RateLimitEnforcer rate_limit_enforcer_;
    bool stopped_ = false;
};

common::Status Simulator::Impl::Init() {
    auto log_dir = MakeLogDir(config_.log_dir);
    if (!log_dir) return common::Fail(log_dir.error());
    launcher_ = std::make_unique<ProcessLauncher>(*log_dir, clock_);
    HttpServerOptions options{config_.bind_address, config_.port, config_.max_body_bytes, config_.read_timeout};
    auto server = HttpServer::Listen(ioc_, options, [this](HttpRequest request) { return Handle(std::move(request)); });
    if (!server) return common::Fail(server.error());
    server_ = *server;
    // Processes call back the context and delete URLs, so a wildcard bind is reached via loopback.
    const bool wildcard = config_.bind_address == "0.0.0.0" || config_.bind_address == "::";
    base_url_ = fmt::format("http://{}:{}", wildcard ? "127.0.0.1" : config_.bind_address, server_->port());
    world_ = std::make_unique<World>(config_, clock_, *this, faults_, base_url_);
    net::co_spawn(ioc_, TickLoop(), net::detached);
    thread_ = std::thread([this] { ioc_.run(); });
    GAPKIT_LOG_INFO("edgegap-sim", "serving the Edgegap API on {} (deployment logs in {})", base_url_,
                    log_dir->string());
    return common::Ok();
}

void Simulator::Impl::Stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    if (server_) server_->Close();
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    if (launcher_ && world_) ApplyExits(launcher_->StopAll(LongestGrace(config_)));
    GAPKIT_LOG_INFO("edgegap-sim", "stopped");
}

void Simulator::Impl::ApplyExits(const std::vector<ProcessExit>& exits) {
    for (const auto& exit : exits) world_->OnProcessExit(exit);
}

net::awaitable<void> Simulator::Impl::TickLoop() {
    net::steady_timer timer(ioc_);
    for (;;) {
        timer.expires_after(config_.tick_interval);
        auto [ec] = co_await timer.async_wait(kUseTuple);
        if (ec) co_return;
        std::lock_guard lock(mutex_);
        world_->Tick();
        ApplyExits(launcher_->Poll());
    }
}

net::awaitable<std::optional<HttpResponse>> Simulator::Impl::Handle(HttpRequest request) {
    const std::string_view target = request.target();
    const bool get = request.method() == http::verb::get;
    if (IsApiPath(target)) co_return co_await HandleApiWithFaults(std::move(request));
    if (target.rfind("/admin/", 0) == 0) co_return HandleAdmin(request);
    if (get && target == "/metrics") {
        // No key, like a Prometheus scrape target: it holds counts only, no ids, tokens or keys.
        co_return MakeResponse(200, MetricsText(calls_.Snapshot(), State()), "text/plain; version=0.0.4");
    }
    if (get && (target == "/" || target == "/index.html")) {
        std::lock_guard lock(mutex_);
        co_return MakeResponse(200, RenderStatusPage(*world_), "text/html; charset=utf-8");
    }
    co_return JsonResponse(404, ErrorBody("Not found"));
}

net::awaitable<void> Simulator::Impl::Sleep(std::chrono::milliseconds duration) {
    if (duration.count() <= 0) co_return;
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(kUseTuple);
}

net::awaitable<std::optional<HttpResponse>> Simulator::Impl::HandleApiWithFaults(HttpRequest request) {
    const ApiRoute route = RouteOf(request);
    auto count = [&](std::string_view status, std::string_view fault) {
        calls_.Count(route.method, route.path, status, fault);
    };
    const Faults faults = faults_.Get();
    co_await Sleep(faults.added_latency);
    if (faults_.Roll(&Faults::drop_connection_fraction)) {
        count("dropped", "dropped");
        co_return std::nullopt;
    }
    if (faults_.TakeRateLimit()) {
        count("429", "injected_429");
        co_return TooManyRequests(faults.retry_after_seconds);
    }
    ApiAnswer answer;
    {
        std::lock_guard lock(mutex_);
        if (!rate_limit_enforcer_.Allow(Classify(request), clock_.Now())) {
            count("429", "none");
            co_return TooManyRequests(faults.retry_after_seconds);
        }
        if (faults_.Roll(&Faults::server_error_fraction)) {
            static const unsigned kCodes[] = {500, 502, 503};
            const unsigned code = kCodes[clock_.Now().time_since_epoch().count() % 3];
            count(std::to_string(code), "injected_5xx");
            co_return JsonResponse(code, ErrorBody("injected fault: internal server error"));
        }
        answer = HandleApi(*world_, request);
    }
    // The call is performed; the faults below only lose, cut or delay its answer.
    const std::string name = route.Name();
    if (faults_.TakeRouted(&Faults::lose_next_answers, name)) {
        count("lost", "lost");
        // A lost answer looks like silence: hold the connection until the client gives up and
        // closes it (we never read it again), then close it as an idle proxy would.
        co_await Sleep(config_.read_timeout);
        co_return std::nullopt;
    }
    if (faults_.TakeRouted(&Faults::reset_next_answers, name)) {
        count("reset", "reset");
        co_return std::nullopt;
    }
    const bool stalled = faults_.TakeRouted(&Faults::stall_next_answers, name);
    std::string body = boost::json::serialize(answer.body);
    const bool malformed = answer.status == 200 && faults_.Roll(&Faults::malformed_json_fraction);
    if (malformed) body.resize(body.size() / 2);
    count(std::to_string(answer.status), stalled ? "stalled" : malformed ? "malformed" : "none");
    if (stalled) co_await Sleep(faults.stall);
    co_return MakeResponse(answer.status, std::move(body));
}

HttpResponse Simulator::Impl::HandleAdmin(const HttpRequest& request) {
    const std::string_view authorization = request[http::field::authorization];
    if (authorization != "token " + config_.api_key && authorization != config_.api_key) {
        return JsonResponse(401, ErrorBody("Invalid Token"));
    }
    const std::string_view target = request.target();
    if (target == "/admin/faults") return HandleFaults(request);
    if (target == "/admin/calls") return HandleCalls(request);
    if (target == "/admin/state") {
        if (request.method() != http::verb::get) return JsonResponse(405, ErrorBody("use GET"));
        return JsonResponse(200, StateJson(State()));
    }
    return JsonResponse(404, ErrorBody("Not found"));
}

HttpResponse Simulator::Impl::HandleFaults(const HttpRequest& request) {
    if (request.method() == http::verb::post) {
        auto faults = ParseFaults(request.body(), Faults{});
        if (!faults) return JsonResponse(400, ErrorBody(faults.error().message()));
        faults_.Set(*faults);
        GAPKIT_LOG_INFO("edgegap-sim", "faults set: {}", boost::json::serialize(FaultsJson(*faults)));
    } else if (request.method() != http::verb::get) {
        return JsonResponse(405, ErrorBody("use GET or POST"));
    }
    return JsonResponse(200, FaultsJson(faults_.Get()));
}

HttpResponse Simulator::Impl::HandleCalls(const HttpRequest& request) {
    if (request.method() == http::verb::delete_) {
        calls_.Reset();
        GAPKIT_LOG_INFO("edgegap-sim", "call counters reset");
    } else if (request.method() != http::verb::get) {
        return JsonResponse(405, ErrorBody("use GET or DELETE"));
    }
    return JsonResponse(200, CallsJson(calls_.Snapshot()));
}

common::Result<std::unique_ptr<Simulator>> Simulator::Start(SimulatorConfig config) {
    if (auto valid = config.Validate(); !valid) return common::Fail(valid.error());
    auto impl = std::make_unique<Impl>(std::move(config));
    if (auto started = impl->Init(); !started) return common::Fail(started.error());
    return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() { Stop(); }
std::uint16_t Simulator::port() const { return impl_->port(); }
std::string Simulator::base_url() const { return impl_->base_url(); }
void Simulator::SetFaults(const Faults& faults) { impl_->SetFaults(faults); }
std::vector<CallCount> Simulator::Calls() const { return impl_->calls().Snapshot(); }
std::uint64_t Simulator::CountCalls(std::string_view method, std::string_view route, std::string_view status) const {
    return SumCalls(impl_->calls().Snapshot(), method, route, status);
}
void Simulator::ResetCalls() { impl_->calls().Reset(); }
SimulatorState Simulator::State() const { return impl_->State(); }
void Simulator::Stop() { impl_->Stop(); }

}  // namespace gapkit::edgegap_sim
