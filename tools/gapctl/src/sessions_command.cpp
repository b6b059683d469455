#include "sessions_command.hpp"

#include <memory>

#include <fmt/core.h>

#include "bus_records.hpp"
#include "edgegap_listing.hpp"
#include "gapkit/common/clock.hpp"
#include "session_rows.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

namespace json = boost::json;

struct SessionsOptions {
    Selection selection;
    EdgegapSource source;
    int max_lookups = kDefaultMaxLookups;
    std::string state;
    bool json = false;
};

// A session of another app is dropped once its deployment says so; one whose app cannot be
// learnt (not linked yet, lookup failed or over budget) is kept, with no app, so nothing hides.
std::vector<ListedSession> Describe(const std::vector<edgegap::Session>& sessions, Lookups& lookups,
                                    const SessionsOptions& options) {
    std::vector<ListedSession> listed;
    for (const edgegap::Session& session : sessions) {
        ListedSession item{session.session_id, session.status, session.deployment_request_id};
        if (const auto* deployment = lookups.Deployment(item.deployment); deployment && !deployment->app_name.empty()) {
            if (!Selected(options.selection, deployment->app_name, deployment->app_version)) continue;
            item.app = fmt::format("{}/{}", deployment->app_name, deployment->app_version);
        }
        if (const auto* full = lookups.Session(session.session_id)) {
            item.age_seconds = full->elapsed_seconds;
            item.player_ips = full->user_ips;
            if (item.deployment.empty()) item.deployment = full->deployment_request_id;
        }
        listed.push_back(std::move(item));
    }
    return listed;
}

json::object Summary(const SessionsOptions& options, bool complete, const Lookups& lookups, const BusRecords& records) {
    json::object summary = ListingSummary(options.selection, complete, lookups);
    summary["delete_queue"] = records.delete_queue ? json::value(*records.delete_queue) : json::value(nullptr);
    return summary;
}

std::string Footer(bool complete, const Lookups& lookups, const BusRecords& records) {
    std::string text = fmt::format("delete queue: {}",
                                   records.delete_queue ? fmt::format("{} waiting", *records.delete_queue) : "absent");
    if (lookups.skipped() > 0) text += fmt::format("; {} lookups skipped (raise --max-lookups)", lookups.skipped());
    if (!complete) text += "; session list cut at 10000 (stale records not shown)";
    return text + "\n";
}

common::Result<Output> RunSessions(const SessionsOptions& options) {
    if (auto ok = CheckSelection(options.selection); !ok) return common::Fail(ok.error());
    std::optional<SessionState> only;
    if (!options.state.empty()) {
        auto state = ParseSessionState(options.state);
        if (!state) return common::Fail(state.error());
        only = *state;
    }
    auto client = ConnectEdgegap(options.source);
    if (!client) return common::Fail(client.error());
    auto bus = ConnectBus("sessions");
    if (!bus) return common::Fail(bus.error());
    auto listing = ListAllSessions(**client);
    if (!listing) return common::Fail(listing.error());
    Lookups lookups(**client, options.max_lookups);
    const auto listed = Describe(listing->items, lookups, options);
    auto records = ReadBusRecords(**bus);
    if (!records) return common::Fail(records.error());
    auto rows = JoinSessions(listed, *records, listing->complete, common::SystemClock::Instance().UnixSeconds());
    if (only) std::erase_if(rows, [&](const SessionRow& row) { return row.state != *only; });
    Output output = SessionsOutput(rows, Summary(options, listing->complete, lookups, *records));
    output.text += Footer(listing->complete, lookups, *records);
    return output;
}

}  // namespace

void RegisterSessionsCommand(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<SessionsOptions>();
    CLI::App* command =
        app.add_subcommand("sessions",
                           "List Edgegap sessions of an app version with the bus's state of each (unclaimed, claimed, "
                           "deleting, parked, orphaned; stale bus records)");
    AddSelectionOptions(*command, options->selection);
    command->add_option("--state", options->state,
                        "Only sessions in this state: unclaimed, claimed, deleting, parked, orphaned, stale");
    AddMaxLookupsOption(*command, options->max_lookups);
    AddEdgegapOptions(*command, options->source);
    AddJsonFlag(*command, options->json);
    command->footer(
        fmt::format("Example:\n  NATS_USER=operator gapctl sessions --app spaceships --app-version 1 "
                    "--state orphaned\n\n{}\n{}",
                    kEdgegapHelp, bus::kEnvironmentHelp));
    SetOutputCallback(*command, exit_code, options->json, [options] { return RunSessions(*options); });
}

}  // namespace gapkit::cli
