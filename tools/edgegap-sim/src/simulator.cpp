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
#include "gapkit/common/log.hpp"
#include "http_server.hpp"
#include "process_launcher.hpp"
#include "rate_limiter.hpp"
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

HttpResponse TooManyRequests(int retry_after_seconds) {
    auto response = MakeResponse(429, boost::json::serialize(ErrorBody("Too Many Requests")));
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
        : config_(std::move(config)), faults_(config_.faults), rate_limiter_(config_.rate_limits) {}

    ~Impl() override { Stop(); }

    common::Status Init();
    void Stop();
    std::uint16_t port() const { return server_->port(); }
    const std::string& base_url() const { return base_url_; }
    void SetFaults(const Faults& faults) { faults_.Set(faults); }

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
        edgegap_sim::PostWebhook(ioc_, url, std::move(json_body), kWebhookTimeout);
    }

  private:
    net::awaitable<std::optional<HttpResponse>> Handle(HttpRequest request);
    net::awaitable<std::optional<HttpResponse>> HandleApiWithFaults(HttpRequest request);
    HttpResponse HandleAdmin(const HttpRequest& request);
    net::awaitable<void> TickLoop();
    void ApplyExits(const std::vector<ProcessExit>& exits);

    // Constant after Init.
    net::io_context ioc_;  // First member: destroyed last, after everything its handlers touch.
    const SimulatorConfig config_;
    const common::Clock& clock_ = common::SystemClock::Instance();
    FaultState faults_;  // Thread-safe on its own.
    std::string base_url_;
    std::shared_ptr<HttpServer> server_;
    std::thread thread_;

    std::mutex mutex_;
    // Guarded by mutex_.
    std::unique_ptr<ProcessLauncher> launcher_;
    std::unique_ptr<World> world_;
    RateLimiter rate_limiter_;
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
    if (IsApiPath(target)) co_return co_await HandleApiWithFaults(std::move(request));
    if (target.rfind("/admin/", 0) == 0) co_return HandleAdmin(request);
    if (request.method() == http::verb::get && (target == "/" || target == "/index.html")) {
        std::lock_guard lock(mutex_);
        co_return MakeResponse(200, RenderStatusPage(*world_), "text/html; charset=utf-8");
    }
    co_return MakeResponse(404, boost::json::serialize(ErrorBody("Not found")));
}

net::awaitable<std::optional<HttpResponse>> Simulator::Impl::HandleApiWithFaults(HttpRequest request) {
    const Faults faults = faults_.Get();
    if (faults.added_latency.count() > 0) {
        net::steady_timer delay(co_await net::this_coro::executor, faults.added_latency);
        co_await delay.async_wait(kUseTuple);
    }
    if (faults_.Roll(&Faults::drop_connection_fraction)) co_return std::nullopt;
    if (faults_.TakeRateLimit()) co_return TooManyRequests(faults.retry_after_seconds);
    ApiAnswer answer;
    {
        std::lock_guard lock(mutex_);
        if (!rate_limiter_.Allow(Classify(request), clock_.Now()))
            co_return TooManyRequests(faults.retry_after_seconds);
        if (faults_.Roll(&Faults::server_error_fraction)) {
            static const unsigned kCodes[] = {500, 502, 503};
            const unsigned code = kCodes[clock_.Now().time_since_epoch().count() % 3];
            co_return MakeResponse(code, boost::json::serialize(ErrorBody("injected fault: internal server error")));
        }
        answer = HandleApi(*world_, request);
    }
    std::string body = boost::json::serialize(answer.body);
    if (answer.status == 200 && faults_.Roll(&Faults::malformed_json_fraction)) body.resize(body.size() / 2);
    co_return MakeResponse(answer.status, std::move(body));
}

HttpResponse Simulator::Impl::HandleAdmin(const HttpRequest& request) {
    const std::string_view authorization = request[http::field::authorization];
    if (authorization != "token " + config_.api_key && authorization != config_.api_key) {
        return MakeResponse(401, boost::json::serialize(ErrorBody("Invalid Token")));
    }
    if (request.target() != "/admin/faults") return MakeResponse(404, boost::json::serialize(ErrorBody("Not found")));
    if (request.method() == http::verb::post) {
        auto faults = ParseFaults(request.body(), Faults{});
        if (!faults) return MakeResponse(400, boost::json::serialize(ErrorBody(faults.error().message())));
        faults_.Set(*faults);
        GAPKIT_LOG_INFO("edgegap-sim", "faults set: {}", boost::json::serialize(FaultsJson(*faults)));
    } else if (request.method() != http::verb::get) {
        return MakeResponse(405, boost::json::serialize(ErrorBody("use GET or POST")));
    }
    return MakeResponse(200, boost::json::serialize(FaultsJson(faults_.Get())));
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
void Simulator::Stop() { impl_->Stop(); }

}  // namespace gapkit::edgegap_sim
