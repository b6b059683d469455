#include "status_command.hpp"

#include <cstdlib>
#include <future>
#include <memory>

#include <fmt/core.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "gapkit/bus/names.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/error.hpp"
#include "gapkit/service/program.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using common::ErrorCode;
using common::MakeError;

constexpr std::chrono::seconds kNatsConnectTimeout{3};
constexpr std::chrono::seconds kHttpdTimeout{2};
constexpr const char* kEdgegapTimeoutEnv = "EDGEGAP_REQUEST_TIMEOUT";
constexpr const char* kEdgegapStatusTimeout = "3s";
constexpr const char* kDefaultHttpdUrl = "http://127.0.0.1:3000";

struct StatusOptions {
    std::string httpd_url = kDefaultHttpdUrl;
    AppSelector app;
    EdgegapSource edgegap;
    bool json = false;
};

CheckRow Row(std::string check, CheckState state, std::string detail) {
    return CheckRow{std::move(check), state, std::move(detail), {}};
}

std::string JsonString(const boost::json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The nats and matchmakers rows: both need the connection, and the bucket read proves JetStream.
std::vector<CheckRow> CheckBus(common::Result<std::unique_ptr<bus::Connection>>& connection) {
    if (!connection) {
        return {Row("nats", CheckState::kFail, connection.error().ToString()),
                Row("matchmakers", CheckState::kFail, "not checked: no bus connection")};
    }
    const auto start = std::chrono::steady_clock::now();
    auto flushed = (*connection)->Flush(kNatsConnectTimeout);
    const double round_trip_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const std::string url = (*connection)->ConnectedUrl();
    if (!flushed) {
        return {Row("nats", CheckState::kFail, fmt::format("{}: no round trip: {}", url, flushed.error().ToString())),
                Row("matchmakers", CheckState::kFail, "not checked: no round trip")};
    }
    auto entries = (*connection)->ReadBucket(bus::names::kMatchmakersBucket);
    CheckRow nats =
        Row("nats", CheckState::kOk, fmt::format("{}, round trip {:.1f} ms, JetStream ok", url, round_trip_ms));
    nats.extra["url"] = url;
    nats.extra["round_trip_ms"] = round_trip_ms;
    if (!entries && entries.error().code() == ErrorCode::kNotFound) {
        return {std::move(nats), Row("matchmakers", CheckState::kFail,
                                     fmt::format("no bucket {}: no matchmaker has started on this bus",
                                                 bus::names::kMatchmakersBucket))};
    }
    if (!entries) {
        nats.state = CheckState::kFail;
        nats.detail =
            fmt::format("{}, round trip {:.1f} ms, JetStream: {}", url, round_trip_ms, entries.error().ToString());
        return {std::move(nats), Row("matchmakers", CheckState::kFail, "not checked: JetStream unreachable")};
    }
    return {std::move(nats), MatchmakersRow(*entries, std::chrono::system_clock::now())};
}

asio::awaitable<common::Result<unsigned>> GetStatusCode(HttpTarget target) {
    const auto executor = co_await asio::this_coro::executor;
    const auto tuple = asio::as_tuple(asio::use_awaitable);
    asio::ip::tcp::resolver resolver(executor);
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(target.host, target.port, tuple);
    if (resolve_error) co_return MakeError(ErrorCode::kUnavailable, "resolve: " + resolve_error.message());
    boost::beast::tcp_stream stream(executor);
    auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, tuple);
    if (connect_error) co_return MakeError(ErrorCode::kUnavailable, "connect: " + connect_error.message());
    http::request<http::empty_body> request{http::verb::get, target.path, 11};
    request.set(http::field::host, target.host);
    request.set(http::field::user_agent, "gapkit-gapctl");
    auto [write_error, written] = co_await http::async_write(stream, request, tuple);
    if (write_error) co_return MakeError(ErrorCode::kUnavailable, "send: " + write_error.message());
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(stream, buffer, response, tuple);
    if (read_error) co_return MakeError(ErrorCode::kUnavailable, "answer: " + read_error.message());
    co_return response.result_int();
}

