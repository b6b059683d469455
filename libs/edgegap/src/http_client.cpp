#include "gapkit/edgegap/http_client.hpp"

#include <random>
#include <utility>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/parse.hpp"
#include "http_transport.hpp"

namespace gapkit::edgegap {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using detail::HttpResponse;

constexpr std::string_view kLogComponent = "edgegap";
constexpr std::size_t kMaxQuotedBodyBytes = 200;

// One API call as the retry loop sees it.
struct CallSpec {
    http::verb method = http::verb::get;
    std::string url;
    std::string authorization;
    std::string body;
    EndpointClass endpoint = EndpointClass::kStatus;
    Idempotency idempotency = Idempotency::kIdempotent;
    bool gone_is_done = false;  // Deletes and stops: 404/410 mean "already gone", not failure.
};

// Percent-encodes an id for use as one path segment, so an id from outside cannot add segments.
std::string EscapeSegment(std::string_view text) {
    std::string escaped;
    for (const unsigned char c : text) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == '~';
        escaped += unreserved ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
    }
    return escaped;
}

// Keeps an error body short and printable for a message.
std::string Quote(std::string_view body) {
    std::string quoted;
    for (const char c : body.substr(0, kMaxQuotedBodyBytes)) quoted += (c >= 0x20 && c < 0x7f) ? c : ' ';
    return quoted;
}

common::Error ErrorFromResponse(const HttpResponse& response) {
    std::string message = detail::ParseErrorMessage(response.body);
    if (message.empty()) message = response.body.empty() ? "(empty body)" : Quote(response.body);
    return NewError({CategoryForStatus(response.status), response.status, response.retry_after}, message);
}

bool IsSuccess(int status) { return status >= 200 && status <= 299; }

template <typename Parse>
auto Decode(common::Result<HttpResponse> response, Parse parse) -> decltype(parse("")) {
    if (!response) return common::Fail(response.error());
    auto parsed = parse(response->body);
    if (!parsed) return MakeError(ErrorCategory::kBadResponse, response->status, parsed.error().message());
    return std::move(*parsed);
}

common::Result<StopResult> ToStopResult(common::Result<HttpResponse> response) {
    if (!response) return common::Fail(response.error());
    StopResult result{StopOutcome::kStopped, response->status, detail::ParseErrorMessage(response->body)};
    if (response->status == 202) result.outcome = StopOutcome::kDeferred;
    if (response->status == 404 || response->status == 410) result.outcome = StopOutcome::kAlreadyGone;
    return result;
}

std::uint64_t JitterSeed(const ClientConfig& config) {
    if (config.jitter_seed) return *config.jitter_seed;
    std::random_device random;
    return (std::uint64_t{random()} << 32) | random();
}

// Ids come from outside (webhooks, env); an empty one would address a different endpoint.
tl::unexpected<common::Error> EmptyArgument(std::string_view name) {
    return MakeError(ErrorCategory::kBadRequest, 0, fmt::format("{} must not be empty", name));
}

// The calls as api.hpp declares them; each one builds its `CallSpec` and decodes the answer.
class Client final : public HttpEdgegapClient {
  public:
    Client(asio::any_io_executor executor, ClientConfig config, const common::Clock& clock)
        : executor_(std::move(executor)),
          config_(std::move(config)),
          tls_(asio::ssl::context::tls_client),
          pool_(config_.max_idle_connections_per_host, config_.max_idle_connection_age),
          limiter_(config_.limiter ? config_.limiter : std::make_shared<RateLimiter>(config_.rate_limits, clock)),
          retry_(config_.retry, JitterSeed(config_)),
          authorization_("token " + NormalizeApiKey(config_.api_key)),
          base_url_(config_.base_url.ends_with('/') ? config_.base_url.substr(0, config_.base_url.size() - 1)
                                                    : config_.base_url) {
        tls_.set_default_verify_paths();
        tls_.set_verify_mode(asio::ssl::verify_peer);
    }

    const asio::any_io_executor& executor() const override { return executor_; }
    std::uint64_t connections_opened() const override { return pool_.opened(); }

    ApiTask<CreatedSession> CreateSession(SessionRequest request) override {
        if (request.app_name.empty()) co_return EmptyArgument("app_name");
        CallSpec call = Api(http::verb::post, "/v1/session", EndpointClass::kSessions);
        call.body = detail::SerializeSessionRequest(request);
        call.idempotency = Idempotency::kNotIdempotent;
        co_return Decode(co_await Send(std::move(call)), detail::ParseCreatedSession);
    }

    ApiTask<Session> GetSession(std::string session_id) override {
        if (session_id.empty()) co_return EmptyArgument("session_id");
        auto call = Api(http::verb::get, "/v1/session/" + EscapeSegment(session_id), EndpointClass::kSessions);
        co_return Decode(co_await Send(std::move(call)), detail::ParseSession);
    }

