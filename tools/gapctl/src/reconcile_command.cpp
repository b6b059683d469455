#include "reconcile_command.hpp"

#include <memory>
#include <thread>

#include <fmt/core.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "edgegap_listing.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/common/metrics.hpp"
#include "gapkit/edgegap/http_client.hpp"
#include "gapkit/service/program.hpp"
#include "output.hpp"
#include "reconciler.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::chrono::milliseconds kQueuePoll{250};
constexpr std::string_view kReadOnlyUser = "operator";  // deploy/local/nats.conf.in

struct ReconcileOptions {
    AppSelector selector;
    EdgegapSource source;
    matchmaker::MatchmakerConfig config;  // Only the reconciler's fields are read.
    int wait_seconds = 10;
    bool json = false;
};

// The reconciler waits for each Edgegap call from its own thread, so the calls need an event loop
// on another one.
struct IoThread {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread{[this] { io.run(); }};
    ~IoThread() {
        work.reset();
        io.stop();
        thread.join();
    }
};

common::Status Validate(const matchmaker::MatchmakerConfig& c) {
    // Grace 0 is allowed here (the matchmaker insists on at least its Edgegap timeout): an
    // operator may want a known orphan gone now, and is warned.
    for (auto [name, value, low, high] : {std::tuple{"--reconcile-grace", c.reconcile_grace_seconds, 0, 86400},
                                          {"--reconcile-max-lookups", c.reconcile_max_lookups, 1, 10000},
                                          {"--edgegap-timeout", c.edgegap_timeout_seconds, 1, 300}}) {
        if (auto ok = common::CheckRange(name, value, low, high); !ok) return ok;
    }
    if (c.reconcile_grace_seconds < c.edgegap_timeout_seconds) {
        GAPKIT_LOG_WARN("gapctl",
                        "reconcile: a grace of {} s is below the Edgegap timeout ({} s): a session a matchmaker "
                        "is creating right now may be deleted as an orphan",
                        c.reconcile_grace_seconds, c.edgegap_timeout_seconds);
    }
    return common::Ok();
}

// The deletes are the running matchmakers' work; a queue that does not drain means none runs.
std::optional<std::uint64_t> WaitForQueue(bus::Connection& bus, int wait_seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    while (true) {
        auto depth = bus.StreamMessages(bus::names::kDeleteSessionStream);
        if (!depth) {
            GAPKIT_LOG_WARN("gapctl", "reconcile: reading the delete queue: {}", depth.error().ToString());
            return std::nullopt;
        }
        if (*depth == 0 || std::chrono::steady_clock::now() >= deadline) return *depth;
        std::this_thread::sleep_for(kQueuePoll);
    }
}

// Live matchmakers by their presence beats (the `matchmakers` bucket); nothing when unreadable.
std::optional<std::size_t> AliveMatchmakers(bus::Connection& bus) {
    auto beats = bus.ReadBucket(bus::names::kMatchmakersBucket);
    if (beats) return beats->size();
    if (beats.error().code() == common::ErrorCode::kNotFound) return 0;
    return std::nullopt;
}

common::Result<matchmaker::ReconcileReport> Pass(const ReconcileOptions& options, bus::Connection& bus) {
    auto client_config = EdgegapClientConfig(options.source);
    if (!client_config) return common::Fail(client_config.error());
    client_config->request_timeout = std::chrono::seconds(options.config.edgegap_timeout_seconds);
    IoThread loop;
    auto api = edgegap::HttpEdgegapClient::Create(loop.io.get_executor(), std::move(*client_config));
    if (!api) return common::Fail(api.error());
    // No liveness bucket: the pass never reads it, and opening it could create it with a TTL the
    // matchmakers did not choose.
    const auto& clock = common::SystemClock::Instance();
    auto book = matchmaker::SessionBook::Open(bus, clock, std::chrono::seconds(0));
    if (!book) return common::Fail(book.error());
    common::MetricsRegistry registry;
    matchmaker::Metrics metrics(registry);
    matchmaker::Cleanup cleanup(options.config, **book, **api, loop.io.get_executor(), metrics);
    matchmaker::Reconciler reconciler(options.config, **book, cleanup, **api, loop.io.get_executor(), clock, metrics);
    return reconciler.RunOnceUnleased();
}