CheckRow CheckHttpd(const std::string& url) {
    auto target = ReadyzTarget(url);
    if (!target) return Row("httpd", CheckState::kFail, target.error().ToString());
    asio::io_context io;
    std::optional<common::Result<unsigned>> answer;
    asio::co_spawn(io, GetStatusCode(*target), [&answer](std::exception_ptr error, common::Result<unsigned> result) {
        answer = error ? common::Result<unsigned>(MakeError(ErrorCode::kInternal, "GET failed")) : std::move(result);
    });
    // The bound on the whole exchange, resolve included (which no socket timeout covers).
    io.run_for(kHttpdTimeout);
    const std::string where = fmt::format("GET {}{}", url, "/readyz");
    if (!answer)
        return Row("httpd", CheckState::kFail, fmt::format("{}: no answer within {} s", where, kHttpdTimeout.count()));
    if (!*answer) return Row("httpd", CheckState::kFail, fmt::format("{}: {}", where, answer->error().message()));
    const auto state = **answer == 200 ? CheckState::kOk : CheckState::kFail;
    const std::string meaning = **answer == 503 ? " (httpd has no bus connection)" : "";
    return Row("httpd", state, fmt::format("{}: {}{}", where, **answer, meaning));
}

std::string EdgegapFailure(const common::Error& error) {
    if (edgegap::Details(error).category == edgegap::ErrorCategory::kAuth) {
        return fmt::format("key refused: {} (check EDGEGAP_API_KEY or --edgegap-api-key-file)", error.message());
    }
    return error.ToString();
}

CheckRow CheckEdgegap(const StatusOptions& options) {
    const auto env_key = common::GetEnv("EDGEGAP_API_KEY");
    const bool has_key = !options.edgegap.api_key_file.empty() || (env_key && !env_key->empty());
    if (!has_key) {
        return Row("edgegap", CheckState::kWarn,
                   "not checked: EDGEGAP_API_KEY is not set: export it or give --edgegap-api-key-file");
    }
    auto client = ConnectEdgegap(options.edgegap);
    if (!client) return Row("edgegap", CheckState::kFail, client.error().ToString());
    const std::string base_url = common::GetEnv("EDGEGAP_BASE_URL").value_or("https://api.edgegap.com");
    if (options.app.app.empty() || options.app.version.empty()) {
        auto page = (*client)->Call(&edgegap::EdgegapApi::ListSessions, {1, 1});
        if (!page)
            return Row("edgegap", CheckState::kFail, fmt::format("{}: {}", base_url, EdgegapFailure(page.error())));
        return Row("edgegap", CheckState::kOk, fmt::format("{}: key accepted (listed sessions)", base_url));
    }
    auto version = (*client)->Call(&edgegap::EdgegapApi::GetAppVersion, options.app.app, options.app.version);
    const std::string what = fmt::format("app {} version {}", options.app.app, options.app.version);
    if (!version) {
        return Row("edgegap", CheckState::kFail,
                   fmt::format("{}: {}: {}", base_url, what, EdgegapFailure(version.error())));
    }
    CheckRow row =
        Row("edgegap", version->is_active ? CheckState::kOk : CheckState::kWarn,
            fmt::format("{}: key accepted; {} is {}", base_url, what, version->is_active ? "active" : "INACTIVE"));
    row.extra["app_version_active"] = version->is_active;
    return row;
}

std::vector<CheckRow> RunChecks(const StatusOptions& options) {
    // Before any thread starts: setenv is not safe while another thread reads the environment.
    if (!common::GetEnv(kEdgegapTimeoutEnv)) setenv(kEdgegapTimeoutEnv, kEdgegapStatusTimeout, 0);
    // The bus first, before anything else touches OpenSSL: nats.c's exit handler frees OpenSSL's
    // compression list, and if OpenSSL was set up before nats.c, OPENSSL_cleanup frees it again at
    // exit (a crash after the report was printed).
    bus::ConnectOptions bus_options;
    bus_options.connect_timeout = kNatsConnectTimeout;
    auto connection = bus::Connection::Connect("gapctl_status", bus_options);
    auto httpd = std::async(std::launch::async, [&options] { return CheckHttpd(options.httpd_url); });
    auto edgegap = std::async(std::launch::async, [&options] { return CheckEdgegap(options); });
    std::vector<CheckRow> rows = CheckBus(connection);
    rows.push_back(httpd.get());
    rows.push_back(edgegap.get());
    return rows;
}

}  // namespace

std::string_view ToString(CheckState state) {
    switch (state) {
        case CheckState::kOk:
            return "ok";
        case CheckState::kWarn:
            return "warn";
        case CheckState::kFail:
            return "fail";
    }
    return "fail";
}