    ApiTask<StopResult> DeleteSession(std::string session_id) override {
        if (session_id.empty()) co_return EmptyArgument("session_id");
        auto call = Api(http::verb::delete_, "/v1/session/" + EscapeSegment(session_id), EndpointClass::kSessions);
        call.gone_is_done = true;
        co_return ToStopResult(co_await Send(std::move(call)));
    }

    ApiTask<Page<Session>> ListSessions(ListOptions options) override {
        auto call = Api(http::verb::get, fmt::format("/v1/sessions?page={}&limit={}", options.page, options.limit),
                        EndpointClass::kSessions);
        co_return Decode(co_await Send(std::move(call)), detail::ParseSessionPage);
    }

    ApiTask<SessionUsers> GetSessionUsers(std::string session_id) override {
        if (session_id.empty()) co_return EmptyArgument("session_id");
        auto call = Api(http::verb::get, UsersPath(session_id), EndpointClass::kSessions);
        co_return Decode(co_await Send(std::move(call)), detail::ParseSessionUsers);
    }

    ApiTask<SessionUsers> AddSessionUsers(std::string session_id, std::vector<std::string> ips) override {
        co_return co_await ChangeUsers(http::verb::put, std::move(session_id), std::move(ips));
    }

    ApiTask<SessionUsers> RemoveSessionUsers(std::string session_id, std::vector<std::string> ips) override {
        co_return co_await ChangeUsers(http::verb::delete_, std::move(session_id), std::move(ips));
    }

    ApiTask<CreatedDeployment> Deploy(DeployRequest request) override {
        if (request.app_name.empty()) co_return EmptyArgument("app_name");
        CallSpec call = Api(http::verb::post, "/v1/deploy", EndpointClass::kDeployments);
        call.body = detail::SerializeDeployRequest(request);
        call.idempotency = Idempotency::kNotIdempotent;
        co_return Decode(co_await Send(std::move(call)), detail::ParseCreatedDeployment);
    }

    ApiTask<DeploymentStatus> GetDeploymentStatus(std::string request_id) override {
        if (request_id.empty()) co_return EmptyArgument("request_id");
        auto call = Api(http::verb::get, "/v1/status/" + EscapeSegment(request_id), EndpointClass::kStatus);
        co_return Decode(co_await Send(std::move(call)), detail::ParseDeploymentStatus);
    }

    ApiTask<StopResult> StopDeployment(std::string request_id) override {
        if (request_id.empty()) co_return EmptyArgument("request_id");
        auto call = Api(http::verb::delete_, "/v1/stop/" + EscapeSegment(request_id), EndpointClass::kDeployments);
        call.gone_is_done = true;
        co_return ToStopResult(co_await Send(std::move(call)));
    }

    ApiTask<Page<DeploymentStatus>> ListDeployments(ListOptions options) override {
        auto call = Api(http::verb::get, fmt::format("/v1/deployments?page={}&limit={}", options.page, options.limit),
                        EndpointClass::kDeployments);
        co_return Decode(co_await Send(std::move(call)), detail::ParseDeploymentPage);
    }

    ApiTask<Context> GetContext(ContainerEndpoint context) override {
        CallSpec call{http::verb::get, std::move(context.url), std::move(context.token), {}, EndpointClass::kContext};
        co_return Decode(co_await Send(std::move(call)), detail::ParseContext);
    }

    ApiTask<StopResult> SelfStop(ContainerEndpoint self_stop) override {
        CallSpec call{
            http::verb::delete_, std::move(self_stop.url), std::move(self_stop.token), {}, EndpointClass::kContext};
        call.gone_is_done = true;
        co_return ToStopResult(co_await Send(std::move(call)));
    }

    ApiTask<AppVersion> CreateAppVersion(std::string app_name, AppVersionSpec spec) override {
        if (app_name.empty() || spec.name.empty()) co_return EmptyArgument("app_name and version name");
        auto call =
            Api(http::verb::post, fmt::format("/v1/app/{}/version", EscapeSegment(app_name)), EndpointClass::kApps);
        call.body = detail::SerializeAppVersionSpec(spec);
        call.idempotency = Idempotency::kNotIdempotent;
        co_return Decode(co_await Send(std::move(call)), detail::ParseAppVersion);
    }

    ApiTask<AppVersion> GetAppVersion(std::string app_name, std::string version_name) override {
        if (app_name.empty() || version_name.empty()) co_return EmptyArgument("app_name and version_name");
        auto call = Api(http::verb::get, VersionPath(app_name, version_name), EndpointClass::kApps);
        co_return Decode(co_await Send(std::move(call)), detail::ParseAppVersion);
    }

    ApiTask<AppVersion> PatchAppVersion(std::string app_name, std::string version_name,
                                        AppVersionPatch patch) override {
        if (app_name.empty() || version_name.empty()) co_return EmptyArgument("app_name and version_name");
        auto call = Api(http::verb::patch, VersionPath(app_name, version_name), EndpointClass::kApps);
        call.body = detail::SerializeAppVersionPatch(patch);
        co_return Decode(co_await Send(std::move(call)), detail::ParseAppVersion);
    }

