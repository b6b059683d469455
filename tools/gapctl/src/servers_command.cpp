#include "servers_command.hpp"

#include <memory>

#include <fmt/core.h>

#include "bus_records.hpp"
#include "edgegap_listing.hpp"
#include "server_rows.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

namespace json = boost::json;

struct ServersOptions {
    Selection selection;
    EdgegapSource source;
    int max_lookups = kDefaultMaxLookups;
    bool json = false;
};

// A deployment whose status could not be read (over budget, failed) is kept with what its list
// item says and no app, so nothing hides.
std::vector<ListedServer> Describe(const std::vector<edgegap::DeploymentStatus>& deployments, Lookups& lookups,
                                   const ServersOptions& options) {
    std::vector<ListedServer> servers;
    for (const edgegap::DeploymentStatus& item : deployments) {
        ListedServer server{item};
        if (const auto* status = lookups.Deployment(item.request_id); status && !status->app_name.empty()) {
            if (!Selected(options.selection, status->app_name, status->app_version)) continue;
            server.deployment = *status;
            server.looked_up = true;
            const auto* version = lookups.Version(status->app_name, status->app_version);
            if (version && version->session_config)
                server.empty_ttl_minutes = version->session_config->empty_ttl_minutes;
        }
        servers.push_back(std::move(server));
    }
    return servers;
}

common::Result<Output> RunServers(const ServersOptions& options) {
    if (auto ok = CheckSelection(options.selection); !ok) return common::Fail(ok.error());
    auto client = ConnectEdgegap(options.source);
    if (!client) return common::Fail(client.error());
    auto bus = ConnectBus("servers");
    if (!bus) return common::Fail(bus.error());
    auto deployments = ListAllDeployments(**client);
    if (!deployments) return common::Fail(deployments.error());
    auto sessions = ListAllSessions(**client);
    if (!sessions) return common::Fail(sessions.error());
    Lookups lookups(**client, options.max_lookups);
    const auto servers = Describe(deployments->items, lookups, options);
    auto records = ReadBusRecords(**bus);
    if (!records) return common::Fail(records.error());
    auto summary = ListingSummary(options.selection, deployments->complete && sessions->complete, lookups);
    Output output = ServersOutput(JoinServers(servers, sessions->items, *records), std::move(summary));
    if (lookups.skipped() > 0)
        output.text += fmt::format("{} lookups skipped (raise --max-lookups)\n", lookups.skipped());
    return output;
}

}  // namespace

void RegisterServersCommand(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<ServersOptions>();
    CLI::App* command = app.add_subcommand(
        "servers",
        "List an app version's deployments: status, address, ports, players, certificate digest, age, "
        "empty TTL");
    AddSelectionOptions(*command, options->selection);
    AddMaxLookupsOption(*command, options->max_lookups);
    AddEdgegapOptions(*command, options->source);
    AddJsonFlag(*command, options->json);
    command->footer(
        fmt::format("EMPTY TTL LEFT: 'in use' while a session or player is on the deployment; otherwise '<=' the app "
                    "version's empty TTL (nobody records since when a deployment is empty, so the time left is not "
                    "computed).\n\nExample:\n  NATS_USER=operator gapctl servers --app spaceships --app-version 1\n\n"
                    "{}\n{}",
                    kEdgegapHelp, bus::kEnvironmentHelp));
    SetOutputCallback(*command, exit_code, options->json, [options] { return RunServers(*options); });
}

}  // namespace gapkit::cli