CheckRow MatchmakersRow(const std::vector<bus::BucketEntry>& entries, std::chrono::system_clock::time_point now) {
    boost::json::array list;
    std::string detail;
    for (const auto& entry : entries) {
        boost::system::error_code error;
        const auto value = boost::json::parse(entry.value, error);
        const boost::json::object none;
        const auto& object = !error && value.is_object() ? value.as_object() : none;
        const std::string id = object.contains("id") ? JsonString(object, "id") : entry.key;
        const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - entry.written_at);
        const std::string app = fmt::format("{}/{}", JsonString(object, "app"), JsonString(object, "version"));
        list.push_back({{"id", id},
                        {"app", JsonString(object, "app")},
                        {"version", JsonString(object, "version")},
                        {"host", JsonString(object, "host")},
                        {"beat_age_seconds", std::max<std::int64_t>(0, age.count())}});
        detail += fmt::format("; {} {} beat {} ago", id, app, FormatDuration(age));
    }
    CheckRow row;
    row.check = "matchmakers";
    row.state = entries.empty() ? CheckState::kFail : CheckState::kOk;
    row.detail = entries.empty() ? fmt::format("none alive (no beat in {} within {} s)", bus::names::kMatchmakersBucket,
                                               bus::names::kMatchmakerPresenceTtl.count())
                                 : fmt::format("{} alive{}", entries.size(), detail);
    row.extra["alive"] = entries.size();
    row.extra["matchmakers"] = std::move(list);
    return row;
}

common::Result<HttpTarget> ReadyzTarget(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (!url.starts_with(kScheme)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("--httpd-url '{}' must start with http:// (httpd's own listener)", url));
    }
    std::string_view rest = url.substr(kScheme.size());
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view prefix = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    while (prefix.ends_with('/')) prefix.remove_suffix(1);
    HttpTarget target{.host = {}, .port = "80", .path = std::string(prefix) + "/readyz"};
    const std::size_t bracket = authority.find(']');
    const std::size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
    std::string_view host = has_port ? authority.substr(0, colon) : authority;
    if (has_port) target.port = std::string(authority.substr(colon + 1));
    if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
    const bool port_ok = !target.port.empty() && target.port.find_first_not_of("0123456789") == std::string::npos;
    if (host.empty() || !port_ok) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("--httpd-url '{}': expected http://host[:port]", url));
    }
    target.host = std::string(host);
    return target;
}

Output StatusOutput(const std::vector<CheckRow>& rows) {
    Table table({"CHECK", "STATE", "DETAIL"});
    boost::json::array json;
    for (const auto& row : rows) {
        table.AddRow({row.check, std::string(ToString(row.state)), row.detail});
        boost::json::object object = row.extra;
        object["check"] = row.check;
        object["state"] = ToString(row.state);
        object["detail"] = row.detail;
        json.push_back(std::move(object));
    }
    return Output{std::move(json), table.Text()};
}

void RegisterStatusCommand(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<StatusOptions>();
    CLI::App* command = app.add_subcommand("status", "Check NATS, the live matchmakers, httpd and Edgegap");
    command->add_option("--httpd-url", options->httpd_url, "httpd's own listener (GET <url>/readyz)")
        ->envname("GAPKIT_HTTPD_URL")
        ->capture_default_str();
    AddAppOptions(*command, options->app, /*required=*/false);
    AddEdgegapOptions(*command, options->edgegap);
    AddJsonFlag(*command, options->json);
    command->footer(fmt::format(
        "Rows: nats, matchmakers (presence beats in bucket {}), httpd (/readyz within {} s), edgegap (one call;\n"
        "with --app/--app-version also whether that version is active). STATE ok|warn|fail.\n"
        "Exit 0 when no row fails (warn allowed), 1 otherwise. Bus: the NATS_* environment (docs/bus.md);\n"
        "Edgegap: EDGEGAP_BASE_URL, EDGEGAP_API_KEY, EDGEGAP_REQUEST_TIMEOUT (status default {}).\n"
        "Example: NATS_USER=operator gapctl status --httpd-url http://127.0.0.1:3000\n\n{}",
        bus::names::kMatchmakersBucket, kHttpdTimeout.count(), kEdgegapStatusTimeout, bus::kEnvironmentHelp));
    command->callback([options, &exit_code] {
        const auto rows = RunChecks(*options);
        (void)bus::CloseLibrary();
        Print(StatusOutput(rows), options->json);
        const bool failed =
            std::any_of(rows.begin(), rows.end(), [](const CheckRow& r) { return r.state == CheckState::kFail; });
        if (failed) GAPKIT_LOG_ERROR("gapctl", "status: a check failed");
        exit_code = service::ToInt(failed ? service::ExitCode::kFailure : service::ExitCode::kOk);
    });
}

}  // namespace gapkit::cli