  private:
    static std::string VersionPath(std::string_view app_name, std::string_view version_name) {
        return fmt::format("/v1/app/{}/version/{}", EscapeSegment(app_name), EscapeSegment(version_name));
    }

    static std::string UsersPath(std::string_view session_id) {
        return fmt::format("/v1/session/{}/users", EscapeSegment(session_id));
    }

    // PUT or DELETE of a session's users. Both are idempotent in effect (a user added twice is
    // one user, a user removed twice is gone), so they are retried like GET.
    ApiTask<SessionUsers> ChangeUsers(http::verb method, std::string session_id, std::vector<std::string> ips) {
        if (session_id.empty()) co_return EmptyArgument("session_id");
        if (ips.empty()) co_return EmptyArgument("ip_list");
        auto call = Api(method, UsersPath(session_id), EndpointClass::kSessions);
        call.body = detail::SerializeIpList(ips);
        call.gone_is_done = method == http::verb::delete_;
        auto response = co_await Send(std::move(call));
        if (response && (response->status == 404 || response->status == 410)) {
            co_return SessionUsers{{}, true};
        }
        co_return Decode(std::move(response), detail::ParseSessionUsers);
    }

    CallSpec Api(http::verb method, std::string path, EndpointClass endpoint) const;
    asio::awaitable<void> Sleep(std::chrono::nanoseconds delay);
    asio::awaitable<common::Result<HttpResponse>> Send(CallSpec call);

    const asio::any_io_executor executor_;
    const ClientConfig config_;
    asio::ssl::context tls_;
    detail::ConnectionPool pool_;
    const std::shared_ptr<RateLimiter> limiter_;
    RetryPolicy retry_;
    const std::string authorization_;
    const std::string base_url_;
};

CallSpec Client::Api(http::verb method, std::string path, EndpointClass endpoint) const {
    CallSpec call;
    call.method = method;
    call.url = base_url_ + path;
    call.authorization = authorization_;
    call.endpoint = endpoint;
    return call;
}

asio::awaitable<void> Client::Sleep(std::chrono::nanoseconds delay) {
    if (delay.count() <= 0) co_return;
    asio::steady_timer timer(executor_, delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<common::Result<HttpResponse>> Client::Send(CallSpec call) {
    auto target = detail::ParseTarget(call.url);
    if (!target) co_return MakeError(ErrorCategory::kBadRequest, 0, target.error().message());
    // A line break in a token (from env) would let it forge headers; the token itself is not quoted.
    if (call.authorization.find_first_of("\r\n") != std::string::npos) {
        co_return MakeError(ErrorCategory::kBadRequest, 0, "the authorization token contains a line break");
    }
    detail::HttpRequest request{call.method, std::move(*target), std::move(call.authorization), config_.user_agent,
                                std::move(call.body)};
    const auto method = http::to_string(call.method);
    // A kept-alive connection may turn out closed: an idempotent request is then sent again; one
    // that creates something only goes on a connection idle for under a second, and is never resent.
    const auto reuse = config_.max_idle_connections_per_host == 0     ? detail::Reuse::kNever
                       : call.idempotency == Idempotency::kIdempotent ? detail::Reuse::kResendable
                                                                      : detail::Reuse::kNoResend;
    for (int attempt = 1;; ++attempt) {
        co_await Sleep(limiter_->Reserve(call.endpoint));
        auto response =
            co_await detail::Exchange(tls_, pool_, request, reuse, config_.request_timeout, config_.max_response_bytes);
        if (response && (IsSuccess(response->status) ||
                         (call.gone_is_done && (response->status == 404 || response->status == 410)))) {
            GAPKIT_LOG_DEBUG(kLogComponent, "{} {} -> {}", method, request.target.path_and_query, response->status);
            co_return response;
        }
        if (response && response->status == 429) limiter_->CountRefused(call.endpoint);
        common::Error error = response ? ErrorFromResponse(*response) : response.error();
        const auto delay = retry_.NextDelay(attempt, Details(error), call.idempotency);
        if (!delay) {
            GAPKIT_LOG_DEBUG(kLogComponent, "{} {} failed: {}", method, request.target.path_and_query, error.message());
            co_return common::Fail(std::move(error));
        }
        GAPKIT_LOG_INFO(kLogComponent, "{} {} failed ({}); attempt {} in {} ms", method, request.target.path_and_query,
                        error.message(), attempt + 1, delay->count());
        co_await Sleep(*delay);
    }
}

}  // namespace

common::Result<std::unique_ptr<HttpEdgegapClient>> HttpEdgegapClient::Create(asio::any_io_executor executor,
                                                                             ClientConfig config,
                                                                             const common::Clock& clock) {
    if (auto valid = config.Validate(); !valid) return common::Fail(valid.error());
    try {
        return std::unique_ptr<HttpEdgegapClient>(new Client(std::move(executor), std::move(config), clock));
    } catch (const std::exception& e) {
        return common::MakeError(common::ErrorCode::kTls, fmt::format("setting up TLS for Edgegap: {}", e.what()));
    }
}

}  // namespace gapkit::edgegap