Output ReportOutput(const matchmaker::ReconcileReport& report, bool dry_run, std::optional<std::uint64_t> queue) {
    Table table({"ACTION", "SESSION", "REASON"});
    json::array actions;
    for (const auto& action : report.actions) {
        table.AddRow({action.action, action.session_id, action.reason});
        actions.push_back({{"action", action.action}, {"session_id", action.session_id}, {"reason", action.reason}});
    }
    json::object object{{"dry_run", dry_run},          {"complete", report.complete},
                        {"listed", report.listed},     {"unaccounted", report.unaccounted},
                        {"lookups", report.lookups},   {"deferred", report.deferred},
                        {"orphans", report.orphans},   {"records_removed", report.records_removed},
                        {"unparked", report.unparked}, {"actions", std::move(actions)}};
    object["delete_queue"] = queue ? json::value(*queue) : json::value(nullptr);
    std::string text = table.Text();
    text += fmt::format(
        "{}{} sessions listed{}, {} unaccounted, {} orphans {}, {} records {}, {} parked settled, {} lookups ({} "
        "deferred)\n",
        dry_run ? "dry run: " : "", report.listed, report.complete ? "" : " (list incomplete)", report.unaccounted,
        report.orphans, dry_run ? "would be queued" : "queued", report.records_removed,
        dry_run ? "would be removed" : "removed", report.unparked, report.lookups, report.deferred);
    if (queue) text += fmt::format("delete queue: {} waiting\n", *queue);
    return {std::move(object), std::move(text)};
}

// nats-server answers a write the user may not make with an asynchronous permissions error and no
// reply, so each of the pass's bucket writes would wait for its timeout (about 40 s in all)
// before failing: the shipped read-only user is refused at once.
common::Status CheckWriter() {
    if (common::GetEnv("NATS_USER").value_or("") != kReadOnlyUser) return common::Ok();
    return common::MakeError(common::ErrorCode::kPermissionDenied,
                             "the pass queues deletes and removes records, which the read-only 'operator' user may "
                             "not: connect as the matchmaker (NATS_USER=matchmaker and its password)");
}

common::Result<Output> RunReconcile(ReconcileOptions& options) {
    options.config.app_name = options.selector.app;
    options.config.app_version = options.selector.version;
    if (auto ok = Validate(options.config); !ok) return common::Fail(ok.error());
    if (auto ok = CheckWriter(); !ok) return common::Fail(ok.error());
    auto bus = ConnectBus("reconcile");
    if (!bus) return common::Fail(bus.error());
    auto report = Pass(options, **bus);
    if (!report)
        return common::Fail(report.error().WithContext("the pass writes as the matchmaker (NATS_USER=matchmaker)"));
    const bool queued = !options.config.reconcile_dry_run && report->orphans > 0;
    const auto queue = WaitForQueue(**bus, queued ? options.wait_seconds : 0);
    if (queued && queue && *queue > 0) {
        const auto alive = AliveMatchmakers(**bus);
        GAPKIT_LOG_WARN("gapctl",
                        "reconcile: {} deletes still queued after {} s; the running matchmakers' delete workers carry "
                        "them out, and {} alive",
                        *queue, options.wait_seconds,
                        !alive        ? std::string("it is unknown how many are")
                        : *alive == 0 ? std::string("none is")
                                      : fmt::format("{} are", *alive));
    }
    return ReportOutput(*report, options.config.reconcile_dry_run, queue);
}

}  // namespace

void RegisterReconcileCommand(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<ReconcileOptions>();
    matchmaker::MatchmakerConfig& config = options->config;
    CLI::App* command = app.add_subcommand(
        "reconcile", "Run one reconciler pass now: delete orphaned Edgegap sessions, remove records of gone ones");
    AddAppOptions(*command, options->selector, true);
    command->add_flag("--dry-run", config.reconcile_dry_run, "Only report what the pass would do; change nothing")
        ->envname("GAPKIT_MM_RECONCILE_DRY_RUN");
    service::AddOption(*command, "--reconcile-grace", config.reconcile_grace_seconds, "GAPKIT_MM_RECONCILE_GRACE",
                       "Seconds an unaccounted session (or a record without its session) is left alone; 0 here "
                       "deletes every orphan of the version now");
    service::AddOption(*command, "--reconcile-max-lookups", config.reconcile_max_lookups,
                       "GAPKIT_MM_RECONCILE_MAX_LOOKUPS", "Edgegap lookups in the pass");
    service::AddOption(*command, "--edgegap-timeout", config.edgegap_timeout_seconds, "GAPKIT_MM_EDGEGAP_TIMEOUT",
                       "Seconds for one Edgegap HTTP exchange");
    command
        ->add_option("--wait-seconds", options->wait_seconds,
                     "After queueing deletes, wait this long for the matchmakers to drain the delete queue")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    AddEdgegapOptions(*command, options->source);
    AddJsonFlag(*command, options->json);
    command->footer(fmt::format(
        "Runs as the matchmaker: NATS_USER=matchmaker with its password, and the matchmaker's Edgegap key.\n"
        "A single pass removes a bus record whose session is gone only with --reconcile-grace 0 (it has no "
        "memory of earlier passes).\n\nExample:\n  NATS_USER=matchmaker gapctl reconcile --app spaceships "
        "--app-version 1 --dry-run\n\n{}\n{}",
        kEdgegapHelp, bus::kEnvironmentHelp));
    SetOutputCallback(*command, exit_code, options->json, [options] { return RunReconcile(*options); });
}

}  // namespace gapkit::cli
